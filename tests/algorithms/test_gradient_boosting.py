"""Gradient boosting: against scikit-learn's HistGradientBoosting*, the seed, the contract."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import ensemble
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

from algorithms import persistence
from algorithms.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from algorithms.ensemble._gradient_boosting import should_stop, validation_split


def friedman(n, seed=0, noise=1.0):
    """Friedman #1 on 6 features (the last one pure noise): a smooth nonlinear target."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 6))
    y = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3]
    return X, y + 5 * X[:, 4] + noise * rng.normal(size=n)


def labelled(n, n_classes, seed=0):
    """Classes cut from a nonlinear score with label noise: accuracy around 0.85–0.9."""
    X, y = friedman(n, seed, noise=2.0)
    cuts = np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.searchsorted(cuts, y)


def split(X, y, n_train):
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


REFERENCE_NAMES = {"n_estimators": "max_iter"}


def reference(estimator):
    """scikit-learn's HistGradientBoosting* with the same parameters as ours."""
    params = {
        REFERENCE_NAMES.get(name, name): value for name, value in estimator.get_params().items()
    }
    if isinstance(estimator, GradientBoostingClassifier):
        return ensemble.HistGradientBoostingClassifier(**params)
    return ensemble.HistGradientBoostingRegressor(**params)


PARAMS = [
    {},
    {"max_depth": 3, "l2_regularization": 1.0, "learning_rate": 0.3, "n_estimators": 50},
    {"max_leaf_nodes": None, "max_depth": 4, "min_samples_leaf": 5, "max_bins": 16},
]


@pytest.mark.parametrize("params", PARAMS)
def test_regressor_scores_like_scikit_learn(params):
    X, y, X_test, y_test = split(*friedman(2500, seed=1), 1500)
    ours = GradientBoostingRegressor(early_stopping=False, **params).fit(X, y)
    theirs = reference(ours).fit(X, y)
    assert ours.score(X_test, y_test) > 0.9
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.01
    assert ours.n_iter_ == theirs.n_iter_


def test_regressor_grows_scikit_learns_trees():
    # scikit-learn keeps gradients in float32: the same trees, values equal to ~1e-7.
    X, y = friedman(2000, seed=2)
    ours = GradientBoostingRegressor(n_estimators=10, early_stopping=False).fit(X, y)
    theirs = reference(ours).fit(X, y)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)
    sizes = np.diff(ours.tree_offsets_)
    assert_array_equal(sizes, [len(predictors[0].nodes) for predictors in theirs._predictors])


@pytest.mark.parametrize(
    ("n_classes", "params"), [(2, PARAMS[0]), (2, PARAMS[2]), (3, PARAMS[0]), (5, PARAMS[1])]
)
def test_classifier_scores_like_scikit_learn(n_classes, params):
    X, y, X_test, y_test = split(*labelled(2500, n_classes, seed=3), 1500)
    ours = GradientBoostingClassifier(early_stopping=False, **params).fit(X, y)
    theirs = reference(ours).fit(X, y)
    majority = np.bincount(y_test).max() / len(y_test)
    assert ours.score(X_test, y_test) > majority + 0.2
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.01


