"""The parts of gradient boosting: binning, histograms, splits, growth, prediction, losses."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss, HalfSquaredError

from algorithms.ensemble._binning import bin_features, fit_bin_thresholds, threshold_values
from algorithms.ensemble._grower import grow_tree, node_histograms_and_splits
from algorithms.ensemble._histogram import (
    bin_counts,
    every_sample_histogram,
    feature_histogram,
    subtract_histogram,
)
from algorithms.ensemble._loss import log_loss, squared_error
from algorithms.ensemble._predictor import add_tree_predictions, concatenate_trees
from algorithms.ensemble._splitting import (
    MIN_HESSIAN,
    best_bin_split,
    best_feature,
    node_value,
    split_partition,
    split_partition_parallel,
)


def binned_data(n=500, n_features=4, seed=0, max_bins=32):
    """(X, X_binned, thresholds, offsets, gradients, hessians) on random data."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    thresholds, offsets = fit_bin_thresholds(X, max_bins, rng)
    return (
        X,
        bin_features(X, thresholds, offsets),
        thresholds,
        offsets,
        rng.normal(size=n),
        rng.random(n),
    )


def test_bins_put_each_value_between_its_thresholds():
    X, X_binned, thresholds, offsets, _, _ = binned_data()
    assert X_binned.dtype == np.uint8 and X_binned.flags.f_contiguous
    for j in range(X.shape[1]):
        edges = np.concatenate(([-np.inf], thresholds[offsets[j] : offsets[j + 1]], [np.inf]))
        bins = X_binned[:, j].astype(int)
        assert np.all(edges[bins] < X[:, j]) and np.all(X[:, j] <= edges[bins + 1])
        assert np.bincount(bins).min() >= 500 // 32 - 1  # quantile bins: about equal counts


def test_a_bin_is_the_number_of_thresholds_below_the_value():
    rng = np.random.default_rng(3)
    X = np.column_stack(
        [rng.normal(size=2_000), np.full(2_000, 7.0), rng.integers(0, 5, 2_000).astype(float)]
    )
    thresholds, offsets = fit_bin_thresholds(X, 255, rng)
    assert list(np.diff(offsets)) == [254, 0, 4]
    probes = np.concatenate([thresholds[:254], [-np.inf, np.inf, 0.0]])  # ties and the ends
    X[: len(probes), 0] = probes
    X[: len(probes), 2] = np.resize(np.concatenate([thresholds[254:], [-np.inf, np.inf]]), 257)
    X_binned = bin_features(X, thresholds, offsets)
    for j in range(X.shape[1]):
        own = thresholds[offsets[j] : offsets[j + 1]]
        assert_array_equal(X_binned[:, j], np.searchsorted(own, X[:, j], side="left"))


def test_threshold_values_split_raw_values_like_bins():
    X, X_binned, thresholds, offsets, _, _ = binned_data()
    feature = np.array([2, -1, 0, 3])
    bins = np.array([5, 0, 30, 0])
    values = threshold_values(feature, bins, thresholds, offsets)
    assert values[1] == 0.0
    for node in (0, 2, 3):
        j = feature[node]
        assert_array_equal(X[:, j] <= values[node], X_binned[:, j] <= bins[node])


def histograms(X_binned, rows, gradients, hessians, constant_hessian, n_bins=32):
    """hist (n_features, n_bins, 3) of the samples rows, one feature_histogram per feature."""
    hist = np.empty((X_binned.shape[1], n_bins, 3))
    ordered_hessians = np.empty(0) if constant_hessian else hessians[rows]
    for j in range(X_binned.shape[1]):
        feature_histogram(
            X_binned[:, j],
            rows.astype(np.int32),
            gradients[rows],
            ordered_hessians,
            constant_hessian,
            hist[j],
        )
    return hist


