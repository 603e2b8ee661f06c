"""Predictor: raw scores of boosted trees stored as flat node arrays.

The trees of a model are concatenated into node arrays feature, threshold, left, right and
value, with child indices into the same arrays (−1 at leaves; a child after its parent) and
offsets[t] the root of tree t (offsets[-1] = the number of nodes). A row goes left at a node
when x[feature] ≤ threshold, the raw value of the split's bin threshold (see _binning). Tree t
adds its leaf value to raw score row t mod K, where K is the number of trees per iteration
(one per class for multiclass, else one).

Prediction walks PREDICT_BLOCK rows through one tree together, each row the tree's depth in
steps, without a branch on the data (`traversal_tables`): the rows' steps are independent, so
the processor overlaps them, where a walk that branches at every node stalls on each
mispredicted branch (20,000 rows through 100 trees of 31 leaves: 48 → 22 ms).
"""

import numpy as np
from numba import njit, prange

from algorithms._kernel_args import read_only

PREDICT_BLOCK = 16


def add_tree_predictions(X, feature, threshold, left, right, value, roots, raw_predictions):
    """raw_predictions[t % K, i] += value of X[i]'s leaf in the tree rooted at roots[t], by
    `_add_tree_predictions` with its inputs as read-only views (`algorithms._kernel_args`)."""
    nodes = (feature, threshold, left, right, roots)
    tables = traversal_tables(*(read_only(array) for array in nodes))
    _add_tree_predictions(
        read_only(X), *tables, read_only(value), read_only(roots), raw_predictions
    )


@njit(cache=True)
def traversal_tables(feature, threshold, left, right, roots):
    """(split_feature, split_threshold, children, depths): the trees with every node a split,
    for walks of a fixed number of steps. A leaf splits feature 0 at +inf and both its
    children are itself, so a row that reached it stays; children[node] is (left, right);
    depths[t] is the depth of tree t. ValueError when a child is not after its parent or
    outside the nodes (a damaged model)."""
    n_nodes = feature.shape[0]
    split_feature = np.zeros(n_nodes, dtype=np.int64)
    split_threshold = np.full(n_nodes, np.inf)
    children = np.empty((n_nodes, 2), dtype=np.int64)
    depth = np.zeros(n_nodes, dtype=np.int64)
    depths = np.zeros(roots.shape[0], dtype=np.int64)
    tree = 0
    for node in range(n_nodes):
        while tree + 1 < roots.shape[0] and node >= roots[tree + 1]:
            tree += 1
        if left[node] == -1:
            children[node, 0] = children[node, 1] = node
            continue
        for child in (left[node], right[node]):
            if not node < child < n_nodes:
                raise ValueError("damaged model: a tree's child node is not after its parent node")
            depth[child] = depth[node] + 1
        split_feature[node], split_threshold[node] = feature[node], threshold[node]
        children[node, 0], children[node, 1] = left[node], right[node]
        depths[tree] = max(depths[tree], depth[node] + 1)
    return split_feature, split_threshold, children, depths


@njit(parallel=True, cache=True)
def _add_tree_predictions(
    X, split_feature, split_threshold, children, depths, value, roots, raw_predictions
):
    """raw_predictions[t % K, i] += value of X[i]'s leaf in tree t, walking the rows of each
    block through the `traversal_tables` together."""
    n_outputs, n_samples = raw_predictions.shape
    for block in prange((n_samples + PREDICT_BLOCK - 1) // PREDICT_BLOCK):
        start = block * PREDICT_BLOCK
        size = min(PREDICT_BLOCK, n_samples - start)
        nodes = np.empty(PREDICT_BLOCK, dtype=np.int64)
        for t in range(roots.shape[0]):
            for k in range(size):
                nodes[k] = roots[t]
            for _ in range(depths[t]):
                for k in range(size):
                    node = nodes[k]
                    goes_right = not X[start + k, split_feature[node]] <= split_threshold[node]
                    nodes[k] = children[node, np.int64(goes_right)]
            for k in range(size):
                raw_predictions[t % n_outputs, start + k] += value[nodes[k]]


def concatenate_trees(trees):
    """(feature, threshold, left, right, value, offsets): per-tree node arrays made one model."""
    sizes = [len(tree[0]) for tree in trees]
    offsets = np.zeros(len(trees) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    columns = [np.concatenate([tree[c] for tree in trees]) for c in range(5)]
    feature, threshold, left, right, value = columns
    shift = np.repeat(offsets[:-1], sizes)
    left = np.where(left >= 0, left + shift, -1)
    right = np.where(right >= 0, right + shift, -1)
    return feature, threshold, left, right, value, offsets
