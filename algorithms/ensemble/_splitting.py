"""Splitting: the best split of a node from its histogram, and the partition of its samples.

A node with gradient sum G and hessian sum H has the Newton value v = −G/(H + λ) and the
loss G·v = −G²/(H + λ) (second-order expansion, XGBoost's equations 5–6; λ is
l2_regularization). Splitting it into left and right children gains

    gain = G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ),

and `best_bin_split` scans one feature's bins left to right ("bin ≤ b goes left"), keeping the
largest positive gain among the splits that leave at least min_samples_leaf samples and
min_hessian hessian on each side; `best_feature` picks the feature. Ties go to the lowest
feature, then the lowest bin, as in scikit-learn.

A node's samples are the slice partition[start:stop] of one index array, with their gradients
and hessians at the same positions of two "ordered" arrays. `split_partition` reorders the
three slices so the left child's samples come first, keeping the order within each side (a
stable partition), on one thread; `split_partition_parallel` does the same in PARALLEL_CHUNKS
contiguous chunks spread over the threads (each chunk split apart, then the chunks' left and
right parts gathered), with the same result.
"""

import numpy as np
from numba import njit, prange

MIN_HESSIAN = 1e-3
EPS = 1e-15
PARALLEL_CHUNKS = 32  # chunks of a parallel loop over positions, for up to 32 threads


@njit(cache=True)
def node_value(sum_gradients, sum_hessians, l2_regularization):
    """The Newton step −G/(H + λ) of a node (learning rate not applied)."""
    return -sum_gradients / (sum_hessians + l2_regularization + EPS)


@njit(cache=True)
def best_bin_split(
    feature_hist,
    n_bins_non_missing,
    n_samples,
    sum_gradients,
    sum_hessians,
    min_samples_leaf,
    l2_regularization,
):
    """(gain, bin, G_L, H_L) of the best split of one feature's histogram; gain 0 if none."""
    parent_loss = sum_gradients * node_value(sum_gradients, sum_hessians, l2_regularization)
    best_gain, best_bin, best_g_left, best_h_left = 0.0, -1, 0.0, 0.0
    g_left, h_left, n_left = 0.0, 0.0, 0.0
    for b in range(n_bins_non_missing - 1):
        g_left += feature_hist[b, 0]
        h_left += feature_hist[b, 1]
        n_left += feature_hist[b, 2]
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
        if gain > best_gain:
            best_gain, best_bin, best_g_left, best_h_left = gain, b, g_left, h_left
    return best_gain, best_bin, best_g_left, best_h_left


@njit(cache=True)
def best_feature(gains):
    """The lowest feature j of largest gains[j], or −1 when no gain is positive."""
    best = 0
    for j in range(1, gains.shape[0]):
        if gains[j] > gains[best]:
            best = j
    return best if gains[best] > 0.0 else -1


@njit(cache=True)
def split_chunk(column, bin_threshold, samples, scratch, lo, hi):
    """Copy the samples at positions lo:hi, in order, to scratch[0] (bin ≤ threshold) and
    scratch[1] (the others) from position lo on; return the number that went left.

    samples and both scratch entries are (rows, gradients, hessians) triples; empty hessians
    (constant) are not copied.
    """
    rows, gradients, hessians = samples
    left_rows, left_gradients, left_hessians = scratch[0]
    right_rows, right_gradients, right_hessians = scratch[1]
    copy_hessians = hessians.shape[0] > 0
    n_left = 0
    n_right = 0
    for i in range(lo, hi):
        row = rows[i]
        goes_left = column[row] <= bin_threshold
        left_rows[lo + n_left] = row
        right_rows[lo + n_right] = row
        left_gradients[lo + n_left] = gradients[i]
        right_gradients[lo + n_right] = gradients[i]
        if copy_hessians:
            left_hessians[lo + n_left] = hessians[i]
            right_hessians[lo + n_right] = hessians[i]
        n_left += goes_left
        n_right += 1 - goes_left
    return n_left


@njit(cache=True)
def place(from_rows, from_gradients, from_hessians, lo, count, rows, gradients, hessians, at):
    """Copy count samples (rows, gradients, hessians) from position lo to position at."""
    for k in range(count):
        rows[at + k] = from_rows[lo + k]
        gradients[at + k] = from_gradients[lo + k]
    if hessians.shape[0] > 0:
        for k in range(count):
            hessians[at + k] = from_hessians[lo + k]


@njit(cache=True)
def split_partition(column, bin_threshold, samples, start, stop, scratch):
    """Stable partition of positions start:stop of samples (module docstring) on one thread;
    returns the cut. scratch holds two (rows, gradients, hessians) triples as long as samples.
    """
    n_left = split_chunk(column, bin_threshold, samples, scratch, start, stop)
    place(*scratch[0], start, n_left, *samples, start)
    place(*scratch[1], start, stop - start - n_left, *samples, start + n_left)
    return start + n_left


@njit(cache=True)
def split_partition_parallel(column, bin_threshold, samples, start, stop, scratch):
    """`split_partition` in PARALLEL_CHUNKS contiguous chunks on every thread; the cut."""
    return split_chunks_in_parallel(
        column, bin_threshold, *samples, start, stop, *scratch[0], *scratch[1]
    )


@njit(parallel=True, cache=True)
def split_chunks_in_parallel(
    column,
    bin_threshold,
    rows,
    gradients,
    hessians,
    start,
    stop,
    left_rows,
    left_gradients,
    left_hessians,
    right_rows,
    right_gradients,
    right_hessians,
):
    """The body of `split_partition_parallel`, on arrays: the parallel loops capture no
    tuples of arrays, which numba 0.68 cannot lower."""
    n_chunks = PARALLEL_CHUNKS
    bounds = np.linspace(start, stop, n_chunks + 1).astype(np.int64)
    n_left = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        n_left[c] = split_chunk(
            column,
            bin_threshold,
            (rows, gradients, hessians),
            (
                (left_rows, left_gradients, left_hessians),
                (right_rows, right_gradients, right_hessians),
            ),
            bounds[c],
            bounds[c + 1],
        )
    left_at = np.empty(n_chunks, dtype=np.int64)
    right_at = np.empty(n_chunks, dtype=np.int64)
    left_at[0] = start
    for c in range(1, n_chunks):
        left_at[c] = left_at[c - 1] + n_left[c - 1]
    cut = left_at[-1] + n_left[-1]
    for c in range(n_chunks):
        right_at[c] = cut + (bounds[c] - start) - (left_at[c] - start)
    for c in prange(n_chunks):
        lo, n_right = bounds[c], bounds[c + 1] - bounds[c] - n_left[c]
        place(
            left_rows,
            left_gradients,
            left_hessians,
            lo,
            n_left[c],
            rows,
            gradients,
            hessians,
            left_at[c],
        )
        place(
            right_rows,
            right_gradients,
            right_hessians,
            lo,
            n_right,
            rows,
            gradients,
            hessians,
            right_at[c],
        )
    return cut
