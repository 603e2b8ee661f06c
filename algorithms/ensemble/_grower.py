"""Grower: one regression tree on per-sample gradients and hessians, best first, as flat arrays.

The root holds every sample. Growth is best first (LightGBM, scikit-learn's TreeGrower): among
the leaves that have a split of positive gain, split the one with the largest gain; build the
histogram of its smaller child from the samples, get the larger one by subtraction, and find
the children's best splits. A child stays a leaf when it is at max_depth, has fewer than
2·min_samples_leaf samples or has no split of positive gain; growth stops once max_leaf_nodes
leaves exist or no leaf can be split. A leaf's value is learning_rate · −G/(H + λ).

The tree is returned as arrays over its nodes (node 0 is the root; children come after their
parent): feature and bin_threshold (a row goes left when its bin of that feature is ≤
bin_threshold; −1 and 0 at leaves), left and right child indices (−1 at leaves) and value (the
learning rate applied, also at inner nodes). The grower also adds each training row's leaf
value to raw_predictions, so boosting never re-predicts its training rows.

Each split costs one parallel loop over the features (`node_histograms_and_splits`: the
smaller child's histogram, the larger's by subtraction in place of the parent's, and both
children's best splits) and, for large nodes, a parallel partition of the node's samples; all
the bookkeeping between those loops runs compiled, so small nodes cost little. Histograms live
in a pool of slots (histograms[slot] has shape (n_features, n_bins, 3)) that the caller passes
from tree to tree; the grower adds slots when it needs more and returns the pool.
"""

import numpy as np
from numba import njit, prange

from algorithms.ensemble._histogram import (
    every_sample_histogram,
    feature_histogram,
    subtract_histogram,
)
from algorithms.ensemble._splitting import (
    MIN_HESSIAN,
    PARALLEL_CHUNKS,
    best_bin_split,
    best_feature,
    chunk_bounds,
    node_value,
    split_partition,
    split_partition_parallel,
)

PARALLEL_PARTITION_ROWS = 16_384


@njit(parallel=True, cache=True)
def node_histograms_and_splits(
    binned_T,
    rows,
    ordered_gradients,
    ordered_hessians,
    constant_hessian,
    counts,
    built,
    derived,
    derive,
    n_bins_non_missing,
    n_samples,
    sum_gradients,
    sum_hessians,
    searched,
    min_samples_leaf,
    l2_regularization,
    gains,
    bins,
    gradients_left,
    hessians_left,
    split_scratch,
):
    """For every feature j, in parallel: built[j] := the histogram of the samples rows (at the
    root, every sample, its counts taken from counts[j], see `bin_counts`); when
    derive, derived[j] −= built[j] (a parent's histogram becomes the sibling's); and for each
    c of (built, derived) with searched[c], the best split of feature j of that node (its
    n_samples[c], sum_gradients[c], sum_hessians[c]) into gains, bins, gradients_left and
    hessians_left[c, j]; split_scratch[j] is the search's work space (`best_bin_split`)."""
    for j in prange(binned_T.shape[0]):
        if rows.shape[0] == binned_T.shape[1]:  # the root, its samples in order
            every_sample_histogram(
                binned_T[j],
                ordered_gradients,
                ordered_hessians,
                constant_hessian,
                counts[j],
                built[j],
            )
        else:
            feature_histogram(
                binned_T[j], rows, ordered_gradients, ordered_hessians, constant_hessian, built[j]
            )
        if derive:
            subtract_histogram(derived[j], built[j])
        for c in range(2):
            if searched[c]:
                gain, b, g_left, h_left = best_bin_split(
                    built[j] if c == 0 else derived[j],
                    n_bins_non_missing[j],
                    n_samples[c],
                    sum_gradients[c],
                    sum_hessians[c],
                    min_samples_leaf,
                    l2_regularization,
                    split_scratch[j],
                )
                gains[c, j], bins[c, j] = gain, b
                gradients_left[c, j], hessians_left[c, j] = g_left, h_left


@njit(parallel=True, cache=True)
def add_leaf_values(raw_predictions, rows, leaf_sides, leaf_stops, leaf_values):
    """raw_predictions[rows[leaf_sides[k], i]] += leaf_values[k] for the positions i of leaf
    k, in parallel; the leaves tile the positions in order and leaf k ends at leaf_stops[k]."""
    bounds = chunk_bounds(0, rows.shape[1])
    for c in prange(PARALLEL_CHUNKS):
        add_chunk_leaf_values(
            raw_predictions, rows, leaf_sides, leaf_stops, leaf_values, bounds[c], bounds[c + 1]
        )


