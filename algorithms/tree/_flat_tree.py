"""Reading flat-array trees (`_builder`): leaf lookup, averaged leaf values, importances, depth.

A forest concatenates its trees' node arrays; tree t owns nodes offsets[t]:offsets[t + 1] and
its child ids are local to it (a tree's slice is a tree of its own, root at local id 0).
"""

import numpy as np
from numba import njit

from algorithms.tree._builder import LEAF


@njit(cache=True, nogil=True)
def apply_tree(X, children_left, children_right, feature, threshold, offset):
    """Local leaf id of each row of X (float32, C order) in the tree whose root is `offset`."""
    leaves = np.empty(X.shape[0], dtype=np.int64)
    for i in range(X.shape[0]):
        node = 0
        while children_left[offset + node] != LEAF:
            at = offset + node
            go_left = X[i, feature[at]] <= threshold[at]
            node = children_left[at] if go_left else children_right[at]
        leaves[i] = node
    return leaves


@njit(cache=True, nogil=True)
def mean_leaf_value(X, children_left, children_right, feature, threshold, value, offsets):
    """(n_rows, n_outputs) mean over the trees offsets[t]:offsets[t+1] of each row's leaf value."""
    out = np.zeros((X.shape[0], value.shape[1]))
    n_trees = offsets.shape[0] - 1
    for t in range(n_trees):
        offset = offsets[t]
        for i in range(X.shape[0]):
            node = offset
            while children_left[node] != LEAF:
                if X[i, feature[node]] <= threshold[node]:
                    node = offset + children_left[node]
                else:
                    node = offset + children_right[node]
            for k in range(value.shape[1]):
                out[i, k] += value[node, k]
    return out / n_trees


def feature_importances(children_left, children_right, feature, impurity, weighted, n_features):
    """Each feature's total weighted impurity decrease over its splits, normalised to sum 1.

    Σ over the nodes splitting on j of w·H − w_L·H_L − w_R·H_R, divided by the root's weight
    and then by the sum over features (left at zeros for a single-leaf tree), as scikit-learn.
    """
    split = np.flatnonzero(children_left != LEAF)
    left, right = children_left[split], children_right[split]
    decrease = (
        weighted[split] * impurity[split]
        - weighted[left] * impurity[left]
        - weighted[right] * impurity[right]
    )
    importances = np.bincount(feature[split], weights=decrease, minlength=n_features) / weighted[0]
    total = importances.sum()
    return importances / total if total > 0.0 else importances


def tree_depth(children_left, children_right):
    """Number of edges on the longest root-to-leaf path (0 for a single leaf)."""
    depth = 0
    level = np.array([0])
    while True:
        level = level[children_left[level] != LEAF]
        if level.size == 0:
            return depth
        level = np.concatenate([children_left[level], children_right[level]])
        depth += 1
