"""Grow one tree depth first into flat node arrays, scikit-learn's DepthFirstTreeBuilder.

A tree is eight arrays indexed by node id, in preorder (the root is 0, a left child directly
follows its parent), as scikit-learn's `tree_` holds them:

- children_left, children_right: int64 child ids, LEAF (−1) on leaves;
- feature (int64, UNDEFINED = −2 on leaves), threshold (float64, −2.0 on leaves): rows with
  X[:, feature] <= threshold go left;
- value: float64 (n_nodes, n_outputs), class weight fractions or the mean target;
- impurity, n_node_samples (distinct rows), weighted_n_node_samples.

A node is a leaf when depth ≥ max_depth, it has fewer than min_samples_split or
2·min_samples_leaf rows, its impurity is ≤ machine epsilon, no split is allowed, or the best
split's weighted impurity decrease (w_node/w_root)·(H − w_L/w_node·H_L − w_R/w_node·H_R) plus
epsilon is below min_impurity_decrease.
"""

import numpy as np
from numba import njit

from algorithms.tree._splitter import SQUARED_ERROR, best_split, impurity

LEAF = -1
UNDEFINED = -2
EPSILON = np.finfo(np.float64).eps


@njit(cache=True, nogil=True)
def _node_sums(y, w, samples, start, end, criterion, sums):
    """Fill sums (class weights, or Σ w·y) over samples[start:end]; return (Σ w, Σ w·y²)."""
    sums[:] = 0.0
    weight = sq_sum = 0.0
    for p in range(start, end):
        row = samples[p]
        weight += w[row]
        if criterion == SQUARED_ERROR:
            sums[0] += w[row] * y[row]
            sq_sum += w[row] * y[row] * y[row]
        else:
            sums[int(y[row])] += w[row]
    return weight, sq_sum


@njit(cache=True, nogil=True)
def _node_impurity(y, w, samples, start, end, criterion, sums):
    """(Σ w, impurity) of samples[start:end]; sums is scratch."""
    weight, sq_sum = _node_sums(y, w, samples, start, end, criterion, sums)
    return weight, impurity(criterion, sums, weight, sq_sum)


@njit(cache=True, nogil=True)
def _grown(array, capacity):
    """A copy of array with room for `capacity` rows."""
    shape = (capacity,) + array.shape[1:]
    out = np.empty(shape, dtype=array.dtype)
    out[: array.shape[0]] = array
    return out


@njit(cache=True, nogil=True)
def build_tree(
    XT,
    y,
    w,
    samples,
    n_outputs,
    criterion,
    max_depth,
    min_samples_split,
    min_samples_leaf,
    max_features,
    min_impurity_decrease,
    rng,
):
    """Grow a tree on the rows `samples` (module docstring); returns its eight node arrays.

    XT float32 (n_features, n_samples) is Xᵀ in C order, y float64 (class index or target), w
    float64 weights; samples (int64, rows of nonzero weight) is reordered in place. n_outputs:
    number of classes, 1 for squared error. rng (a numpy Generator) draws the candidate features
    of each node.
    """
    n_features = XT.shape[0]
    features = np.arange(n_features)
    Xf = np.empty(samples.shape[0], dtype=np.float32)
    keys = np.empty((2, samples.shape[0]), dtype=np.uint32)
    rows = np.empty(samples.shape[0], dtype=np.int64)
    sums = np.empty(n_outputs)
    scratch = np.empty(n_outputs)
    capacity = 2 ** (min(max_depth, 10) + 1) - 1
    left = np.empty(capacity, dtype=np.int64)
    right = np.empty(capacity, dtype=np.int64)
    feature = np.empty(capacity, dtype=np.int64)
    threshold = np.empty(capacity)
    value = np.empty((capacity, n_outputs))
    node_impurity = np.empty(capacity)
    n_node_samples = np.empty(capacity, dtype=np.int64)
    weighted = np.empty(capacity)
    # Depth-first stack of (start, end, depth, parent, is_left); at most one entry per level.
    stack = np.empty((min(max_depth, samples.shape[0]) + 2, 5), dtype=np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3], stack[0, 4] = 0, samples.shape[0], 0, -1, 0
    top = 1
    n_nodes = 0
    w_root = 0.0
    while top > 0:
        top -= 1
        start, end, depth, parent, is_left = stack[top]
        if n_nodes == capacity:
            capacity *= 2
            left, right = _grown(left, capacity), _grown(right, capacity)
            feature, threshold = _grown(feature, capacity), _grown(threshold, capacity)
            value, node_impurity = _grown(value, capacity), _grown(node_impurity, capacity)
            n_node_samples, weighted = _grown(n_node_samples, capacity), _grown(weighted, capacity)
        node = n_nodes
        n_nodes += 1
        if parent >= 0:
            if is_left:
                left[parent] = node
            else:
                right[parent] = node
        w_node, sq_sum = _node_sums(y, w, samples, start, end, criterion, sums)
        if node == 0:
            w_root = w_node
        node_impurity[node] = impurity(criterion, sums, w_node, sq_sum)
        value[node] = sums / w_node
        n_node_samples[node] = end - start
        weighted[node] = w_node
        is_leaf = (
            depth >= max_depth
            or end - start < min_samples_split
            or end - start < 2 * min_samples_leaf
            or node_impurity[node] <= EPSILON
        )
        best_feature, pos, best_threshold = UNDEFINED, end, 0.0
        if not is_leaf:
            best_feature, pos, best_threshold = best_split(
                XT,
                y,
                w,
                samples,
                Xf,
                start,
                end,
                sums,
                w_node,
                criterion,
                max_features,
                min_samples_leaf,
                features,
                rng,
                keys,
                rows,
            )
            is_leaf = pos >= end
        if not is_leaf:
            w_left, h_left = _node_impurity(y, w, samples, start, pos, criterion, scratch)
            w_right, h_right = _node_impurity(y, w, samples, pos, end, criterion, scratch)
            decrease = (w_node / w_root) * (
                node_impurity[node] - w_right / w_node * h_right - w_left / w_node * h_left
            )
            is_leaf = decrease + EPSILON < min_impurity_decrease
        if is_leaf:
            left[node] = right[node] = LEAF
            feature[node] = UNDEFINED
            threshold[node] = UNDEFINED
            continue
        feature[node] = best_feature
        threshold[node] = best_threshold
        stack[top, 0], stack[top, 1], stack[top, 2] = pos, end, depth + 1
        stack[top, 3], stack[top, 4] = node, 0
        stack[top + 1, 0], stack[top + 1, 1], stack[top + 1, 2] = start, pos, depth + 1
        stack[top + 1, 3], stack[top + 1, 4] = node, 1
        top += 2
    return (
        left[:n_nodes].copy(),
        right[:n_nodes].copy(),
        feature[:n_nodes].copy(),
        threshold[:n_nodes].copy(),
        value[:n_nodes].copy(),
        node_impurity[:n_nodes].copy(),
        n_node_samples[:n_nodes].copy(),
        weighted[:n_nodes].copy(),
    )
