"""k-nearest neighbours: against scikit-learn, batch boundaries, the seed's examples, errors."""

from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neighbors as sk_neighbors

from algorithms._threads import numba_owns_the_cores
from algorithms.neighbors import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    nearest_neighbors,
    nearest_scores,
)
from algorithms.persistence import load_estimator, save_estimator


def blobs(n=400, n_queries=150, n_features=5, seed=0):
    """Three overlapping Gaussian classes, a linear-plus-sine target, and fresh query rows."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = rng.normal(0.0, 1.5, (3, n_features))
    X = centres[labels] + rng.standard_normal((n, n_features))
    target = X @ rng.standard_normal(n_features) + np.sin(3 * X[:, 0])
    queries = rng.standard_normal((n_queries, n_features)) * 2
    return X, labels, target, queries


def seed_knn_predict(X_train, y_train, X, k, weighted, regression):
    """The seed's KNN, one query at a time: argsort of the distances, Counter or mean."""
    predictions = []
    for x in X:
        distances = np.sqrt(((X_train - x) ** 2).sum(axis=1))
        nearest = np.argsort(distances)[:k]
        labels, weights = y_train[nearest], 1 / (distances[nearest] + 1e-10)
        if regression:
            predictions.append(
                np.sum(labels * weights) / np.sum(weights) if weighted else np.mean(labels)
            )
        elif weighted:
            votes = Counter()
            for label, weight in zip(labels, weights, strict=True):
                votes[label] += weight
            predictions.append(max(votes.items(), key=lambda item: item[1])[0])
        else:
            predictions.append(Counter(labels).most_common(1)[0][0])
    return np.array(predictions)


@pytest.mark.parametrize("n_neighbors", [1, 5, 17])
def test_kneighbors_matches_scikit_learn(n_neighbors):
    X, labels, _, queries = blobs()
    ours = KNeighborsClassifier(n_neighbors=n_neighbors).fit(X, labels)
    theirs = sk_neighbors.KNeighborsClassifier(n_neighbors=n_neighbors).fit(X, labels)
    distances, indices = ours.kneighbors(queries)
    their_distances, their_indices = theirs.kneighbors(queries)
    assert_array_equal(indices, their_indices)
    assert_allclose(distances, their_distances, rtol=1e-12)
    assert (np.diff(distances, axis=1) >= 0).all()
    assert_array_equal(ours.kneighbors(queries, return_distance=False), their_indices)
    assert_array_equal(
        ours.kneighbors(queries, n_neighbors=3, return_distance=False),
        theirs.kneighbors(queries, n_neighbors=3, return_distance=False),
    )


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_classifier_matches_scikit_learn(weights):
    X, labels, _, queries = blobs()
    names = np.array(["cat", "dog", "emu"])[labels]
    ours = KNeighborsClassifier(n_neighbors=7, weights=weights).fit(X, names)
    theirs = sk_neighbors.KNeighborsClassifier(n_neighbors=7, weights=weights).fit(X, names)
    assert_array_equal(ours.classes_, ["cat", "dog", "emu"])
    assert_allclose(ours.predict_proba(queries), theirs.predict_proba(queries), atol=1e-10)
    assert_array_equal(ours.predict(queries), theirs.predict(queries))
    assert ours.score(X, names) == pytest.approx(theirs.score(X, names))


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_regressor_matches_scikit_learn(weights):
    X, _, target, queries = blobs()
    for y in (target, np.column_stack([target, target**2])):
        ours = KNeighborsRegressor(n_neighbors=6, weights=weights).fit(X, y)
        theirs = sk_neighbors.KNeighborsRegressor(n_neighbors=6, weights=weights).fit(X, y)
        assert_allclose(ours.predict(queries), theirs.predict(queries), rtol=1e-12)
        assert ours.predict(queries).shape == theirs.predict(queries).shape


