"""The regularization studies: their numbers against scikit-learn computing the same thing,
their sections (a table and a figure each), and the spec errors of unknown studies."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError
from sklearn import linear_model
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from pipelines.features import prepare
from pipelines.generators import get_generator
from pipelines.generators.synthetic import line, noisy_sine, sparse_linear
from pipelines.paths import SPECS_DIR
from pipelines.spec import SpecError, StudySpec, load_spec
from pipelines.studies import get_study, regularization
from pipelines.training import train

REGULARIZATION_STUDIES = (
    "shrinkage_on_a_line",
    "cv_score_per_alpha",
    "elastic_net_grid",
    "bias_variance",
    "regularization_path",
)


@pytest.fixture(scope="module")
def sections():
    """Each regularization study's Section at its default parameters (the tutorial's)."""
    return {name: get_study(name)() for name in REGULARIZATION_STUDIES}


def tables(markdown: str) -> list[list[dict[str, str]]]:
    """Every Markdown table of `markdown`, each as a list of {header: cell} rows."""
    found, block = [], []
    for line_ in [*markdown.splitlines(), ""]:
        if line_.startswith("|"):
            block.append([cell.strip() for cell in line_.strip("|").split("|")])
        elif block:
            header, _rule, *rows = block
            found.append([dict(zip(header, row, strict=True)) for row in rows])
            block = []
    return found


def close(shown: str, expected: float, rel: float = 1e-3, abs_: float = 1e-4) -> bool:
    """Whether a rounded number of a table matches `expected`."""
    return float(shown.removeprefix("± ")) == pytest.approx(expected, rel=rel, abs=abs_)


@pytest.mark.parametrize("name", REGULARIZATION_STUDIES)
def test_each_study_is_registered_with_a_table_and_a_linked_figure(sections, name):
    assert get_study(name) is getattr(regularization, name)
    section = sections[name]
    assert tables(section.markdown), "no table"
    assert section.figures, "no figure"
    for figure_name, figure in section.figures.items():
        assert figure_name.startswith(name)
        assert f"]({figure_name}.png)" in section.markdown
        plots = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
        assert all(ax.get_xlabel() and ax.get_title() for ax in plots)


def test_shrinkage_on_a_line_matches_sklearn(sections):
    frame = line(100, 42)
    X, y = frame.select("x0").to_numpy(), frame["y"].to_numpy()
    rows = {
        (r["model"], r["setting"]): r for r in tables(sections["shrinkage_on_a_line"].markdown)[0]
    }
    expected = {}
    with warnings.catch_warnings():  # scikit-learn warns on alpha=0 for coordinate descent
        warnings.simplefilter("ignore")
        for alpha in (0, 0.1, 1, 10):
            expected["Ridge", f"α = {alpha:g}"] = linear_model.Ridge(alpha=alpha).fit(X, y)
            expected["Lasso", f"α = {alpha:g}"] = linear_model.Lasso(alpha=alpha).fit(X, y)
        for ratio in (0, 0.5, 1):
            model = linear_model.ElasticNet(alpha=1, l1_ratio=ratio).fit(X, y)
            expected["ElasticNet", f"l1_ratio = {ratio:g}"] = model
    assert set(rows) == set(expected) | {("least squares", "—")}
    for key, model in expected.items():
        assert close(rows[key]["slope"], model.coef_[0]), key
        assert close(rows[key]["intercept"], model.intercept_), key
    assert "least squares" in rows["Lasso", "α = 0"]["note"]
    assert "least squares" in rows["Ridge", "α = 0"]["note"]


def test_shrinkage_on_a_line_lets_no_alpha_zero_warning_through():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        regularization.shrinkage_on_a_line(rows=30, alphas=(0,), l1_ratios=(0.5,))


def test_cv_score_per_alpha_matches_sklearn_cross_val_score(sections):
    data = sparse_linear(100, 42, 5, (3.0, 2.0, -1.0), 0.1)
    X, y = data.drop("y").to_numpy(), data["y"].to_numpy()
    rows = tables(sections["cv_score_per_alpha"].markdown)[0]
    assert [r["alpha"] for r in rows] == ["0.01", "0.1", "1", "10", "100"]
    for row in rows:
        scores = cross_val_score(linear_model.Ridge(alpha=float(row["alpha"])), X, y, cv=KFold(5))
        assert close(row["mean CV R²"], scores.mean(), abs_=6e-5)
        assert close(row["± 2·std"], 2 * scores.std(), abs_=6e-5)


def test_elastic_net_grid_best_point_matches_sklearn(sections):
    data = sparse_linear(100, 42, 10, (3.0, 2.0, -1.0), 0.1)
    X, y = data.drop("y").to_numpy(), data["y"].to_numpy()
    grid = {"alpha": [0.1, 1, 10], "l1_ratio": [0, 0.5, 1]}
    with warnings.catch_warnings():  # l1_ratio=0 is discouraged by scikit-learn
        warnings.simplefilter("ignore")
        search = GridSearchCV(
            linear_model.ElasticNet(), grid, cv=KFold(5), scoring="neg_mean_squared_error"
        ).fit(X, y)
    markdown = sections["elastic_net_grid"].markdown
    best = re.search(r"Best: alpha = (\S+), l1_ratio = (\S+) with CV MSE (\S+) ", markdown)
    assert (float(best[1]), float(best[2])) == (
        search.best_params_["alpha"],
        search.best_params_["l1_ratio"],
    )
    assert close(best[3], -search.best_score_)
    grid_rows, coef_rows = tables(markdown)
    assert len(grid_rows) == 9
    for row, params, mean in zip(
        grid_rows, search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        assert (float(row["alpha"]), float(row["l1_ratio"])) == (
            params["alpha"],
            params["l1_ratio"],
        )
        assert close(row["mean CV MSE"], -mean)
    for row, coef in zip(coef_rows, search.best_estimator_.coef_, strict=False):
        assert close(row["coefficient"], coef), row


def test_bias_variance_under_and_over_fitting(sections):
    markdown = sections["bias_variance"].markdown
    errors = {
        (int(r["degree"]), float(r["alpha"])): (
            float(r["training MSE"]),
            float(r["MSE against sin(2πx)"]),
        )
        for r in tables(markdown)[0]
    }
    assert len(errors) == 9
    assert errors[15, 0][0] < errors[1, 0][0]
    assert errors[15, 0][1] > errors[4, 0][1]
    assert "Degree 1 under-fits" in markdown and "Degree 15 with α = 0 over-fits" in markdown
    data = noisy_sine(20, 0, 0.1)
    x, y = data.select("x0").to_numpy(), data["y"].to_numpy()
    grid = np.linspace(0.0, 1.0, 100)[:, None]
    truth = np.sin(2 * np.pi * grid[:, 0])
    with warnings.catch_warnings():  # degree 15 without a penalty is ill-conditioned
        warnings.simplefilter("ignore")
        for (degree, alpha), (train_mse, true_mse) in errors.items():
            model = make_pipeline(PolynomialFeatures(degree), linear_model.Ridge(alpha=alpha))
            model.fit(x, y)
            assert train_mse == pytest.approx(np.mean((model.predict(x) - y) ** 2), rel=1e-3)
            assert true_mse == pytest.approx(np.mean((model.predict(grid) - truth) ** 2), rel=1e-3)


def test_regularization_path_entry_order_matches_sklearn(sections):
    data = sparse_linear(1000, 42, 20)
    X = StandardScaler().fit_transform(data.drop("y").to_numpy())
    y = data["y"].to_numpy() - data["y"].mean()
    alphas, coefs, _ = linear_model.lasso_path(X, y, eps=1e-3, alphas=100)
    rows = tables(sections["regularization_path"].markdown)[0]
    assert {r["feature"] for r in rows[:3]} == {"x0", "x1", "x2"}
    for row in rows[:3]:
        j = int(row["feature"][1:])
        assert close(row["largest non-zero alpha"], alphas[np.argmax(coefs[j] != 0)])
    assert [int(r["order"]) for r in rows] == list(range(1, len(rows) + 1))


def test_unknown_study_lists_the_registered_ones():
    with pytest.raises(ValidationError) as info:
        StudySpec(study="ridge_trace")
    message = str(info.value)
    assert "unknown study 'ridge_trace'" in message
    assert all(name in message for name in REGULARIZATION_STUDIES)


def test_unknown_study_param_names_the_study_and_its_params(tmp_path: Path):
    spec = yaml.safe_load((SPECS_DIR / "regularization.yaml").read_text())
    spec["evaluation"]["studies"][3]["params"]["degree"] = 3
    path = tmp_path / "regularization.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert "evaluation.studies.3: unknown parameter(s) degree for study 'bias_variance'" in message
    assert "its parameters: rows, seed, noise, degrees, alphas" in message


def test_regularization_spec_lasso_keeps_exactly_the_three_true_features():
    spec = load_spec(SPECS_DIR / "regularization.yaml")
    assert [s.study for s in spec.evaluation.studies] == list(REGULARIZATION_STUDIES)
    raw = get_generator("sparse_linear")(1000, 42, n_features=20, noise=0.5)
    bundle = train(spec, prepare(raw, spec))
    assert np.flatnonzero(bundle.estimator.coef_).tolist() == [0, 1, 2]
