"""Decision trees: node for node scikit-learn's, the seed's example, the contract, checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import tree as sk_tree

from algorithms import persistence
from algorithms.tree import DecisionTreeClassifier, DecisionTreeRegressor
from algorithms.tree._sort import sort_node

NODE_FIELDS = ("children_left", "children_right", "feature", "threshold", "n_node_samples")


def classes_data(n=2000, n_features=6, n_classes=3, seed=0):
    """Continuous X; labels are thirds of a noisy non-linear score."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    score = X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * X[:, 2] * X[:, 3] + 0.4 * rng.standard_normal(n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def regression_data(n=600, n_features=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * X[:, 2] * X[:, 3] + 0.3 * rng.standard_normal(n)
    return X, y


def seed_example(n=100, seed=0):
    """The seed's tree data: two normal features, class 0 where x0 + x1 > 0, else 1."""
    X = np.random.default_rng(seed).standard_normal((n, 2))
    return X, np.where(X[:, 0] + X[:, 1] > 0, 0, 1)


def sklearn_tree(cls, X, y, **params):
    """scikit-learn's tree, after checking it does not depend on its random feature order.

    Equal candidate splits are broken by the order features are tried in, random in
    scikit-learn; trees equal for four random states show the data have no such ties.
    """
    trees = [cls(random_state=seed, **params).fit(X, y) for seed in range(4)]
    for other in trees[1:]:
        for field in NODE_FIELDS:
            assert_array_equal(getattr(other.tree_, field), getattr(trees[0].tree_, field))
    return trees[0]


def assert_same_tree(ours, theirs):
    for field in NODE_FIELDS:
        assert_array_equal(getattr(ours, f"tree_{field}_"), getattr(theirs.tree_, field))
    assert_allclose(ours.tree_value_, theirs.tree_.value[:, 0, :], rtol=1e-12)
    assert_allclose(ours.tree_impurity_, theirs.tree_.impurity, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.tree_weighted_n_node_samples_, theirs.tree_.weighted_n_node_samples)
    assert_allclose(ours.feature_importances_, theirs.feature_importances_, rtol=1e-9, atol=1e-12)
    assert ours.get_depth() == theirs.get_depth()
    assert ours.get_n_leaves() == theirs.get_n_leaves()


@pytest.mark.parametrize("criterion", ["gini", "entropy", "log_loss"])
@pytest.mark.parametrize(
    "params",
    [{"max_depth": 4, "min_samples_leaf": 5}, {"min_impurity_decrease": 0.01}],
)
def test_classifier_is_scikit_learns_tree(criterion, params):
    X, y = classes_data()
    X_test, _ = classes_data(seed=1)
    ours = DecisionTreeClassifier(criterion=criterion, **params).fit(X, y)
    theirs = sklearn_tree(sk_tree.DecisionTreeClassifier, X, y, criterion=criterion, **params)
    assert_same_tree(ours, theirs)
    assert_array_equal(ours.apply(X_test), theirs.apply(X_test))
    assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), rtol=1e-12)
    assert_array_equal(ours.predict(X_test), theirs.predict(X_test))


@pytest.mark.parametrize("params", [{"min_samples_leaf": 8}, {"min_samples_split": 0.1}])
def test_regressor_is_scikit_learns_tree(params):
    X, y = regression_data()
    X_test, _ = regression_data(seed=1)
    ours = DecisionTreeRegressor(**params).fit(X, y)
    theirs = sklearn_tree(sk_tree.DecisionTreeRegressor, X, y, **params)
    assert_same_tree(ours, theirs)
    assert_allclose(ours.predict(X_test), theirs.predict(X_test), rtol=1e-12)
    assert ours.score(X_test, regression_data(seed=1)[1]) > 0.6


def test_fully_grown_trees_fit_every_distinct_row():
    X, y = regression_data(n=300)
    ours = DecisionTreeRegressor().fit(X, y)
    assert_array_equal(ours.predict(X), y)
    assert ours.get_n_leaves() == 300
    assert_array_equal(ours.tree_n_node_samples_[ours.tree_children_left_ == -1], 1)


