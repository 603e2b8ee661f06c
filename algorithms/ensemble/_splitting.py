"""Splitting: the best split of a node from its histogram, and the partition of its samples.

A node with gradient sum G and hessian sum H has the Newton value v = −G/(H + λ) and the
loss G·v = −G²/(H + λ) (second-order expansion, XGBoost's equations 5–6; λ is
l2_regularization). Splitting it into left and right children gains

    gain = G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ),

and `find_best_split` scans each feature's bins left to right ("bin ≤ b goes left"), keeping
the largest positive gain among the splits that leave at least min_samples_leaf samples and
min_hessian hessian on each side. Ties go to the lowest feature, then the lowest bin, as in
scikit-learn. A node's samples are the slice partition[start:stop] of one index array;
`split_partition` reorders that slice in place so the left child's samples come first.
"""

import numpy as np
from numba import njit, prange

MIN_HESSIAN = 1e-3
EPS = 1e-15


@njit(cache=True)
def node_value(sum_gradients, sum_hessians, l2_regularization):
    """The Newton step −G/(H + λ) of a node (learning rate not applied)."""
    return -sum_gradients / (sum_hessians + l2_regularization + EPS)


@njit(parallel=True, cache=True)
def find_best_split(
    hist,
    n_bins_non_missing,
    n_samples,
    sum_gradients,
    sum_hessians,
    min_samples_leaf,
    l2_regularization,
):
    """(gain, feature, bin, G_L, H_L) of the best split; (0, −1, −1, 0, 0) when there is none."""
    parent_loss = sum_gradients * node_value(sum_gradients, sum_hessians, l2_regularization)
    n_features = hist.shape[0]
    gains = np.zeros(n_features)
    bins = np.zeros(n_features, dtype=np.int64)
    gradients_left = np.zeros(n_features)
    hessians_left = np.zeros(n_features)
    for j in prange(n_features):
        g_left, h_left, n_left = 0.0, 0.0, 0.0
        for b in range(n_bins_non_missing[j] - 1):
            g_left += hist[j, b, 0]
            h_left += hist[j, b, 1]
            n_left += hist[j, b, 2]
            if n_left < min_samples_leaf or h_left < MIN_HESSIAN:
                continue
            if n_samples - n_left < min_samples_leaf or sum_hessians - h_left < MIN_HESSIAN:
                break
            g_right = sum_gradients - g_left
            h_right = sum_hessians - h_left
            gain = (
                parent_loss
                - g_left * node_value(g_left, h_left, l2_regularization)
                - g_right * node_value(g_right, h_right, l2_regularization)
            )
            if gain > gains[j]:
                gains[j] = gain
                bins[j] = b
                gradients_left[j] = g_left
                hessians_left[j] = h_left
    best = 0
    for j in range(1, n_features):
        if gains[j] > gains[best]:
            best = j
    if gains[best] <= 0.0:
        return 0.0, -1, -1, 0.0, 0.0
    return gains[best], best, bins[best], gradients_left[best], hessians_left[best]


@njit(cache=True)
def split_partition(X_binned, partition, start, stop, feature, bin_threshold, buffer):
    """Reorder partition[start:stop] so rows with bin ≤ bin_threshold come first; return the cut.

    Both parts keep their order. buffer is scratch space of at least stop − start entries.
    """
    column = X_binned[:, feature]
    n_left = 0
    n_right = 0
    for i in range(start, stop):
        row = partition[i]
        goes_left = column[row] <= bin_threshold
        partition[start + n_left] = row
        buffer[n_right] = row
        n_left += goes_left
        n_right += 1 - goes_left
    partition[start + n_left : stop] = buffer[:n_right]
    return start + n_left