def test_binary_classifier_grows_scikit_learns_trees():
    X, y = labelled(2000, 2, seed=4)
    ours = GradientBoostingClassifier(n_estimators=5, early_stopping=False).fit(X, y)
    theirs = reference(ours).fit(X, y)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)
    assert_allclose(ours.decision_function(X), theirs.decision_function(X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_train_score_is_scikit_learns_negated_loss_and_rises(n_classes):
    X, y = labelled(1500, n_classes, seed=5)
    ours = GradientBoostingClassifier(n_estimators=30, early_stopping=False).fit(X, y)
    # With validation_fraction=None scikit-learn scores the training rows on every iteration.
    theirs = reference(ours).set_params(
        early_stopping=True, validation_fraction=None, n_iter_no_change=100
    )
    theirs.fit(X, y)
    assert ours.train_score_.shape == (31,)
    assert_allclose(ours.train_score_, theirs.train_score_, rtol=1e-5)
    assert np.all(np.diff(ours.train_score_) > 0)
    assert ours.validation_score_.shape == (0,)


def test_regression_train_score_starts_at_half_the_variance():
    X, y = friedman(1000)
    model = GradientBoostingRegressor(n_estimators=20, early_stopping=False).fit(X, y)
    assert_allclose(model.baseline_prediction_, [y.mean()])
    assert_allclose(model.train_score_[0], -0.5 * y.var())
    assert_allclose(model.train_score_[-1], -0.5 * np.mean((model.predict(X) - y) ** 2))
    assert np.all(np.diff(model.train_score_) > 0)


def test_seed_example_y_equals_3x0_plus_2x1():
    # The seed: np.random.seed(42), X = randn(100, 2), y = 3x₀ + 2x₁ + 0.1·noise; 100 depth-3
    # regression trees on the residuals at learning rate 0.1. Its code prints "Mean Squared
    # Error: 0.0085" (training MSE 0.008547). With the same trees (max_depth=3, no leaf-size
    # floor; 100 distinct values per feature fit in 255 bins, so every midpoint is a candidate)
    # ours gets MSE 0.008547 too: the same model as scikit-learn's exact GradientBoosting-
    # Regressor. With the histogram defaults (31 leaves of at least 20 of the 100 rows) the
    # training MSE is 0.66.
    legacy = np.random.RandomState(42)  # the seed's np.random.seed(42) stream
    X = legacy.randn(100, 2)
    y = 3 * X[:, 0] + 2 * X[:, 1] + legacy.randn(100) * 0.1
    params = {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3}
    ours = GradientBoostingRegressor(
        min_samples_leaf=1, max_leaf_nodes=None, early_stopping=False, **params
    ).fit(X, y)
    mse = np.mean((ours.predict(X) - y) ** 2)
    assert f"{mse:.4f}" == "0.0085"
    exact = ensemble.GradientBoostingRegressor(**params).fit(X, y)
    assert_allclose(ours.predict(X), exact.predict(X), atol=1e-10)
    defaults = GradientBoostingRegressor(early_stopping=False).fit(X, y)
    assert np.mean((defaults.predict(X) - y) ** 2) == pytest.approx(0.66, abs=0.01)


def test_bin_thresholds_equal_scikit_learns_bin_mapper():
    rng = np.random.default_rng(6)
    X = np.column_stack(
        [
            rng.normal(size=3000),  # many distinct values: quantiles
            rng.integers(0, 10, 3000),  # few: midpoints
            rng.exponential(size=3000).round(1),  # many duplicates
            np.full(3000, 2.5),  # constant: no threshold
        ]
    )
    for max_bins in (255, 16):
        model = GradientBoostingRegressor(max_bins=max_bins, n_estimators=1).fit(X, X[:, 0])
        mapper = _BinMapper(n_bins=max_bins + 1).fit(X)
        offsets = model.bin_threshold_offsets_
        for j, expected in enumerate(mapper.bin_thresholds_):
            assert_array_equal(model.bin_thresholds_[offsets[j] : offsets[j + 1]], expected)


def test_tree_shape_limits_are_respected():
    X, y = friedman(2000, seed=7)
    model = GradientBoostingRegressor(
        n_estimators=5, max_leaf_nodes=6, max_depth=3, min_samples_leaf=50, early_stopping=False
    ).fit(X, y)
    leaves = model.nodes_left_ == -1
    for start, stop in zip(model.tree_offsets_[:-1], model.tree_offsets_[1:], strict=True):
        assert 1 < leaves[start:stop].sum() <= 6
        assert (model.nodes_feature_[start:stop] == -1).tolist() == leaves[start:stop].tolist()
    rows_per_leaf = np.bincount(leaf_of(model, X, tree=0))
    assert rows_per_leaf[rows_per_leaf > 0].min() >= 50
    assert max_depth(model, tree=0) <= 3


def leaf_of(model, X, tree):
    """The node index of each row's leaf in one tree."""
    nodes = np.full(len(X), model.tree_offsets_[tree])
    while True:
        inner = model.nodes_left_[nodes] != -1
        if not inner.any():
            return nodes
        goes_left = (
            X[np.arange(len(X)), model.nodes_feature_[nodes]] <= model.nodes_threshold_[nodes]
        )
        nodes = np.where(
            inner, np.where(goes_left, model.nodes_left_[nodes], model.nodes_right_[nodes]), nodes
        )


def max_depth(model, tree):
    depth, frontier = 0, [model.tree_offsets_[tree]]
    while True:
        frontier = [
            child
            for node in frontier
            for child in (model.nodes_left_[node], model.nodes_right_[node])
            if child != -1
        ]
        if not frontier:
            return depth
        depth += 1


def test_multiclass_has_one_tree_per_class_per_iteration():
    X, y = labelled(1200, 4, seed=8)
    labels = np.array(["ant", "bee", "cat", "dog"])[y]
    model = GradientBoostingClassifier(n_estimators=15, early_stopping=False).fit(X, labels)
    assert_array_equal(model.classes_, ["ant", "bee", "cat", "dog"])
    assert model.n_trees_per_iteration_ == 4
    assert len(model.tree_offsets_) == 15 * 4 + 1
    proba = model.predict_proba(X)
    assert proba.shape == (1200, 4)
    assert_allclose(proba.sum(axis=1), 1.0)
    decision = model.decision_function(X)
    assert decision.shape == (1200, 4)
    assert_array_equal(model.predict(X), model.classes_[decision.argmax(axis=1)])
    assert_array_equal(np.argsort(decision, axis=1), np.argsort(proba, axis=1))
    assert_allclose(model.baseline_prediction_.sum(), 0.0, atol=1e-12)


def test_binary_decision_is_the_log_odds():
    X, y = labelled(800, 2, seed=9)
    model = GradientBoostingClassifier(n_estimators=20, early_stopping=False).fit(X, y == 1)
    decision = model.decision_function(X)
    proba = model.predict_proba(X)
    assert decision.shape == (800,)
    assert_allclose(np.log(proba[:, 1] / proba[:, 0]), decision)
    assert_array_equal(model.predict(X), decision > 0)


def test_early_stopping_holds_out_rows_and_stops():
    X, y = friedman(3000, seed=10, noise=3.0)
    model = GradientBoostingRegressor(
        n_estimators=500, learning_rate=0.5, early_stopping=True, random_state=0
    ).fit(X, y)
    assert model.do_early_stopping_
    assert 10 < model.n_iter_ < 500
    assert model.validation_score_.shape == model.train_score_.shape == (model.n_iter_ + 1,)
    best = model.validation_score_.argmax()
    assert model.n_iter_ - best <= 10  # stopped within n_iter_no_change of the best score
    again = GradientBoostingRegressor(
        n_estimators=500, learning_rate=0.5, early_stopping=True, random_state=0
    ).fit(X, y)
    assert_array_equal(again.nodes_value_, model.nodes_value_)


def test_early_stopping_auto_turns_on_above_ten_thousand_rows():
    X, y = labelled(10_001, 3, seed=11)
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    assert model.do_early_stopping_
    assert model.validation_score_.shape == (4,)
    small = GradientBoostingClassifier(n_estimators=3).fit(X[:10_000], y[:10_000])
    assert not small.do_early_stopping_
    assert small.validation_score_.shape == (0,)


def test_early_stopping_without_validation_rows_scores_the_training_rows():
    X, y = friedman(500, seed=12)
    model = GradientBoostingRegressor(
        n_estimators=1000, early_stopping=True, validation_fraction=None, tol=1e-3
    ).fit(X, y)
    assert model.validation_score_.shape == (0,)
    assert model.n_iter_ < 1000
    assert not should_stop(list(model.train_score_[:-1]), 10, 1e-3)


def test_should_stop_compares_with_the_score_n_iter_no_change_back():
    assert not should_stop([-3.0, -2.0], 2, 0.0)
    assert should_stop([-3.0, -2.0, -2.5, -2.0], 2, 0.0)
    assert not should_stop([-3.0, -2.0, -2.5, -1.9], 2, 0.0)
    assert should_stop([-3.0, -2.0, -2.5, -1.9], 2, 0.2)


def test_validation_split_is_stratified_and_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 3])
    train, validation = validation_split(y, 0.2, True, np.random.default_rng(0))
    assert np.bincount(y[validation], minlength=3).tolist() == [10, 6, 0]
    assert sorted(np.concatenate([train, validation]).tolist()) == list(range(83))
    again = validation_split(y, 0.2, True, np.random.default_rng(0))[1]
    assert_array_equal(again, validation)
    assert len(validation_split(np.arange(83.0), 0.2, False, np.random.default_rng(0))[1]) == 17