def test_seed_example_x0_plus_x1():
    # The seed's example: a depth-5 tree learns the diagonal boundary from 100 points.
    X, y = seed_example()
    X_test, y_test = seed_example(n=2000, seed=1)
    ours = DecisionTreeClassifier(criterion="entropy", max_depth=5, random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(criterion="entropy", max_depth=5, random_state=0)
    theirs.fit(X, y)
    assert ours.get_depth() <= 5
    assert ours.score(X, y) >= 0.97
    assert ours.score(X_test, y_test) > 0.85
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.03
    assert_allclose(ours.feature_importances_.sum(), 1.0)
    assert min(ours.feature_importances_) > 0.2  # both features matter


def test_root_split_of_a_hand_made_example():
    # Gini: the split x ≤ 2.5 leaves {0, 0, 0} | {1, 1, 0}; its threshold is the midpoint.
    X = np.array([[1.0], [2.0], [2.0], [3.0], [4.0], [5.0]])
    y = np.array([0, 0, 0, 1, 1, 0])
    tree = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert tree.tree_feature_[0] == 0
    assert tree.tree_threshold_[0] == 2.5
    assert_array_equal(tree.tree_n_node_samples_, [6, 3, 3])
    assert_allclose(tree.tree_impurity_, [1 - (4 / 6) ** 2 - (2 / 6) ** 2, 0.0, 4 / 9])
    assert_allclose(tree.tree_value_, [[4 / 6, 2 / 6], [1, 0], [1 / 3, 2 / 3]])
    assert_array_equal(tree.predict([[2.5], [2.6]]), [0, 1])


@pytest.mark.parametrize("n", [0, 1, 5, 64, 65, 1000])
def test_sort_node_sorts_values_and_rows_together(n):
    # Repeats, signs, zeros of both signs and extremes; only Xf[1:-1] and samples[1:-1] move.
    rng = np.random.default_rng(n)
    special = [0.0, -0.0, -1.5, 3e38, -3e38, 1e-30, -1e-30]
    values = rng.choice(np.concatenate([special, rng.standard_normal(5) * 100]), n)
    Xf = np.concatenate([[9.0], values, [-9.0]]).astype(np.float32)
    samples = np.concatenate([[-1], np.arange(n), [-2]])
    keys, rows = np.empty((2, n + 2), dtype=np.uint32), np.empty(n + 2, dtype=np.int64)
    sort_node(Xf, samples, 1, n + 1, keys, rows)
    assert_array_equal(Xf[1:-1], np.sort(values.astype(np.float32)))
    assert_array_equal(values.astype(np.float32)[samples[1:-1]], Xf[1:-1])
    assert sorted(samples[1:-1]) == list(range(n))
    assert (Xf[0], Xf[-1], samples[0], samples[-1]) == (9.0, -9.0, -1, -2)


def test_growth_limits_hold():
    X, y = classes_data(n=500)
    tree = DecisionTreeClassifier(max_depth=3).fit(X, y)
    assert tree.get_depth() == 3
    tree = DecisionTreeClassifier(min_samples_leaf=30).fit(X, y)
    leaves = tree.tree_children_left_ == -1
    assert tree.tree_n_node_samples_[leaves].min() >= 30
    tree = DecisionTreeClassifier(min_samples_split=100).fit(X, y)
    split = tree.tree_children_left_ != -1
    assert tree.tree_n_node_samples_[split].min() >= 100
    stump = DecisionTreeClassifier(min_impurity_decrease=1.0).fit(X, y)
    assert stump.get_n_leaves() == 1 and stump.get_depth() == 0
    assert_array_equal(stump.feature_importances_, np.zeros(6))


@pytest.mark.parametrize(
    ("max_features", "resolved"), [(None, 9), ("sqrt", 3), ("log2", 3), (4, 4), (0.5, 4)]
)
def test_max_features_is_resolved_like_scikit_learn(max_features, resolved):
    X, y = classes_data(n=200, n_features=9)
    tree = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(X, y)
    assert tree.max_features_ == resolved


def test_random_state_fixes_the_feature_draws():
    X, y = classes_data(n=500)
    first = DecisionTreeClassifier(max_features=2, random_state=3).fit(X, y)
    again = DecisionTreeClassifier(max_features=2, random_state=3).fit(X, y)
    other = DecisionTreeClassifier(max_features=2, random_state=4).fit(X, y)
    assert_array_equal(first.tree_feature_, again.tree_feature_)
    assert_array_equal(first.tree_threshold_, again.tree_threshold_)
    assert not np.array_equal(first.tree_feature_, other.tree_feature_)


def test_constant_features_and_duplicate_rows():
    # Feature 0 is constant and never chosen; identical rows with different labels stay mixed.
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 2.0]])
    y = np.array([0, 1, 1, 1, 0])
    tree = DecisionTreeClassifier(max_features=1, random_state=0).fit(X, y)
    assert set(tree.tree_feature_[tree.tree_children_left_ != -1]) == {1}
    assert_allclose(tree.predict_proba([[1.0, 0.0]]), [[0.5, 0.5]])
    assert_array_equal(tree.predict([[1.0, 1.0], [1.0, 2.0]]), [1, 0])
    assert tree.feature_importances_[0] == 0.0