def test_results_do_not_depend_on_batch_size():
    # 1,000 training rows go in blocks of 256 (the last one partial); batch_size 1, 7 and 150
    # split the 150 queries into batches, 5,000 takes them in one.
    X, labels, target, queries = blobs(n=1000)
    reference = KNeighborsClassifier(n_neighbors=9, weights="distance").fit(X, labels)
    distances, indices = reference.kneighbors(queries)
    for batch_size in (1, 7, 150, 5000):
        clf = KNeighborsClassifier(n_neighbors=9, weights="distance", batch_size=batch_size)
        batch_distances, batch_indices = clf.fit(X, labels).kneighbors(queries)
        assert_array_equal(batch_indices, indices)
        assert_array_equal(batch_distances, distances)
        assert_array_equal(clf.predict_proba(queries), reference.predict_proba(queries))
        regressor = KNeighborsRegressor(batch_size=batch_size).fit(X, target)
        assert_array_equal(
            regressor.predict(queries), KNeighborsRegressor().fit(X, target).predict(queries)
        )


def brute_force(queries, X, k):
    """(distances, indices) of the k nearest rows by a stable argsort of Σ (x − q)² per query."""
    squared = ((queries[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    indices = np.argsort(squared, axis=1, kind="stable")[:, :k]
    return np.sqrt(np.take_along_axis(squared, indices, 1)), indices


def test_results_do_not_depend_on_the_number_of_threads():
    # 700 queries: three batches of 256 (the last partial), so two threads split them.
    X, _, _, queries = blobs(n=1000, n_queries=700)
    by_threads = []
    for n_threads in (1, 2):
        with numba_owns_the_cores(n_threads):
            by_threads.append(nearest_neighbors(queries, X, 9))
    distances, indices = by_threads[0]
    assert_array_equal(by_threads[1][0], distances)
    assert_array_equal(by_threads[1][1], indices)
    expected_distances, expected_indices = brute_force(queries, X, 9)
    assert_array_equal(indices, expected_indices)
    assert_allclose(distances, expected_distances, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [None, 3, 256])
def test_ties_across_blocks_and_batches_keep_the_lower_index(batch_size):
    # Nine distinct integer points repeated over 700 rows (three blocks of 256): the squared
    # distances are exact integers, so each query has many exact ties, which must come in
    # increasing training index, whichever block and batch they fall in.
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, (700, 2)).astype(np.float64)
    queries = rng.integers(-1, 4, (600, 2)).astype(np.float64)
    knn = KNeighborsRegressor(n_neighbors=12, batch_size=batch_size).fit(X, np.arange(700.0))
    distances, indices = knn.kneighbors(queries)
    expected_distances, expected_indices = brute_force(queries, X, 12)
    assert_array_equal(indices, expected_indices)
    assert_array_equal(distances, expected_distances)


def test_search_kernel_compiles_once_for_fitted_and_reloaded_data(tmp_path):
    X, labels, _, queries = blobs()
    model = KNeighborsClassifier().fit(X, labels)
    model.predict(queries)
    save_estimator(model, tmp_path / "knn")
    loaded = load_estimator(tmp_path / "knn")
    assert_array_equal(loaded.predict(queries), model.predict(queries))
    assert len(nearest_scores.signatures) == 1


def test_seed_classification_example():
    # The seed: 100 points, class 0 above the line x0 + x1 = 0, KNN(k=3, weighted=True) on the
    # first five training points, whose own label wins with all the weight.
    rng = np.random.default_rng(42)
    X = rng.standard_normal((100, 2))
    y = np.array([0 if x[0] + x[1] > 0 else 1 for x in X])
    clf = KNeighborsClassifier(n_neighbors=3, weights="distance").fit(X, y)
    assert_array_equal(clf.predict(X[:5]), y[:5])
    assert_array_equal(clf.predict_proba(X[:5]), np.eye(2)[y[:5]])
    queries = rng.standard_normal((40, 2))
    for weights, weighted in (("uniform", False), ("distance", True)):
        clf = KNeighborsClassifier(n_neighbors=3, weights=weights).fit(X, y)
        expected = seed_knn_predict(X, y, queries, 3, weighted, regression=False)
        assert_array_equal(clf.predict(queries), expected)
    assert clf.score(queries, (queries.sum(axis=1) <= 0).astype(int)) > 0.9


def test_seed_regression_example():
    # y = 2 x0 + 3 x1 + noise; on training points the exact match takes all the weight,
    # where the seed's 1 / (d + 1e-10) gets within about 1e-9 of it.
    rng = np.random.default_rng(42)
    X = rng.standard_normal((100, 2))
    y = X[:, 0] * 2 + X[:, 1] * 3 + rng.standard_normal(100) * 0.1
    reg = KNeighborsRegressor(n_neighbors=3, weights="distance").fit(X, y)
    assert_array_equal(reg.predict(X[:5]), y[:5])
    queries = rng.standard_normal((40, 2))
    for weights, weighted in (("uniform", False), ("distance", True)):
        reg = KNeighborsRegressor(n_neighbors=3, weights=weights).fit(X, y)
        expected = seed_knn_predict(X, y, queries, 3, weighted, regression=True)
        assert_allclose(reg.predict(queries), expected, rtol=1e-9)
    assert reg.score(queries, queries @ [2.0, 3.0]) > 0.9


def test_exact_matches_share_all_the_weight():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    reg = KNeighborsRegressor(n_neighbors=3, weights="distance").fit(X, [1.0, 3.0, 10.0, 20.0])
    assert_array_equal(reg.predict([[0.0, 0.0]]), [2.0])
    # No exact match: weights 1 / d = 4, 4, 4/3 for targets 1, 3, 10, so (4 + 12 + 40/3) / (28/3).
    assert_allclose(reg.predict([[0.25, 0.0]]), [22 / 7], rtol=1e-14)
    clf = KNeighborsClassifier(n_neighbors=3, weights="distance").fit(X, ["a", "b", "c", "c"])
    assert_array_equal(clf.predict_proba([[0.0, 0.0]]), [[0.5, 0.5, 0.0]])
    assert_array_equal(clf.predict([[0.0, 0.0]]), ["a"])  # a tie goes to the first class


def test_equal_distances_keep_the_lower_training_index_first():
    X = np.array([[2.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    knn = KNeighborsRegressor(n_neighbors=4).fit(X, np.arange(5.0))
    distances, indices = knn.kneighbors([[0.0, 0.0]])
    assert_array_equal(indices, [[1, 2, 3, 4]])
    assert_array_equal(distances, [[1.0, 1.0, 1.0, 1.0]])
    assert_array_equal(knn.predict([[0.0, 0.0]]), [2.5])


def test_fitted_state_is_the_training_data_and_persists(tmp_path):
    X, labels, target, queries = blobs()
    names = np.array(["cat", "dog", "emu"], dtype=object)[labels]
    for model, y in (
        (KNeighborsClassifier(weights="distance"), names),
        (KNeighborsRegressor(n_neighbors=3), target),
    ):
        model.fit(X, y)
        assert_array_equal(model.fit_X_, X)
        assert model.n_samples_fit_ == 400
        save_estimator(model, tmp_path / type(model).__name__)
        loaded = load_estimator(tmp_path / type(model).__name__)
        assert_array_equal(loaded.predict(queries), model.predict(queries))
        assert_array_equal(loaded.kneighbors(queries)[1], model.kneighbors(queries)[1])


XY = blobs(n=20)[:2]


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 1.0, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 1.0, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        ({}, XY[0], np.zeros(20), "needs at least two classes; got 1 class"),
        ({}, XY[0], np.linspace(0, 1, 20), "Unknown label type"),
        ({"n_neighbors": 21}, *XY, r"n_neighbors = 21 is more than .* n_samples = 20"),
        (
            {"n_neighbors": 0},
            *XY,
            r"'n_neighbors' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        ({"weights": "inverse"}, *XY, r"'weights' parameter .* str among .*\. Got 'inverse'"),
        (
            {"batch_size": 0},
            *XY,
            r"'batch_size' parameter .* int in the range \[1, inf\) or None\. Got 0",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        KNeighborsClassifier(**params).fit(X, y)


def test_bad_queries_raise():
    X, labels = XY
    knn = KNeighborsClassifier().fit(X, labels)
    with pytest.raises(ValueError, match=r"n_neighbors = 30 is more than .* n_samples = 20"):
        knn.kneighbors(X, n_neighbors=30)
    with pytest.raises(
        ValueError, match="X has 2 features, but KNeighborsClassifier is expecting 5"
    ):
        knn.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        knn.predict(np.full((2, 5), np.nan))
    with pytest.raises(ValueError, match="more than the training samples"):
        KNeighborsRegressor(n_neighbors=5).fit(X[:3], [1.0, 2.0, 3.0])