def test_divergence_names_the_learning_rate():
    X, y = friedman(300)
    with pytest.raises(
        ValueError, match=r"diverged at iteration \d+ with learning_rate=5.*smaller"
    ):
        GradientBoostingRegressor(learning_rate=5.0, early_stopping=False).fit(X, y)


def test_fitted_state_is_plain_arrays_and_numbers():
    X, y = labelled(600, 3, seed=13)
    model = GradientBoostingClassifier(n_estimators=5).fit(X, y)
    fitted = {name: value for name, value in vars(model).items() if name.endswith("_")}
    arrays = {name for name, value in fitted.items() if isinstance(value, np.ndarray)}
    assert set(fitted) - arrays == {
        "n_features_in_",
        "n_iter_",
        "n_trees_per_iteration_",
        "do_early_stopping_",
    }
    assert all(value.dtype != object for name, value in fitted.items() if name in arrays)


def test_fitted_state_round_trips_through_persistence(tmp_path):
    X, y = labelled(600, 3, seed=14)
    for model in (
        GradientBoostingClassifier(n_estimators=10).fit(X, np.array(["a", "b", "c"])[y]),
        GradientBoostingRegressor(n_estimators=10).fit(X, y.astype(float)),
    ):
        persistence.save_estimator(model, tmp_path / type(model).__name__)
        loaded = persistence.load_estimator(tmp_path / type(model).__name__)
        assert_array_equal(loaded.predict(X), model.predict(X))
        assert_array_equal(loaded.train_score_, model.train_score_)
        assert loaded.get_params() == model.get_params()


