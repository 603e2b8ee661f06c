"""KMeans against scikit-learn's (same centres in, same clustering out), the seed, the contract."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import cluster, metrics
from sklearn.datasets import make_blobs

from algorithms.cluster import KMeans, adjusted_rand_score
from algorithms.cluster._lloyd import CHUNK_ROWS, assign_and_accumulate


@pytest.fixture(scope="module")
def blobs():
    """2,000 rows in 5 dimensions from 6 overlapping blobs, far from the origin."""
    X, y = make_blobs(2000, 5, centers=6, cluster_std=2.0, center_box=(90, 110), random_state=0)
    return X, y


def reference(n_clusters, **params):
    return cluster.KMeans(n_clusters, n_init=1, algorithm="lloyd", **params)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_init_gives_scikit_learns_clustering(blobs, seed):
    X, _ = blobs
    init = X[np.random.default_rng(seed).choice(len(X), 6, replace=False)]
    ours = KMeans(6, init=init).fit(X)
    theirs = reference(6, init=init).fit(X)
    assert_array_equal(ours.labels_, theirs.labels_)
    assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.labels_.dtype == np.int32


def test_tol_stops_on_the_centre_shift_like_scikit_learn(blobs):
    X, _ = blobs
    init = X[:6]
    ours = KMeans(6, init=init, tol=1e-2).fit(X)
    theirs = reference(6, init=init, tol=1e-2).fit(X)
    assert 1 < ours.n_iter_ == theirs.n_iter_ < KMeans(6, init=init, tol=0).fit(X).n_iter_
    assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert_array_equal(ours.labels_, theirs.labels_)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_seeded_inits_reach_scikit_learns_inertia(blobs, init):
    X, y = blobs
    ours = [KMeans(6, init=init, n_init=5, random_state=s).fit(X).inertia_ for s in range(3)]
    theirs = [reference(6, init=init, random_state=s).fit(X).inertia_ for s in range(3)]
    assert np.median(ours) <= 1.03 * np.median(theirs)
    model = KMeans(6, init=init, n_init=5, random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) > 0.9


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("seed", [0, 1])
def test_same_random_state_draws_scikit_learns_seeding(blobs, init, seed):
    X, _ = blobs
    X = np.vstack([X, np.random.default_rng(seed).standard_normal((3000, 5)) * 20 + 100])
    ours = KMeans(8, init=init, random_state=seed).fit(X)
    theirs = reference(8, init=init, random_state=seed).fit(X)
    assert_array_equal(ours.labels_, theirs.labels_)
    assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert ours.n_iter_ == theirs.n_iter_


def test_kmeans_plusplus_finds_well_separated_blobs():
    X, y = make_blobs(600, 3, centers=5, cluster_std=0.3, random_state=3)
    model = KMeans(5, random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) == 1.0
    assert model.n_iter_ <= 3


def test_the_seeds_300_points_in_two_dimensions():
    rng = np.random.default_rng(42)
    X = rng.standard_normal((300, 2)) * 2
    model = KMeans(3, random_state=0).fit(X)
    theirs = cluster.KMeans(3, n_init=10, random_state=0).fit(X)
    assert model.inertia_ == pytest.approx(theirs.inertia_, rel=0.03)
    assert_array_equal(np.bincount(model.labels_), np.bincount(model.predict(X)))
    assert -model.score(X) == pytest.approx(model.inertia_)


def test_fitted_state_is_consistent(blobs):
    X, _ = blobs
    model = KMeans(6, tol=0.0, random_state=0).fit(X)  # tol=0: stops when no label changes
    distances = model.transform(X)
    assert distances.shape == (len(X), 6)
    assert_array_equal(model.predict(X), model.labels_)
    assert_array_equal(distances.argmin(axis=1), model.labels_)
    assert model.inertia_ == pytest.approx((distances.min(axis=1) ** 2).sum(), rel=1e-9)
    for j in range(6):
        assert_allclose(model.cluster_centers_[j], X[model.labels_ == j].mean(axis=0))
    assert_array_equal(KMeans(6, tol=0.0, random_state=0).fit_predict(X), model.labels_)
    assert model.score(X[:10]) == pytest.approx(-(distances[:10].min(axis=1) ** 2).sum())
    exact = np.linalg.norm(X[:5, np.newaxis] - model.cluster_centers_, axis=2)
    assert_allclose(distances[:5], exact, rtol=1e-6)
    saved = {name: value for name, value in vars(model).items() if name.endswith("_")}
    assert all(isinstance(v, np.ndarray | int | float) for v in saved.values())


def test_empty_cluster_moves_to_the_farthest_point():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    init = np.array([[1.0], [100.0]])
    ours = KMeans(2, init=init).fit(X)
    theirs = reference(2, init=init).fit(X)
    assert_allclose(ours.cluster_centers_, theirs.cluster_centers_)
    assert_allclose(ours.cluster_centers_, [[1.0], [10.0]])
    assert_array_equal(ours.labels_, [0, 0, 0, 1])


def test_kernel_assigns_sums_and_counts_changes():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.0, 4.0]])
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 9.0]])
    labels = np.array([0, 0, 0, 1], dtype=np.int32)
    distances = np.empty(4)
    sums, counts, changed, inertia = assign_and_accumulate(X, centers, labels, distances)
    assert_array_equal(labels, [0, 0, 1, 1])
    assert_allclose(distances, [0.0, 0.01, 0.0, 1.0])
    assert_allclose(sums, [[0.1, 0.0], [10.0, 9.0], [0.0, 0.0]])
    assert_array_equal(counts, [2, 2, 0])
    assert changed == 1
    assert inertia == pytest.approx(1.01)


def test_kernel_over_many_chunks_matches_the_dense_computation():
    """Rows in many chunks and groups, the last chunk partial: same as one dense argmin."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70 * CHUNK_ROWS + 37, 7))
    centers = rng.standard_normal((5, 7))
    labels = np.zeros(len(X), dtype=np.int32)
    distances = np.empty(len(X))
    sums, counts, changed, inertia = assign_and_accumulate(X, centers, labels, distances)
    exact = ((X[:, np.newaxis] - centers) ** 2).sum(axis=2)
    assert_array_equal(labels, exact.argmin(axis=1))
    assert_allclose(distances, exact.min(axis=1), rtol=1e-12)
    assert_array_equal(counts, np.bincount(labels, minlength=5))
    for j in range(5):
        assert_allclose(sums[j], X[labels == j].sum(axis=0), rtol=1e-10)
    assert changed == np.count_nonzero(labels)
    assert inertia == pytest.approx(exact.min(axis=1).sum(), rel=1e-12)