@pytest.mark.parametrize("constant_hessian", [False, True])
def test_histogram_sums_gradients_hessians_and_counts_per_bin(constant_hessian):
    _, X_binned, _, _, gradients, hessians = binned_data()
    rows = np.random.default_rng(1).choice(500, 200, replace=False)
    hist = histograms(X_binned, rows, gradients, hessians, constant_hessian)
    assert hist.shape == (4, 32, 3)
    for j in range(4):
        bins = X_binned[rows, j]
        assert_allclose(hist[j, :, 0], np.bincount(bins, gradients[rows], minlength=32))
        counts = np.bincount(bins, minlength=32)
        assert_array_equal(hist[j, :, 2], counts)
        sums = counts if constant_hessian else np.bincount(bins, hessians[rows], minlength=32)
        assert_allclose(hist[j, :, 1], sums)


@pytest.mark.parametrize("constant_hessian", [False, True])
def test_the_roots_histogram_takes_its_counts_and_sums_every_sample(constant_hessian):
    _, X_binned, _, _, gradients, hessians = binned_data()
    counts = bin_counts(X_binned.T, 32)
    assert_array_equal(counts[2], np.bincount(X_binned[:, 2], minlength=32))
    expected = histograms(X_binned, np.arange(500), gradients, hessians, constant_hessian)
    out = np.full((32, 3), np.nan)  # every entry written, none added to
    for j in range(4):
        every_sample_histogram(
            X_binned[:, j], gradients, hessians, constant_hessian, counts[j], out
        )
        assert_allclose(out, expected[j], atol=1e-12)


def test_subtracting_a_child_leaves_its_siblings_histogram():
    _, X_binned, _, _, gradients, hessians = binned_data()
    rows = np.arange(500)
    left = rows[X_binned[:, 1] <= 12]
    parent, child, sibling = (
        histograms(X_binned, part, gradients, hessians, False)
        for part in (rows, left, np.setdiff1d(rows, left))
    )
    for j in range(4):
        subtract_histogram(parent[j], child[j])
    assert_allclose(parent, sibling, atol=1e-12)


def brute_force_split(X_binned, gradients, hessians, min_samples_leaf, l2):
    """The best (gain, feature, bin) over every threshold, straight from the samples."""
    G, H = gradients.sum(), hessians.sum()
    best = (0.0, -1, -1)
    for j in range(X_binned.shape[1]):
        for b in range(int(X_binned[:, j].max())):
            left = X_binned[:, j] <= b
            if min(left.sum(), (~left).sum()) < min_samples_leaf:
                continue
            g_left, h_left = gradients[left].sum(), hessians[left].sum()
            if min(h_left, H - h_left) < MIN_HESSIAN:
                continue
            gain = (
                g_left**2 / (h_left + l2) + (G - g_left) ** 2 / (H - h_left + l2) - G**2 / (H + l2)
            )
            if gain > best[0] + 1e-12:
                best = (gain, j, b)
    return best


def best_split(hist, n_bins, n_samples, sum_gradients, sum_hessians, min_samples_leaf, l2):
    """(gain, feature, bin, G_L, H_L) of the best split over the features of hist."""
    per_feature = np.array(
        [
            best_bin_split(
                hist[j],
                n_bins[j],
                n_samples,
                sum_gradients,
                sum_hessians,
                min_samples_leaf,
                l2,
                np.empty((4, hist.shape[1])),
            )
            for j in range(hist.shape[0])
        ]
    )
    j = best_feature(np.ascontiguousarray(per_feature[:, 0]))
    if j < 0:
        return 0.0, -1, -1, 0.0, 0.0
    gain, b, g_left, h_left = per_feature[j]
    return gain, j, int(b), g_left, h_left


