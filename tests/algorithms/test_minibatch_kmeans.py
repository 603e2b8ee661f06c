"""MiniBatchKMeans: the count-weighted update, reassignment, stopping, scikit-learn's scores."""

import csv
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import cluster

from algorithms.cluster.minibatch_kmeans import MiniBatchKMeans

DATA = Path(__file__).resolve().parents[2] / "data"


def standardised_features(name, seed=0, train=0.7):
    """(train rows, test rows, number of classes) of data/<name>.csv without its label column,
    standardised on the training rows."""
    with open(DATA / f"{name}.csv", newline="") as file:
        rows = list(csv.reader(file))[1:]
    X = np.array([row[:-1] for row in rows], dtype=float)
    n_classes = len({row[-1] for row in rows})
    order = np.random.default_rng(seed).permutation(len(X))
    cut = int(train * len(X))
    mean, std = X[order[:cut]].mean(axis=0), X[order[:cut]].std(axis=0)
    std[std == 0] = 1.0
    X = (X - mean) / std
    return X[order[:cut]], X[order[cut:]], n_classes


def two_blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(-5, 1, (n // 2, 2)), rng.normal(5, 1, (n - n // 2, 2))])


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_held_out_inertia_is_scikit_learns_within_two_percent(name):
    """Both draw their own batches, so fits differ; the mean held-out inertia over 5 seeds
    (k = the number of classes, batch_size=64) must be within 2 % of scikit-learn's."""
    X, X_test, k = standardised_features(name)
    ours = [
        MiniBatchKMeans(k, batch_size=64, random_state=s).fit(X).score(X_test) for s in range(5)
    ]
    theirs = [
        cluster.MiniBatchKMeans(k, batch_size=64, random_state=s).fit(X).score(X_test)
        for s in range(5)
    ]
    assert abs(np.mean(ours) / np.mean(theirs) - 1) <= 0.02, (ours, theirs)


def test_each_centre_is_the_mean_of_every_row_it_has_received():
    """Per-centre learning rate 1/count: with no reassignment, after any number of
    partial_fit steps a centre that received rows is their running mean (the init centre
    weighs nothing), and its count is their number."""
    X = two_blobs()
    init = np.array([[-4.0, 0.0], [4.0, 0.0]])
    model = MiniBatchKMeans(2, init=init, reassignment_ratio=0.0)
    received = [[], []]
    for batch in np.array_split(np.random.default_rng(1).permutation(X), 6):
        model.partial_fit(batch)
        for j in range(2):
            received[j].extend(batch[model.labels_ == j])
    for j in range(2):
        assert_allclose(model.cluster_centers_[j], np.mean(received[j], axis=0), rtol=1e-12)
        assert model.counts_[j] == len(received[j])
    assert model.n_steps_ == 6 and model.counts_.sum() == len(X)


def test_one_step_moves_a_centre_by_one_over_its_count():
    model = MiniBatchKMeans(1, init=np.array([[0.0, 0.0]]), reassignment_ratio=0.0)
    model.partial_fit(np.array([[2.0, 2.0], [4.0, 2.0]]))
    assert_allclose(model.cluster_centers_, [[3.0, 2.0]])
    model.partial_fit(np.array([[9.0, 5.0]]))
    # c ← c + (x − c)/count = (3, 2) + ((9, 5) − (3, 2))/3
    assert_allclose(model.cluster_centers_, [[5.0, 3.0]])
    assert_array_equal(model.counts_, [3.0])
    assert model.inertia_ == pytest.approx(16.0 + 4.0)


def test_a_starved_centre_is_reassigned_to_a_batch_row():
    X = two_blobs()
    init = np.array([[-5.0, 0.0], [5.0, 0.0], [1e6, 1e6]])
    kept = MiniBatchKMeans(3, init=init, reassignment_ratio=0.0).partial_fit(X)
    assert_array_equal(kept.cluster_centers_[2], [1e6, 1e6])
    moved = MiniBatchKMeans(3, init=init, random_state=0).partial_fit(X)
    assert (moved.cluster_centers_[2] == X).all(axis=1).any()
    # Its count becomes the smallest of the others, not zero: it is not reassigned at once.
    assert moved.counts_[2] == moved.counts_[:2].min() > 0


def test_fit_stops_on_the_smoothed_inertia_or_on_tol():
    X, _, _ = standardised_features("digits")
    budget = (100 * len(X)) // 64
    patient = MiniBatchKMeans(10, batch_size=64, max_no_improvement=None, random_state=0).fit(X)
    assert patient.n_steps_ == budget and patient.n_iter_ == 100
    hasty = MiniBatchKMeans(10, batch_size=64, max_no_improvement=2, random_state=0).fit(X)
    assert hasty.n_steps_ < budget
    assert hasty.n_iter_ == -(-hasty.n_steps_ * 64 // len(X))
    tolerant = MiniBatchKMeans(10, batch_size=64, tol=1.0, max_no_improvement=None).fit(X)
    assert tolerant.n_steps_ < budget


def test_labels_and_inertia_are_those_of_the_final_centres():
    X, _, _ = standardised_features("wine")
    model = MiniBatchKMeans(3, batch_size=32, random_state=0).fit(X)
    assert_array_equal(model.labels_, model.predict(X))
    assert model.inertia_ == pytest.approx(-model.score(X), rel=1e-12)
    distances = model.transform(X)
    assert distances.shape == (len(X), 3)
    assert_allclose(
        distances.min(axis=1) ** 2, ((X - model.cluster_centers_[model.labels_]) ** 2).sum(1)
    )


def test_random_state_makes_fit_and_partial_fit_repeatable():
    X, _, _ = standardised_features("digits")
    first = MiniBatchKMeans(10, random_state=5).fit(X)
    again = MiniBatchKMeans(10, random_state=5).fit(X)
    assert_array_equal(first.cluster_centers_, again.cluster_centers_)
    assert first.n_steps_ == again.n_steps_
    other = MiniBatchKMeans(10, random_state=6).fit(X)
    assert np.abs(first.cluster_centers_ - other.cluster_centers_).max() > 1e-3
    streams = []
    for _ in range(2):
        model = MiniBatchKMeans(10, random_state=5)
        for batch in np.array_split(X, 5):
            model.partial_fit(batch)
        streams.append(model.cluster_centers_)
    assert_array_equal(streams[0], streams[1])


def test_partial_fit_needs_n_clusters_rows_in_its_first_batch():
    X = two_blobs()
    with pytest.raises(ValueError, match="the first batch given to partial_fit has 2 rows"):
        MiniBatchKMeans(3).partial_fit(X[:2])
    with pytest.raises(ValueError, match="X has 2 rows; seeding n_clusters=3"):
        MiniBatchKMeans(3).fit(X[:2])


def test_partial_fit_refuses_another_number_of_features():
    X = two_blobs()
    model = MiniBatchKMeans(2, random_state=0).partial_fit(X)
    with pytest.raises(ValueError, match="X has 1 features, but MiniBatchKMeans is expecting 2"):
        model.partial_fit(X[:, :1])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(bad):
    X = two_blobs()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        MiniBatchKMeans(2).fit(X)
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        MiniBatchKMeans(2).partial_fit(X)


def test_a_bad_init_array_is_refused():
    with pytest.raises(ValueError, match=r"init array has shape \(2, 3\); it must be"):
        MiniBatchKMeans(2, init=np.zeros((2, 3))).fit(two_blobs())


def test_init_size_below_n_clusters_warns_and_seeds_on_three_times_more():
    with pytest.warns(RuntimeWarning, match="init_size=2 is below n_clusters=4; seeding on 3"):
        MiniBatchKMeans(4, init_size=2, random_state=0).fit(two_blobs())
