"""Random forests: scikit-learn's accuracy, importances and OOB score, the seed's example."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import ensemble

from algorithms import persistence
from algorithms.tree import (
    DecisionTreeClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from algorithms.tree._classes import NODE_ARRAYS


def nonlinear(n, n_features=8, seed=0, task="classification"):
    """Normal X; a noisy non-linear score of the first four features (the rest are noise)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    score = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] + 0.3 * rng.standard_normal(n)
    return X, (score > 0).astype(int) if task == "classification" else score


def seed_example(n=100, seed=0):
    """The seed's forest data: four normal features, class 0 where their sum is positive."""
    X = np.random.default_rng(seed).standard_normal((n, 4))
    return X, np.where(X.sum(axis=1) > 0, 0, 1)


def test_classifier_matches_scikit_learns_accuracy_importances_and_oob():
    X, y = nonlinear(3000)
    X_test, y_test = nonlinear(3000, seed=1)
    params = dict(n_estimators=60, max_depth=8, oob_score=True, random_state=0)
    ours = RandomForestClassifier(n_jobs=2, **params).fit(X, y)
    theirs = ensemble.RandomForestClassifier(**params).fit(X, y)
    assert ours.score(X_test, y_test) > 0.78
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.02
    assert abs(ours.oob_score_ - theirs.oob_score_) < 0.02
    assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=0.02)
    assert_allclose(ours.feature_importances_.sum(), 1.0)
    assert_allclose(ours.oob_decision_function_.sum(axis=1), 1.0)
    assert ours.oob_score_ == np.mean(np.argmax(ours.oob_decision_function_, axis=1) == y)


def test_regressor_matches_scikit_learns_r2_importances_and_oob():
    X, y = nonlinear(2000, task="regression")
    X_test, y_test = nonlinear(2000, seed=1, task="regression")
    params = dict(n_estimators=40, min_samples_leaf=3, oob_score=True, random_state=0)
    ours = RandomForestRegressor(n_jobs=2, **params).fit(X, y)
    theirs = ensemble.RandomForestRegressor(**params).fit(X, y)
    assert ours.score(X_test, y_test) > 0.5
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.02
    assert abs(ours.oob_score_ - theirs.oob_score_) < 0.02
    residual = np.sum((y - ours.oob_prediction_) ** 2)
    assert_allclose(ours.oob_score_, 1 - residual / np.sum((y - y.mean()) ** 2))
    assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=0.02)