def test_same_seed_same_model(blobs):
    X, _ = blobs
    first = KMeans(6, n_init=3, random_state=7).fit(X)
    second = KMeans(6, n_init=3, random_state=7).fit(X)
    assert_array_equal(first.cluster_centers_, second.cluster_centers_)


@pytest.mark.parametrize(
    ("X", "params", "message"),
    [
        (np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), {}, "NaN"),
        (np.array([[0.0, np.inf], [1.0, 1.0], [2.0, 2.0]]), {}, "infinity"),
        (np.zeros((0, 2)), {}, "0 sample"),
        (np.zeros(5), {}, "Expected 2D array"),
        (np.zeros((2, 2)), {}, "n_samples=2 should be >= n_clusters=3"),
        (np.zeros((5, 2)), {"init": "kmeans"}, r"'init' parameter .* str among .*\. Got 'kmeans'"),
        (np.zeros((5, 2)), {"init": np.zeros((2, 2))}, r"must be \(n_clusters, n_features\)"),
        (np.zeros((5, 2)), {"n_init": 0}, r"'n_init' parameter .* str among .*\. Got 0"),
        (
            np.zeros((5, 2)),
            {"tol": -1.0},
            r"'tol' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
    ],
)
def test_bad_input_is_refused(X, params, message):
    with pytest.raises(ValueError, match=message):
        KMeans(3, **params).fit(X)


def test_predict_checks_the_number_of_features(blobs):
    model = KMeans(3, random_state=0).fit(blobs[0])
    with pytest.raises(ValueError, match="X has 2 features, but KMeans is expecting 5"):
        model.predict(blobs[0][:, :2])


@pytest.mark.parametrize(
    ("labels_true", "labels_pred"),
    [
        ([0, 0, 1, 1], [1, 1, 0, 0]),
        ([0, 0, 1, 2], [0, 0, 1, 1]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),
        ([0, 0, 0, 0], [0, 1, 2, 3]),
        ([0, 1, 2, 3], [0, 1, 2, 3]),
        (["a", "b", "b", "c", "c", "c"], [3, 3, 1, 1, 2, 2]),
    ],
)
def test_adjusted_rand_score_matches_scikit_learn(labels_true, labels_pred):
    expected = metrics.adjusted_rand_score(labels_true, labels_pred)
    assert adjusted_rand_score(labels_true, labels_pred) == pytest.approx(expected, abs=1e-15)


def test_adjusted_rand_score_on_random_labelings():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 7, 5000), rng.integers(0, 4, 5000)
    b[:2500] = a[:2500] % 4
    expected = metrics.adjusted_rand_score(a, b)
    assert adjusted_rand_score(a, b) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="differ in length"):
        adjusted_rand_score(a, b[:10])