@njit(cache=True)
def add_chunk_leaf_values(raw_predictions, rows, leaf_sides, leaf_stops, leaf_values, lo, hi):
    """`add_leaf_values` at the positions lo:hi."""
    k = np.searchsorted(leaf_stops, lo, side="right")
    for i in range(lo, hi):
        while i >= leaf_stops[k]:
            k += 1
        raw_predictions[rows[leaf_sides[k], i]] += leaf_values[k]


@njit(cache=True)
def take_slot(histograms, free_slots, n_free):
    """(slot, histograms, n_free): a free slot of the pool, which doubles when none is free."""
    if n_free == 0:
        n_slots = histograms.shape[0]
        _, n_features, n_bins, n_sums = histograms.shape
        grown = np.empty((max(1, 2 * n_slots), n_features, n_bins, n_sums))
        grown[:n_slots] = histograms
        for s in range(grown.shape[0] - 1, n_slots - 1, -1):
            free_slots[n_free] = s
            n_free += 1
        histograms = grown
    n_free -= 1
    return free_slots[n_free], histograms, n_free


@njit(cache=True)
def grow_tree(
    binned_T,
    gradients,
    hessians,
    constant_hessian,
    counts,
    n_bins_non_missing,
    max_leaf_nodes,
    max_depth,
    min_samples_leaf,
    l2_regularization,
    learning_rate,
    raw_predictions,
    histograms,
):
    """(feature, bin_threshold, left, right, value, histograms) of a new tree and the pool;
    adds the tree to raw_predictions. binned_T is the binned data transposed, (n_features,
    n_samples) in C order, so that one feature is one typing (`algorithms._kernel_args`);
    counts is its `bin_counts`, shared by every tree."""
    n_features, n_samples = binned_T.shape
    capacity = 2 * max(1, min(max_leaf_nodes, n_samples // min_samples_leaf)) - 1
    feature = np.full(capacity, -1, dtype=np.int64)
    bin_threshold = np.zeros(capacity, dtype=np.int64)
    left = np.full(capacity, -1, dtype=np.int64)
    right = np.full(capacity, -1, dtype=np.int64)
    value = np.zeros(capacity)
    start = np.zeros(capacity, dtype=np.int64)
    stop = np.zeros(capacity, dtype=np.int64)
    depth = np.zeros(capacity, dtype=np.int64)
    sum_gradients = np.zeros(capacity)
    sum_hessians = np.zeros(capacity)
    slot = np.full(capacity, -1, dtype=np.int64)
    free_slots = np.empty(histograms.shape[0] + 2 * capacity + 1, dtype=np.int64)
    n_free = np.int64(0)  # not a literal 0: take_slot compiles once
    for s in range(histograms.shape[0] - 1, -1, -1):
        free_slots[n_free] = s
        n_free += 1
    # The best split of each candidate leaf; candidates lists the leaves that have one.
    split_gain = np.zeros(capacity)
    split_feature = np.zeros(capacity, dtype=np.int64)
    split_bin = np.zeros(capacity, dtype=np.int64)
    split_gradients = np.zeros(capacity)
    split_hessians = np.zeros(capacity)
    candidates = np.empty(capacity, dtype=np.int64)
    n_candidates = 0
    # Per feature, the best split of the nodes pair[0] (histogram built from its samples) and
    # pair[1] (histogram derived by subtraction) of the last parallel loop; c = k ^ swap lists
    # them in node order.
    gains = np.zeros((2, n_features))
    bins = np.zeros((2, n_features), dtype=np.int64)
    gradients_left = np.zeros((2, n_features))
    hessians_left = np.zeros((2, n_features))
    searched = np.zeros(2, dtype=np.bool_)
    split_scratch = np.empty((n_features, 4, histograms.shape[2]))
    pair = np.zeros(2, dtype=np.int64)
    swap = 0

    # The two buffers of sample indices and ordered gradients and hessians (see _splitting);
    # the samples of node are at positions start[node]:stop[node] of buffer side[node].
    side = np.zeros(capacity, dtype=np.int64)
    rows = np.empty((2, n_samples), dtype=np.int32)
    rows[0] = np.arange(n_samples)
    ordered_gradients = np.empty((2, n_samples))
    ordered_gradients[0] = gradients
    ordered_hessians = np.empty((2, 0 if constant_hessian else n_samples))
    ordered_hessians[0, : ordered_hessians.shape[1]] = hessians[: ordered_hessians.shape[1]]

    stop[0] = n_samples
    sum_gradients[0] = gradients.sum()
    sum_hessians[0] = n_samples if constant_hessian else hessians.sum()
    value[0] = node_value(sum_gradients[0], sum_hessians[0], l2_regularization)
    n_nodes = 1
    n_leaves = 1
    n_searched = 0
    if n_samples >= 2 * min_samples_leaf and sum_hessians[0] >= MIN_HESSIAN:
        slot[0], histograms, n_free = take_slot(histograms, free_slots, n_free)
        pair[0], pair[1] = 0, 0
        searched[0], searched[1] = True, False
        node_histograms_and_splits(
            binned_T,
            rows[0],
            gradients,
            hessians,
            constant_hessian,
            counts,
            histograms[slot[0]],
            histograms[slot[0]],
            np.bool_(False),  # not a literal: one compile for both calls
            n_bins_non_missing,
            stop[pair] - start[pair],
            sum_gradients[pair],
            sum_hessians[pair],
            searched,
            min_samples_leaf,
            l2_regularization,
            gains,
            bins,
            gradients_left,
            hessians_left,
            split_scratch,
        )
        n_searched = 1
    while True:
        for k in range(n_searched):
            c = k ^ swap
            node = pair[c]
            j = best_feature(gains[c]) if searched[c] else -1
            if j >= 0:
                split_gain[node] = gains[c, j]
                split_feature[node] = j
                split_bin[node] = bins[c, j]
                split_gradients[node] = gradients_left[c, j]
                split_hessians[node] = hessians_left[c, j]
                candidates[n_candidates] = node
                n_candidates += 1
            elif slot[node] >= 0:
                free_slots[n_free] = slot[node]
                n_free += 1
                slot[node] = -1
        n_searched = 0
        if n_candidates == 0 or n_leaves >= max_leaf_nodes:
            break
        best = 0
        for c in range(1, n_candidates):
            if split_gain[candidates[c]] > split_gain[candidates[best]]:
                best = c
        node = candidates[best]
        n_candidates -= 1
        candidates[best] = candidates[n_candidates]

        feature[node] = split_feature[node]
        bin_threshold[node] = split_bin[node]
        samples = (rows, ordered_gradients, ordered_hessians, side[node], start[node], stop[node])
        if stop[node] - start[node] >= PARALLEL_PARTITION_ROWS:
            cut = split_partition_parallel(binned_T[feature[node]], bin_threshold[node], *samples)
        else:
            cut = split_partition(binned_T[feature[node]], bin_threshold[node], *samples)
        left_child, right_child = n_nodes, n_nodes + 1
        n_nodes += 2
        n_leaves += 1
        left[node], right[node] = left_child, right_child
        start[left_child], stop[left_child] = start[node], cut
        start[right_child], stop[right_child] = cut, stop[node]
        sum_gradients[left_child] = split_gradients[node]
        sum_hessians[left_child] = split_hessians[node]
        sum_gradients[right_child] = sum_gradients[node] - split_gradients[node]
        sum_hessians[right_child] = sum_hessians[node] - split_hessians[node]
        for child in (left_child, right_child):
            side[child] = 1 - side[node]
            depth[child] = depth[node] + 1
            value[child] = node_value(sum_gradients[child], sum_hessians[child], l2_regularization)
        parent_slot = slot[node]
        slot[node] = -1
        small, large = left_child, right_child
        if cut - start[node] >= stop[node] - cut:
            small, large = right_child, left_child
        if (
            n_leaves >= max_leaf_nodes
            or depth[node] + 1 >= max_depth
            or stop[large] - start[large] < 2 * min_samples_leaf
        ):
            free_slots[n_free] = parent_slot
            n_free += 1
            continue
        slot[small], histograms, n_free = take_slot(histograms, free_slots, n_free)
        slot[large] = parent_slot
        pair[0], pair[1] = small, large
        swap = 0 if small == left_child else 1
        for c in range(2):
            searched[c] = stop[pair[c]] - start[pair[c]] >= 2 * min_samples_leaf
        node_histograms_and_splits(
            binned_T,
            rows[side[small], start[small] : stop[small]],
            ordered_gradients[side[small], start[small] : stop[small]],
            ordered_hessians[side[small], start[small] : stop[small]],
            constant_hessian,
            counts,
            histograms[slot[small]],
            histograms[slot[large]],
            np.bool_(True),
            n_bins_non_missing,
            stop[pair] - start[pair],
            sum_gradients[pair],
            sum_hessians[pair],
            searched,
            min_samples_leaf,
            l2_regularization,
            gains,
            bins,
            gradients_left,
            hessians_left,
            split_scratch,
        )
        n_searched = 2

    value[:n_nodes] *= learning_rate
    leaves = np.flatnonzero(left[:n_nodes] == -1)
    leaves = leaves[np.argsort(start[leaves])]
    add_leaf_values(raw_predictions, rows, side[leaves], stop[leaves], value[leaves])
    return (
        feature[:n_nodes],
        bin_threshold[:n_nodes],
        left[:n_nodes],
        right[:n_nodes],
        value[:n_nodes],
        histograms,
    )