def test_seed_example_four_features():
    # The seed's example: ten depth-5 trees on 100 points whose class is the sign of the sum.
    X, y = seed_example()
    X_test, y_test = seed_example(n=2000, seed=1)
    forest = RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0).fit(X, y)
    theirs = ensemble.RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0)
    theirs.fit(X, y)
    assert forest.score(X, y) > 0.95
    assert forest.score(X_test, y_test) > 0.8
    assert abs(forest.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.05
    assert len(forest.tree_offsets_) == 11
    assert forest.feature_importances_.min() > 0.1  # all four features matter


def test_probabilities_are_the_mean_of_the_trees():
    X, y = nonlinear(500)
    forest = RandomForestClassifier(n_estimators=7, max_depth=4, random_state=1).fit(X, y)
    offsets = forest.tree_offsets_
    per_tree = []
    for start, end in zip(offsets[:-1], offsets[1:], strict=True):
        tree = DecisionTreeClassifier()
        for name in NODE_ARRAYS:
            setattr(tree, name, getattr(forest, name)[start:end])
        tree.n_features_in_ = X.shape[1]
        tree.classes_ = forest.classes_
        per_tree.append(tree.predict_proba(X))
    assert_allclose(forest.predict_proba(X), np.mean(per_tree, axis=0), rtol=1e-12)
    assert_array_equal(forest.predict(X), forest.classes_[np.argmax(np.mean(per_tree, 0), 1)])


def test_bootstrap_weights_the_drawn_rows():
    X, y = nonlinear(400)
    forest = RandomForestClassifier(n_estimators=5, max_samples=150, random_state=0).fit(X, y)
    roots = forest.tree_offsets_[:-1]
    assert_array_equal(forest.tree_weighted_n_node_samples_[roots], 150)
    assert (forest.tree_n_node_samples_[roots] < 150).all()  # repeats count once
    share = RandomForestClassifier(n_estimators=2, max_samples=0.5, random_state=0).fit(X, y)
    assert_array_equal(share.tree_weighted_n_node_samples_[share.tree_offsets_[:-1]], 200)


def test_without_bootstrap_all_features_every_tree_is_the_single_tree():
    X, y = nonlinear(1000)
    single = DecisionTreeClassifier(max_depth=3).fit(X, y)
    forest = RandomForestClassifier(
        n_estimators=3, max_depth=3, max_features=None, bootstrap=False, random_state=0
    ).fit(X, y)
    n_nodes = len(single.tree_feature_)
    assert_array_equal(forest.tree_offsets_, [0, n_nodes, 2 * n_nodes, 3 * n_nodes])
    assert_array_equal(forest.tree_threshold_, np.tile(single.tree_threshold_, 3))
    assert_allclose(forest.predict_proba(X), single.predict_proba(X), rtol=1e-12)


def test_same_random_state_same_forest_for_any_n_jobs():
    X, y = nonlinear(600, task="regression")
    one = RandomForestRegressor(n_estimators=8, random_state=5, n_jobs=1).fit(X, y)
    two = RandomForestRegressor(n_estimators=8, random_state=5, n_jobs=2).fit(X, y)
    other = RandomForestRegressor(n_estimators=8, random_state=6, n_jobs=-1).fit(X, y)
    for name in (*NODE_ARRAYS, "tree_offsets_"):
        assert_array_equal(getattr(one, name), getattr(two, name))
    assert not np.array_equal(one.predict(X), other.predict(X))
    X_many = np.tile(X, (10, 1))  # enough rows to predict in two threads
    assert_array_equal(two.predict(X_many), np.tile(one.predict(X), 10))


def test_too_few_trees_for_an_oob_estimate_warns():
    X, y = nonlinear(200)
    with pytest.warns(UserWarning, match="no out-of-bag prediction"):
        forest = RandomForestClassifier(n_estimators=1, oob_score=True, random_state=0)
        forest.fit(X, y)
    assert 0.0 < forest.oob_score_ < 1.0


def test_fitted_state_round_trips_through_persistence(tmp_path):
    X, y = nonlinear(300)
    for model in (
        RandomForestClassifier(n_estimators=20, oob_score=True, random_state=0).fit(X, y),
        RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y.astype(float)),
    ):
        persistence.save_estimator(model, tmp_path / type(model).__name__)
        loaded = persistence.load_estimator(tmp_path / type(model).__name__)
        assert_array_equal(loaded.predict(X), model.predict(X))
        assert_array_equal(loaded.feature_importances_, model.feature_importances_)
        assert_array_equal(loaded.tree_offsets_, model.tree_offsets_)
    classifier = persistence.load_estimator(tmp_path / "RandomForestClassifier")
    assert classifier.oob_decision_function_.shape == (300, 2)
    assert 0.5 < classifier.oob_score_ < 1.0


@pytest.mark.parametrize(
    ("estimator", "X", "y", "match"),
    [
        (RandomForestClassifier(), [[1.0, np.nan], [2.0, 1.0]], [0, 1], "NaN"),
        (RandomForestRegressor(), [[1.0, np.inf], [2.0, 1.0]], [0.0, 1.0], "infinity"),
        (RandomForestClassifier(), np.empty((0, 2)), [], "0 sample"),
        (RandomForestClassifier(), [[1.0], [2.0]], ["a", "a"], "at least two classes.*1 class"),
        (
            RandomForestClassifier(n_estimators=0),
            [[1.0], [2.0]],
            [0, 1],
            r"'n_estimators' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        (
            RandomForestRegressor(criterion="gini"),
            [[1.0], [2.0]],
            [0, 1],
            r"'criterion' parameter .* str among .*\. Got 'gini'",
        ),
        (
            RandomForestClassifier(max_depth=-1),
            [[1.0], [2.0]],
            [0, 1],
            r"'max_depth' parameter .* int in the range \[1, inf\) or None\. Got -1",
        ),
        (RandomForestRegressor(bootstrap=False, oob_score=True), [[1.0]], [0], "needs bootstrap"),
        (RandomForestRegressor(bootstrap=False, max_samples=5), [[1.0]], [0], "needs bootstrap"),
        (RandomForestRegressor(max_samples=3), [[1.0], [2.0]], [0, 1], "exceeds the number"),
        (RandomForestRegressor(max_samples=1.5), [[1.0], [2.0]], [0, 1], "max_samples"),
    ],
)
def test_bad_input_raises_a_clear_value_error(estimator, X, y, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)
