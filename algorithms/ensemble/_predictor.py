"""Predictor: raw scores of boosted trees stored as flat node arrays.

The trees of a model are concatenated into node arrays feature, threshold, left, right and
value, with child indices into the same arrays (−1 at leaves) and offsets[t] the root of tree
t (offsets[-1] = the number of nodes). A row goes left at a node when x[feature] ≤ threshold,
the raw value of the split's bin threshold (see _binning). Tree t adds its leaf value to raw
score row t mod K, where K is the number of trees per iteration (one per class for multiclass,
else one).
"""

import numpy as np
from numba import njit, prange

from algorithms._kernel_args import read_only


def add_tree_predictions(X, feature, threshold, left, right, value, roots, raw_predictions):
    """raw_predictions[t % K, i] += value of X[i]'s leaf in the tree rooted at roots[t], by
    `_add_tree_predictions` with its inputs as read-only views (`algorithms._kernel_args`)."""
    inputs = (X, feature, threshold, left, right, value, roots)
    _add_tree_predictions(*(read_only(array) for array in inputs), raw_predictions)


@njit(parallel=True, cache=True)
def _add_tree_predictions(X, feature, threshold, left, right, value, roots, raw_predictions):
    """raw_predictions[t % K, i] += value of X[i]'s leaf in the tree rooted at roots[t]."""
    n_outputs = raw_predictions.shape[0]
    for i in prange(X.shape[0]):
        for t in range(roots.shape[0]):
            node = roots[t]
            while left[node] != -1:
                node = left[node] if X[i, feature[node]] <= threshold[node] else right[node]
            raw_predictions[t % n_outputs, i] += value[node]


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
