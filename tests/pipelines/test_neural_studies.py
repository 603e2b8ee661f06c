"""The neural-network study (dropout and early stopping): its numbers, its section (a table
and a figure) and the spec that lists it."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import mean_squared_error

from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network import MLPRegressor
from pipelines.paths import SPECS_DIR
from pipelines.spec import load_spec
from pipelines.studies import get_study, neural, study_params

NAME = "dropout_and_early_stopping"
SMALL = {"rows": 300, "max_iter": 40, "hidden_layer_sizes": (16, 16)}


@pytest.fixture(scope="module")
def section():
    """The study's Section at its default parameters (the tutorial's)."""
    return get_study(NAME)()


def table(markdown: str) -> dict[str, dict[str, str]]:
    """The study's table: each body row by its first cell, as {column header: cell}."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header, _, *body = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


def test_study_is_registered_with_a_table_and_a_linked_figure(section):
    assert get_study(NAME) is neural.dropout_and_early_stopping
    assert study_params(NAME) == [
        "rows",
        "seed",
        "hidden_layer_sizes",
        "dropout",
        "max_iter",
        "patience",
        "validation_fraction",
    ]
    assert list(table(section.markdown)) == [
        "plain",
        "dropout 0.5",
        "early stopping (patience 10)",
    ]
    assert list(section.figures) == [NAME]
    assert f"({NAME}.png)" in section.markdown
    axes = section.figures[NAME].axes
    assert len(axes) == 3
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert ax.get_legend() is not None
    labels = [line.get_label() for line in axes[2].get_lines()]
    stopped = table(section.markdown)["early stopping (patience 10)"]["stopped at epoch"]
    assert f"stopped, epoch {stopped}" in labels


def test_dropout_ends_with_the_higher_training_loss(section):
    rows = table(section.markdown)
    plain, dropped = rows["plain"], rows["dropout 0.5"]
    assert float(dropped["final training loss"]) > float(plain["final training loss"])
    assert plain["epochs run"] == dropped["epochs run"] == "100"
    # Both fit the line: validation MSE near the noise variance 4, far below var(y) ≈ 75.
    assert 3.0 < float(plain["validation MSE"]) < 6.0
    assert 3.0 < float(dropped["validation MSE"]) < 8.0


def test_early_stopping_stops_before_max_iter_at_its_best_epoch(section):
    row = table(section.markdown)["early stopping (patience 10)"]
    stopped, best = int(row["stopped at epoch"]), int(row["best epoch"])
    assert int(row["epochs run"]) == stopped < 100
    assert 1 <= best <= stopped
    # The restored weights are the best epoch's: their validation MSE is the curve's minimum.
    assert row["validation MSE"] == row["lowest validation MSE"]
    axes = section.figures[NAME].axes
    (validation,) = [line for line in axes[2].get_lines() if line.get_label() == "validation MSE"]
    (marker,) = [line for line in axes[2].get_lines() if line.get_label().startswith("best")]
    curve = validation.get_ydata()
    assert len(curve) == stopped
    assert marker.get_xdata()[0] == best
    assert marker.get_ydata()[0] == pytest.approx(curve.min(), rel=1e-12)
    assert curve[best - 1] == curve.min()
    assert float(row["validation MSE"]) == pytest.approx(curve.min(), abs=5e-5)


def test_partial_fit_epochs_match_one_fit(section):
    """partial_fit reshuffles from the given order each epoch and fit composes its shuffles,
    so the batches differ: the end points agree closely, not bit for bit."""
    rows = table(section.markdown)
    X, y = neural._line(1000, 42)
    permutation = np.random.default_rng(42).permutation(1000)
    val, train = np.sort(permutation[:200]), np.sort(permutation[200:])
    for name, dropout, tolerance in (("plain", 0.0, 0.01), ("dropout 0.5", 0.5, 0.1)):
        model = MLPRegressor(
            hidden_layer_sizes=(64, 64),
            max_iter=100,
            n_iter_no_change=100,
            random_state=42,
            dropout=dropout,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[train], y[train])
        validation = mean_squared_error(y[val], model.predict(X[val]))
        final_loss = float(rows[name]["final training loss"])
        assert final_loss == pytest.approx(model.loss_curve_[-1], rel=tolerance / 2)
        assert float(rows[name]["validation MSE"]) == pytest.approx(validation, rel=tolerance)


def test_early_stopping_holds_out_the_splits_rows():
    model = MLPRegressor(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        validation_fraction=0.25,
        random_state=5,
        max_iter=30,
    )
    train, val = np.arange(0, 60), np.arange(60, 80)
    order = neural._rows_for_internal_split(model, train, val)
    assert sorted(order) == list(range(80))
    X, y = neural._line(80, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[order], y[order])
    r2 = 1.0 - mean_squared_error(y[val], model.predict(X[val])) / np.var(y[val])
    assert r2 == pytest.approx(model.best_validation_score_, abs=1e-12)


def test_study_data_is_the_line_standardized():
    X, y = neural._line(1000, 42)
    assert X.mean() == pytest.approx(0.0, abs=1e-12)
    assert X.std() == pytest.approx(1.0)
    x = np.linspace(0.0, 10.0, 1000)
    noise = y - (3.0 * x + 2.0)
    assert noise.std() == pytest.approx(2.0, rel=0.1)
    np.testing.assert_allclose(noise, np.random.default_rng(42).normal(0.0, 2.0, 1000), atol=1e-12)


def test_study_is_deterministic():
    first, second = get_study(NAME)(**SMALL), get_study(NAME)(**SMALL)
    assert first.markdown == second.markdown


def test_regularized_mlp_spec_loads():
    spec = load_spec(SPECS_DIR / "regularized_mlp.yaml")
    assert spec.name == "regularized_mlp"
    assert spec.model.algorithm == "mlp_regressor"
    assert spec.model.params["early_stopping"] is True
    assert spec.model.params["hidden_layer_sizes"] == [64, 64]
    assert [study.study for study in spec.evaluation.studies] == [NAME]
    assert spec.evaluation.metrics == ["mse", "rmse", "mae", "r2"]
    assert spec.schedule == "0 6 * * 1"
