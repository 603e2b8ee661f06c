"""The classics studies (forest, boosting, nearest neighbours): their numbers against
scikit-learn on the same data, their sections (a table and a figure each) and the spec that
lists them."""

import warnings

import numpy as np
import polars as pl
import pytest
from sklearn import ensemble, neighbors, tree

from pipelines.features import SPLIT, add_split
from pipelines.generators.synthetic import sum_sign
from pipelines.paths import SPECS_DIR
from pipelines.spec import SplitSpec, load_spec
from pipelines.studies import classics, get_study

CLASSICS_STUDIES = (
    "forest_on_four_features",
    "boosting_on_a_plane",
    "knn_classification_and_regression",
)
SEED = 42


@pytest.fixture(scope="module")
def sections():
    """Each classics study's Section at its default parameters."""
    return {name: get_study(name)() for name in CLASSICS_STUDIES}


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of every Markdown table of `markdown`, as lists of cells."""
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith("|")
    ]
    rules = {i for i, row in enumerate(rows) if set(row[0]) <= set("-:")}
    return [row for i, row in enumerate(rows) if i not in rules and i + 1 not in rules]


def cell(markdown: str, first: str, column: int) -> float:
    """The number in `column` of the table row whose first cell starts with `first`."""
    (row,) = [row for row in table_rows(markdown) if row[0].startswith(first)]
    return float(row[column])


def split_xy(frame: pl.DataFrame, columns: list[str], target: str):
    """(X_train, y_train, X_test, y_test) by the pipeline's stratified split of `label`."""
    marked = add_split(frame, "label", SplitSpec(test_fraction=0.2, seed=SEED, stratify=True))
    parts = [marked.filter(pl.col(SPLIT) == part) for part in ("train", "test")]
    return [a for p in parts for a in (p.select(columns).to_numpy(), p[target].to_numpy())]


def plane(rng: np.random.Generator, rows: int = 100):
    """The boosting example: X ~ N(0, 1)², y = 3x₀ + 2x₁ + N(0, 0.1²)."""
    X = rng.standard_normal((rows, 2))
    return X, 3.0 * X[:, 0] + 2.0 * X[:, 1] + 0.1 * rng.standard_normal(rows)


@pytest.mark.parametrize("name", CLASSICS_STUDIES)
def test_each_study_is_registered_with_a_table_and_a_linked_figure(sections, name):
    assert get_study(name) is getattr(classics, name)
    section = sections[name]
    assert table_rows(section.markdown), "no table"
    assert list(section.figures) == [name]
    assert f"({name}.png)" in section.markdown
    for ax in section.figures[name].axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert ax.get_legend() is not None or name == "forest_on_four_features"


def test_study_split_is_the_pipelines_split():
    frame = sum_sign(100, SEED, 4, negative=1, positive=0)
    marked = add_split(frame, "label", SplitSpec(test_fraction=0.2, seed=SEED, stratify=True))
    train, test = classics._split(frame, 0.2, SEED)
    assert test.equals(marked.filter(pl.col(SPLIT) == "test").drop(SPLIT))
    assert train.equals(marked.filter(pl.col(SPLIT) == "train").drop(SPLIT))


def test_forest_and_tree_accuracy_are_close_to_sklearn(sections):
    markdown = sections["forest_on_four_features"].markdown
    columns = ["x0", "x1", "x2", "x3"]
    X, y, X_test, y_test = split_xy(
        sum_sign(100, SEED, 4, negative=1, positive=0), columns, "label"
    )
    with warnings.catch_warnings():  # 10 trees leave some rows without out-of-bag trees
        warnings.simplefilter("ignore", UserWarning)
        forests = [
            ensemble.RandomForestClassifier(
                n_estimators=10, criterion="entropy", max_depth=10, oob_score=True, random_state=s
            ).fit(X, y)
            for s in range(10)
        ]
    # Forests of 10 trees on 80 rows vary with the seed: compare with sklearn's mean over seeds.
    held_out = np.mean([forest.score(X_test, y_test) for forest in forests])
    oob = np.mean([forest.oob_score_ for forest in forests])
    assert cell(markdown, "RandomForestClassifier", 1) == pytest.approx(held_out, abs=0.1)
    assert cell(markdown, "RandomForestClassifier", 2) == pytest.approx(oob, abs=0.1)
    single = tree.DecisionTreeClassifier(criterion="entropy", max_depth=10, random_state=SEED)
    single_accuracy = single.fit(X, y).score(X_test, y_test)
    assert cell(markdown, "DecisionTreeClassifier", 1) == pytest.approx(single_accuracy, abs=0.1)
    importances = [cell(markdown, f"x{j}", 1) for j in range(4)]
    assert sum(importances) == pytest.approx(1.0, abs=1e-3)
    assert min(importances) > 0.05