@pytest.mark.parametrize(
    ("min_samples_leaf", "l2", "hessian_scale"),
    [(1, 0.0, 1.0), (40, 0.0, 1.0), (20, 5.0, 1.0), (1, 0.0, 1e-5)],  # 1e-5: MIN_HESSIAN binds
)
def test_best_split_is_the_brute_force_best(min_samples_leaf, l2, hessian_scale):
    _, X_binned, _, offsets, gradients, hessians = binned_data(seed=2)
    hessians = hessians * hessian_scale
    hist = histograms(X_binned, np.arange(500), gradients, hessians, False)
    gain, j, b, g_left, h_left = best_split(
        hist, np.diff(offsets) + 1, 500, gradients.sum(), hessians.sum(), min_samples_leaf, l2
    )
    expected_gain, expected_j, expected_b = brute_force_split(
        X_binned, gradients, hessians, min_samples_leaf, l2
    )
    assert (j, b) == (expected_j, expected_b)
    assert gain == pytest.approx(expected_gain)
    left = X_binned[:, j] <= b
    assert_allclose([g_left, h_left], [gradients[left].sum(), hessians[left].sum()])
    assert node_value(g_left, h_left, l2) == pytest.approx(-g_left / (h_left + l2))


def test_no_split_when_every_gradient_is_equal_or_leaves_would_be_too_small():
    _, X_binned, _, offsets, _, _ = binned_data()
    flat = np.full(500, 0.3)
    hist = histograms(X_binned, np.arange(500), flat, flat, True)
    n_bins = np.diff(offsets) + 1
    assert best_split(hist, n_bins, 500, 150.0, 500.0, 1, 0.0)[0] <= 1e-9
    _, _, _, _, gradients, hessians = binned_data()
    hist = histograms(X_binned, np.arange(500), gradients, hessians, False)
    assert best_split(hist, n_bins, 500, gradients.sum(), hessians.sum(), 251, 0.0)[1] == -1
    assert best_feature(np.zeros(4)) == -1


def test_one_parallel_loop_builds_derives_and_searches_both_children():
    _, X_binned, _, offsets, gradients, hessians = binned_data(seed=8)
    n_bins = np.diff(offsets) + 1
    rows = np.arange(500)
    small = rows[X_binned[:, 0] <= 8]
    large = np.setdiff1d(rows, small)
    parent = histograms(X_binned, rows, gradients, hessians, False)
    gains, bins, g_left, h_left = (
        np.zeros((2, 4)),
        np.zeros((2, 4), dtype=np.int64),
        *(np.zeros((2, 4)) for _ in range(2)),
    )
    built = np.empty_like(parent)
    sizes = np.array([len(small), len(large)])
    node_histograms_and_splits(
        X_binned.T,
        small.astype(np.int32),
        gradients[small],
        hessians[small],
        False,
        bin_counts(X_binned.T, 32),
        built,
        parent,
        True,
        n_bins,
        sizes,
        np.array([gradients[small].sum(), gradients[large].sum()]),
        np.array([hessians[small].sum(), hessians[large].sum()]),
        np.array([True, True]),
        10,
        1.0,
        gains,
        bins,
        g_left,
        h_left,
        np.empty((4, 4, parent.shape[1])),
    )
    for c, part, hist in ((0, small, built), (1, large, parent)):
        assert_allclose(hist, histograms(X_binned, part, gradients, hessians, False), atol=1e-12)
        for j in range(4):
            sums = gradients[part].sum(), hessians[part].sum()
            scratch = np.empty((4, hist.shape[1]))
            expected = best_bin_split(hist[j], n_bins[j], len(part), *sums, 10, 1.0, scratch)
            assert_allclose([gains[c, j], bins[c, j], g_left[c, j], h_left[c, j]], expected)


def two_buffers(n, constant_hessian, seed):
    """Buffers (rows, gradients, hessians) of shape (2, n) with shuffled samples in side 0."""
    rng = np.random.default_rng(seed)
    rows = np.zeros((2, n), dtype=np.int32)
    rows[0] = rng.permutation(n)
    gradients = np.zeros((2, n))
    gradients[0] = rng.normal(size=n)
    hessians = np.zeros((2, 0 if constant_hessian else n))
    hessians[0] = rng.random(hessians.shape[1])
    return rows, gradients, hessians