def test_string_labels_and_constant_regression_target():
    X, y = seed_example()
    labels = np.where(y == 1, "viral", "quiet")
    clf = DecisionTreeClassifier(max_depth=3).fit(X, labels)
    assert_array_equal(clf.classes_, ["quiet", "viral"])
    assert set(clf.predict(X)) == {"quiet", "viral"}
    flat = DecisionTreeRegressor().fit(X, np.full(len(X), 4.0))
    assert flat.get_n_leaves() == 1
    assert_array_equal(flat.predict(X[:3]), [4.0, 4.0, 4.0])


def test_fitted_state_round_trips_through_persistence(tmp_path):
    X, y = classes_data(n=300)
    for model in (
        DecisionTreeClassifier(max_depth=4).fit(X, y.astype(str)),
        DecisionTreeRegressor(max_depth=4).fit(*regression_data(n=300)),
    ):
        persistence.save_estimator(model, tmp_path / type(model).__name__)
        loaded = persistence.load_estimator(tmp_path / type(model).__name__)
        assert_array_equal(loaded.predict(X), model.predict(X))
        assert_array_equal(loaded.feature_importances_, model.feature_importances_)
        assert loaded.get_depth() == model.get_depth()


@pytest.mark.parametrize(
    ("estimator", "X", "y", "match"),
    [
        (DecisionTreeClassifier(), [[1.0, np.nan], [2.0, 1.0]], [0, 1], "NaN"),
        (DecisionTreeRegressor(), [[1.0, np.inf], [2.0, 1.0]], [0.0, 1.0], "infinity"),
        (DecisionTreeRegressor(), [[1.0, 2.0], [3.0, 4.0]], [0.0, np.nan], "NaN"),
        (DecisionTreeClassifier(), np.empty((0, 2)), [], "0 sample"),
        (DecisionTreeClassifier(), [[1.0], [2.0]], [0, 1, 1], "inconsistent numbers"),
        (DecisionTreeClassifier(), [[1.0], [2.0]], [3, 3], "at least two classes.*1 class"),
        (DecisionTreeClassifier(), [[1.0], [2.0]], [0.5, 1.5], "Unknown label type"),
        (
            DecisionTreeClassifier(criterion="mse"),
            [[1.0], [2.0]],
            [0, 1],
            r"'criterion' parameter .* str among .*\. Got 'mse'",
        ),
        (
            DecisionTreeRegressor(criterion="gini"),
            [[1.0], [2.0]],
            [0, 1],
            r"'criterion' parameter .* str among .*\. Got 'gini'",
        ),
        (
            DecisionTreeClassifier(max_depth=0),
            [[1.0], [2.0]],
            [0, 1],
            r"'max_depth' parameter .* int in the range \[1, inf\) or None\. Got 0",
        ),
        (DecisionTreeClassifier(min_samples_leaf=0), [[1.0], [2.0]], [0, 1], "min_samples_leaf"),
        (DecisionTreeClassifier(min_samples_split=1), [[1.0], [2.0]], [0, 1], "min_samples_split"),
        (DecisionTreeClassifier(max_features="auto"), [[1.0], [2.0]], [0, 1], "max_features"),
        (DecisionTreeClassifier(max_features=3), [[1.0], [2.0]], [0, 1], "exceeds the number"),
        (DecisionTreeClassifier(max_features=1.5), [[1.0], [2.0]], [0, 1], "max_features"),
        (DecisionTreeRegressor(min_impurity_decrease=-1), [[1.0]], [0.0], "min_impurity"),
    ],
)
def test_bad_input_raises_a_clear_value_error(estimator, X, y, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


def test_predict_checks_its_input():
    X, y = seed_example()
    tree = DecisionTreeClassifier(max_depth=2).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        tree.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        tree.predict_proba([[np.nan, 0.0]])