XY = friedman(60)


@pytest.mark.parametrize(
    ("estimator", "X", "y", "match"),
    [
        (GradientBoostingRegressor(), np.where(XY[0] > 0.9, np.nan, XY[0]), XY[1], "NaN"),
        (GradientBoostingRegressor(), np.where(XY[0] > 0.9, np.inf, XY[0]), XY[1], "infinity"),
        (GradientBoostingRegressor(), XY[0], np.where(XY[1] > 9, np.nan, XY[1]), "NaN"),
        (GradientBoostingRegressor(), XY[0][:, 0], XY[1], "2D array"),
        (GradientBoostingRegressor(), XY[0][:0], XY[1][:0], "0 sample"),
        (GradientBoostingRegressor(), XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        (GradientBoostingClassifier(), XY[0], np.zeros(60), "got 1 class"),
        (GradientBoostingClassifier(), XY[0], XY[1], "Unknown label type"),
        (
            GradientBoostingRegressor(learning_rate=0),
            *XY,
            r"'learning_rate' parameter .* float in the range \(0\.0, inf\)\. Got 0",
        ),
        (
            GradientBoostingRegressor(n_estimators=0),
            *XY,
            r"'n_estimators' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        (
            GradientBoostingRegressor(max_depth=0),
            *XY,
            r"'max_depth' parameter .* int in the range \[1, inf\) or None\. Got 0",
        ),
        (
            GradientBoostingRegressor(max_leaf_nodes=1),
            *XY,
            r"'max_leaf_nodes' parameter .* int in the range \[2, inf\) or None\. Got 1",
        ),
        (
            GradientBoostingRegressor(min_samples_leaf=0),
            *XY,
            r"'min_samples_leaf' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        (
            GradientBoostingRegressor(l2_regularization=-1),
            *XY,
            r"'l2_regularization' parameter .* float in the range \[0\.0, inf\)\. Got -1",
        ),
        (
            GradientBoostingRegressor(max_bins=256),
            *XY,
            r"'max_bins' parameter .* int in the range \[2, 255\]\. Got 256",
        ),
        (
            GradientBoostingRegressor(early_stopping="yes"),
            *XY,
            r"'early_stopping' parameter .* str among .*\. Got 'yes'",
        ),
        (
            GradientBoostingRegressor(validation_fraction=1.0),
            *XY,
            r"'validation_fraction' parameter .* \(0\.0, 1\.0\) or None\. Got 1\.0",
        ),
        (
            GradientBoostingRegressor(n_iter_no_change=0),
            *XY,
            r"'n_iter_no_change' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        (
            GradientBoostingRegressor(tol=-1.0),
            *XY,
            r"'tol' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (
            GradientBoostingClassifier(early_stopping=True),
            XY[0][:8],
            np.arange(8) % 2,
            "leaves an empty training or validation set",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(estimator, X, y, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


def test_predict_checks_the_number_of_features():
    model = GradientBoostingRegressor(n_estimators=2).fit(*XY)
    with pytest.raises(ValueError, match="X has 5 features, but GradientBoostingRegressor is"):
        model.predict(XY[0][:, :5])