@pytest.mark.parametrize("partition", [split_partition, split_partition_parallel])
@pytest.mark.parametrize("constant_hessian", [False, True])
def test_partition_is_stable_and_cut_at_the_threshold(partition, constant_hessian):
    _, X_binned, _, _, _, _ = binned_data()
    buffers = two_buffers(500, constant_hessian, seed=3)
    before = tuple(buffer.copy() for buffer in buffers)
    cut = partition(X_binned[:, 2], 15, *buffers, 0, 100, 400)
    goes_left = X_binned[before[0][0, 100:400], 2] <= 15
    assert cut == 100 + goes_left.sum()
    for buffer, original in zip(buffers, before, strict=True):
        assert_array_equal(buffer[0], original[0])  # the samples are moved to the other side
        if buffer.shape[1] == 0:
            continue
        middle = original[0, 100:400]
        assert_array_equal(buffer[1, 100:cut], middle[goes_left])
        assert_array_equal(buffer[1, cut:400], middle[~goes_left])
        assert_array_equal(buffer[1, :100], original[1, :100])
        assert_array_equal(buffer[1, 400:], original[1, 400:])


def grow(X_binned, offsets, gradients, hessians, pool=None, **limits):
    params = {"max_leaf_nodes": 31, "max_depth": 1 << 40, "min_samples_leaf": 20, "l2": 0.0}
    params.update(limits)
    raw = np.zeros(len(gradients))
    if pool is None:
        pool = np.empty((0, X_binned.shape[1], 32, 3))
    *tree, pool = grow_tree(
        X_binned.T,
        gradients,
        hessians,
        False,
        bin_counts(X_binned.T, 32),
        np.diff(offsets) + 1,
        params["max_leaf_nodes"],
        params["max_depth"],
        params["min_samples_leaf"],
        params["l2"],
        0.1,
        raw,
        pool,
    )
    return tuple(tree), raw


def leaves_of(tree, X_binned):
    feature, bins, left, right, _ = tree
    nodes = np.zeros(len(X_binned), dtype=np.int64)
    while (left[nodes] != -1).any():
        inner = left[nodes] != -1
        goes_left = X_binned[np.arange(len(nodes)), np.maximum(feature[nodes], 0)] <= bins[nodes]
        nodes = np.where(inner, np.where(goes_left, left[nodes], right[nodes]), nodes)
    return nodes


@pytest.mark.parametrize("l2", [0.0, 3.0])
def test_grown_leaves_hold_the_shrunk_newton_step_of_their_rows(l2):
    _, X_binned, _, offsets, gradients, hessians = binned_data(n=2000, seed=4)
    tree, raw = grow(X_binned, offsets, gradients, hessians, max_leaf_nodes=8, l2=l2)
    feature, _, left, right, value = tree
    assert len(feature) == 15 and (left == -1).sum() == 8
    assert np.all((left == -1) == (right == -1)) and np.all((feature == -1) == (left == -1))
    leaves = leaves_of(tree, X_binned)
    assert_array_equal(raw, value[leaves])
    for leaf in np.unique(leaves):
        rows = leaves == leaf
        newton = -gradients[rows].sum() / (hessians[rows].sum() + l2)
        assert value[leaf] == pytest.approx(0.1 * newton)
        assert rows.sum() >= 20


def test_grower_stops_at_max_depth_and_on_small_nodes():
    _, X_binned, _, offsets, gradients, hessians = binned_data(n=2000, seed=5)
    tree, _ = grow(X_binned, offsets, gradients, hessians, max_depth=2)
    assert len(tree[0]) == 7  # a full tree of depth 2
    tree, raw = grow(X_binned, offsets, gradients, hessians, min_samples_leaf=1001)
    assert len(tree[0]) == 1
    assert_allclose(raw, -0.1 * gradients.sum() / hessians.sum())


def test_a_reused_histogram_pool_grows_the_same_tree():
    _, X_binned, _, offsets, gradients, hessians = binned_data(n=2000, seed=9)
    pool = np.empty((0, 4, 32, 3))
    *first, pool = grow_tree(
        X_binned.T,
        gradients,
        hessians,
        False,
        bin_counts(X_binned.T, 32),
        np.diff(offsets) + 1,
        31,
        1 << 40,
        20,
        0.0,
        0.1,
        np.zeros(2000),
        pool,
    )
    assert 2 <= len(pool) <= 2 * 31
    flipped = -gradients  # another tree, its histograms written over the pool's old ones
    tree, raw = grow(X_binned, offsets, flipped, hessians, pool=pool)
    fresh_tree, fresh_raw = grow(X_binned, offsets, flipped, hessians)
    for reused, fresh in zip(tree, fresh_tree, strict=True):
        assert_array_equal(reused, fresh)
    assert_array_equal(raw, fresh_raw)


