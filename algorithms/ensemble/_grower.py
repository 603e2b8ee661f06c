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
"""

import numpy as np
from numba import njit

from algorithms.ensemble._histogram import build_histogram
from algorithms.ensemble._splitting import (
    MIN_HESSIAN,
    find_best_split,
    node_value,
    split_partition,
)


@njit(cache=True)
def grow_tree(
    X_binned,
    gradients,
    hessians,
    constant_hessian,
    n_bins_non_missing,
    n_bins,
    max_leaf_nodes,
    max_depth,
    min_samples_leaf,
    l2_regularization,
    learning_rate,
    raw_predictions,
):
    """(feature, bin_threshold, left, right, value) of a new tree; adds it to raw_predictions."""
    n_samples = X_binned.shape[0]
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
    # The best split of each candidate leaf; candidates lists the leaves that have one.
    split_gain = np.zeros(capacity)
    split_feature = np.zeros(capacity, dtype=np.int64)
    split_bin = np.zeros(capacity, dtype=np.int64)
    split_gradients = np.zeros(capacity)
    split_hessians = np.zeros(capacity)
    candidates = np.empty(capacity, dtype=np.int64)
    n_candidates = 0
    no_histogram = np.empty((0, 0, 3))
    histograms = [no_histogram for _ in range(capacity)]
    partition = np.arange(n_samples)
    buffer = np.empty(n_samples, dtype=np.int64)
    pending = np.empty(2, dtype=np.int64)
    n_pending = 0

    stop[0] = n_samples
    sum_gradients[0] = gradients.sum()
    sum_hessians[0] = n_samples if constant_hessian else hessians.sum()
    value[0] = node_value(sum_gradients[0], sum_hessians[0], l2_regularization)
    if n_samples >= 2 * min_samples_leaf and sum_hessians[0] >= MIN_HESSIAN:
        histograms[0] = build_histogram(
            X_binned, gradients, hessians, partition, constant_hessian, n_bins
        )
        pending[0] = 0
        n_pending = 1
    n_nodes = 1
    n_leaves = 1
    while True:
        for p in range(n_pending):
            node = pending[p]
            gain, j, b, g_left, h_left = find_best_split(
                histograms[node],
                n_bins_non_missing,
                stop[node] - start[node],
                sum_gradients[node],
                sum_hessians[node],
                min_samples_leaf,
                l2_regularization,
            )
            if gain > 0.0:
                split_gain[node] = gain
                split_feature[node] = j
                split_bin[node] = b
                split_gradients[node] = g_left
                split_hessians[node] = h_left
                candidates[n_candidates] = node
                n_candidates += 1
            else:
                histograms[node] = no_histogram
        n_pending = 0
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
        cut = split_partition(
            X_binned, partition, start[node], stop[node], feature[node], bin_threshold[node], buffer
        )
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
            depth[child] = depth[node] + 1
            value[child] = node_value(sum_gradients[child], sum_hessians[child], l2_regularization)
        parent_histogram = histograms[node]
        histograms[node] = no_histogram
        if n_leaves >= max_leaf_nodes or depth[node] + 1 >= max_depth:
            continue
        small, large = left_child, right_child
        if cut - start[node] >= stop[node] - cut:
            small, large = right_child, left_child
        if stop[large] - start[large] < 2 * min_samples_leaf:
            continue
        histograms[small] = build_histogram(
            X_binned,
            gradients,
            hessians,
            partition[start[small] : stop[small]],
            constant_hessian,
            n_bins,
        )
        histograms[large] = parent_histogram - histograms[small]
        for child in (left_child, right_child):
            if stop[child] - start[child] >= 2 * min_samples_leaf:
                pending[n_pending] = child
                n_pending += 1
            else:
                histograms[child] = no_histogram

    value[:n_nodes] *= learning_rate
    for node in range(n_nodes):
        if left[node] == -1:
            for i in range(start[node], stop[node]):
                raw_predictions[partition[i]] += value[node]
    return (
        feature[:n_nodes],
        bin_threshold[:n_nodes],
        left[:n_nodes],
        right[:n_nodes],
        value[:n_nodes],
    )