def test_boosting_loop_is_sklearns_gradient_boosting(sections):
    markdown = sections["boosting_on_a_plane"].markdown
    rng = np.random.default_rng(SEED)
    X, y = plane(rng)
    X_new, y_new = plane(rng)
    # Exact regression trees on the residuals; scikit-learn 1.9 deprecated `criterion` (it has
    # no effect: Friedman's improvement ranks splits as the squared error's decrease does).
    reference = ensemble.GradientBoostingRegressor(
        n_estimators=100, learning_rate=0.1, max_depth=3, random_state=0
    ).fit(X, y)
    loop_train, loop_new = cell(markdown, "tutorial loop", 1), cell(markdown, "tutorial loop", 2)
    assert loop_train == pytest.approx(np.mean((reference.predict(X) - y) ** 2), abs=2e-4)
    assert loop_new == pytest.approx(np.mean((reference.predict(X_new) - y_new) ** 2), rel=0.05)
    hist = ensemble.HistGradientBoostingRegressor(
        max_iter=100, learning_rate=0.1, max_depth=3, min_samples_leaf=5, early_stopping=False
    ).fit(X, y)
    hist_train = cell(markdown, "GradientBoostingRegressor", 1)
    assert hist_train == pytest.approx(np.mean((hist.predict(X) - y) ** 2), abs=2e-4)
    assert max(loop_train, hist_train) < 0.01 * np.var(y)
    assert cell(markdown, "mean of the training y", 1) == pytest.approx(np.var(y), abs=1e-4)


def test_knn_matches_sklearn(sections):
    markdown = sections["knn_classification_and_regression"].markdown
    frame = sum_sign(100, SEED, 2, negative=1, positive=0)
    noise = 0.1 * np.random.default_rng(SEED + 1).standard_normal(100)
    frame = frame.with_columns(y=2.0 * pl.col("x0") + 3.0 * pl.col("x1") + noise)
    X, label, X_test, label_test = split_xy(frame, ["x0", "x1"], "label")
    _, y, _, y_test = split_xy(frame, ["x0", "x1"], "y")
    classifier = neighbors.KNeighborsClassifier(n_neighbors=3, weights="distance").fit(X, label)
    regressor = neighbors.KNeighborsRegressor(n_neighbors=3, weights="distance").fit(X, y)
    predicted = regressor.predict(X_test)
    rows = {(row[0], row[2]): float(row[3]) for row in table_rows(markdown)}
    assert rows["classification", "accuracy"] == pytest.approx(
        classifier.score(X_test, label_test), abs=1e-4
    )
    assert rows["regression", "R²"] == pytest.approx(regressor.score(X_test, y_test), abs=1e-4)
    assert rows["regression", "MSE"] == pytest.approx(np.mean((predicted - y_test) ** 2), abs=1e-4)


def test_studies_are_deterministic():
    first, second = classics.boosting_on_a_plane(), classics.boosting_on_a_plane()
    assert first.markdown == second.markdown


def test_seed_classics_spec_lists_the_studies():
    spec = load_spec(SPECS_DIR / "seed_classics.yaml")
    assert spec.model.algorithm == "decision_tree_classifier"
    assert [study.study for study in spec.evaluation.studies] == list(CLASSICS_STUDIES)