def test_concatenated_trees_predict_each_tree_into_its_output_row():
    X, X_binned, thresholds, offsets, gradients, hessians = binned_data(n=1000, seed=6)
    trees, raws = [], []
    for k in range(4):
        (feature, bins, left, right, value), raw = grow(
            X_binned, offsets, np.roll(gradients, 100 * k), hessians, max_leaf_nodes=5
        )
        trees.append(
            (feature, threshold_values(feature, bins, thresholds, offsets), left, right, value)
        )
        raws.append(raw)
    *nodes, tree_offsets = concatenate_trees(trees)
    assert_array_equal(tree_offsets, [0, 9, 18, 27, 36])
    raw = np.zeros((2, 1000))
    add_tree_predictions(X, *nodes, tree_offsets[:-1], raw)
    assert_allclose(raw, [raws[0] + raws[2], raws[1] + raws[3]])


def test_predictions_are_each_rows_leaf_and_a_damaged_tree_is_named():
    X, X_binned, thresholds, offsets, gradients, hessians = binned_data(n=1000, seed=7)
    (feature, bins, left, right, value), _ = grow(X_binned, offsets, gradients, hessians)
    threshold = threshold_values(feature, bins, thresholds, offsets)
    rows = X[:37]  # two blocks and a part
    raw = np.zeros((1, len(rows)))
    add_tree_predictions(rows, feature, threshold, left, right, value, np.array([0]), raw)
    for i, x in enumerate(rows):
        node = 0
        while left[node] != -1:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        assert raw[0, i] == value[node]
    left[np.flatnonzero(left > 0)[-1]] = 0  # a child before its parent
    with pytest.raises(ValueError, match="damaged model"):
        add_tree_predictions(rows, feature, threshold, left, right, value, np.array([0]), raw)


def reference_gradients(loss, y, raw):
    """scikit-learn's gradients, hessians and mean loss at raw (K, n)."""
    scores = raw[0] if raw.shape[0] == 1 else np.ascontiguousarray(raw.T)
    gradient, hessian = loss.gradient_hessian(y, scores)
    return gradient.T.reshape(raw.shape), hessian.T.reshape(raw.shape), loss(y, scores)


@pytest.mark.parametrize("n_classes", [0, 2, 4])
def test_loss_kernels_match_scikit_learns_losses(n_classes):
    rng = np.random.default_rng(7)
    if n_classes == 0:
        y = rng.normal(size=300)
        loss, reference = squared_error(y), HalfSquaredError()
    else:
        y = rng.integers(0, n_classes, 300).astype(float)
        loss = log_loss(y, n_classes)
        reference = (
            HalfBinomialLoss() if n_classes == 2 else HalfMultinomialLoss(n_classes=n_classes)
        )
    n_outputs = n_classes if n_classes > 2 else 1
    assert_allclose(loss.baseline, reference.fit_intercept_only(y).reshape(-1))
    raw = rng.normal(scale=3.0, size=(n_outputs, 300))
    raw[:, 0], raw[:, 1] = 700.0, -700.0  # scores far beyond exp's range stay finite
    gradients, hessians = np.empty_like(raw), np.empty_like(raw)
    mean_loss = loss.gradients(y, raw, gradients, hessians)
    expected_gradients, expected_hessians, expected_loss = reference_gradients(reference, y, raw)
    assert_allclose(gradients, expected_gradients, atol=1e-12)
    assert_allclose(hessians, expected_hessians, atol=1e-12)
    assert mean_loss == pytest.approx(expected_loss, rel=1e-12)
    assert loss.constant_hessian == (n_classes == 0)
