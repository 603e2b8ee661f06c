"""Splitting: the best split of a node from its histogram, and the partition of its samples.

A node with gradient sum G and hessian sum H has the Newton value v = −G/(H + λ) and the
loss G·v = −G²/(H + λ) (second-order expansion, XGBoost's equations 5–6; λ is
l2_regularization). Splitting it into left and right children gains

    gain = G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ),

and `best_bin_split` scans one feature's bins left to right ("bin ≤ b goes left"), keeping the
largest positive gain among the splits that leave at least min_samples_leaf samples and
MIN_HESSIAN hessian on each side; `best_feature` picks the feature. Ties go to the lowest
feature, then the lowest bin, as in scikit-learn.

A node's samples are the positions start:stop of one of two buffers (side 0 or 1) of sample
indices, rows[side], with their gradients and hessians at the same positions of
gradients[side] and hessians[side] ("ordered" gradients; hessians has no columns when they are
constant). `split_partition` moves them to the same positions of the other buffer, the left
child's samples first, keeping the order within each side (a stable partition): it counts the
left samples, then moves every sample straight to its place. `split_partition_parallel` does
the same in PARALLEL_CHUNKS contiguous chunks spread over the threads, with the same result.

A function compiled with parallel=True holds its prange loops and no array expressions: numba
makes each array expression (np.zeros, astype, a += b …) a parallel region of its own, a start
and a barrier for every thread, which on a shared machine waits for a descheduled thread.
"""

import numpy as np
from numba import njit, prange

MIN_HESSIAN = 1e-3
EPS = 1e-15
PARALLEL_CHUNKS = 32  # chunks of a parallel loop over positions, for up to 32 threads


# error_model="numpy": no zero-divisor check (H + λ + ε > 0 here), which would keep the gain
# loop of `best_bin_split` from compiling to SIMD (3× slower).
@njit(cache=True, error_model="numpy")
def node_value(sum_gradients, sum_hessians, l2_regularization):
    """The Newton step −G/(H + λ) of a node (learning rate not applied)."""
    return -sum_gradients / (sum_hessians + l2_regularization + EPS)


@njit(cache=True, error_model="numpy")
def best_bin_split(
    feature_hist,
    n_bins_non_missing,
    n_samples,
    sum_gradients,
    sum_hessians,
    min_samples_leaf,
    l2_regularization,
    scratch,
):
    """(gain, bin, G_L, H_L) of the best split of one feature's histogram; gain 0 if none.

    Three passes over the bins, scratch (4, ≥ n_bins_non_missing) their work space: the left
    sums of every split; its gain, or 0 where a side is too small (no branch, so the loop
    compiles to SIMD); the first largest gain.
    """
    n_splits = n_bins_non_missing - 1
    g_lefts, h_lefts, n_lefts, gains = scratch[0], scratch[1], scratch[2], scratch[3]
    g_left, h_left, n_left = 0.0, 0.0, 0.0
    for b in range(n_splits):
        g_left += feature_hist[b, 0]
        h_left += feature_hist[b, 1]
        n_left += feature_hist[b, 2]
        g_lefts[b], h_lefts[b], n_lefts[b] = g_left, h_left, n_left
    parent_loss = sum_gradients * node_value(sum_gradients, sum_hessians, l2_regularization)
    for b in range(n_splits):
        g_left, h_left, n_left = g_lefts[b], h_lefts[b], n_lefts[b]
        g_right = sum_gradients - g_left
        h_right = sum_hessians - h_left
        gain = (
            parent_loss
            - g_left * node_value(g_left, h_left, l2_regularization)
            - g_right * node_value(g_right, h_right, l2_regularization)
        )
        allowed = (
            (n_left >= min_samples_leaf)
            & (h_left >= MIN_HESSIAN)
            & (n_samples - n_left >= min_samples_leaf)
            & (h_right >= MIN_HESSIAN)
        )
        gains[b] = gain if allowed else 0.0
    best_gain, best_bin = 0.0, -1
    for b in range(n_splits):
        if gains[b] > best_gain:
            best_gain, best_bin = gains[b], b
    if best_bin < 0:
        return 0.0, -1, 0.0, 0.0
    return best_gain, best_bin, g_lefts[best_bin], h_lefts[best_bin]


@njit(cache=True)
def best_feature(gains):
    """The lowest feature j of largest gains[j], or −1 when no gain is positive."""
    best = 0
    for j in range(1, gains.shape[0]):
        if gains[j] > gains[best]:
            best = j
    return best if gains[best] > 0.0 else -1


@njit(cache=True)
def count_left(column, bin_threshold, rows, lo, hi):
    """How many of the samples at positions lo:hi have bin ≤ bin_threshold."""
    n_left = 0
    for i in range(lo, hi):
        n_left += column[rows[i]] <= bin_threshold
    return n_left


@njit(cache=True)
def move_sides(column, bin_threshold, rows, gradients, hessians, side, lo, hi, left_at, right_at):
    """Move the samples at positions lo:hi of buffer `side`, in order, to the other buffer:
    those with bin ≤ bin_threshold from position left_at on, the others from right_at on."""
    target = 1 - side
    move_hessians = hessians.shape[1] > 0
    for i in range(lo, hi):
        row = rows[side, i]
        goes_left = column[row] <= bin_threshold
        k = left_at if goes_left else right_at
        rows[target, k] = row
        gradients[target, k] = gradients[side, i]
        if move_hessians:
            hessians[target, k] = hessians[side, i]
        left_at += goes_left
        right_at += 1 - goes_left


@njit(cache=True)
def split_partition(column, bin_threshold, rows, gradients, hessians, side, start, stop):
    """Stable partition (module docstring) of positions start:stop on one thread; the cut."""
    cut = start + count_left(column, bin_threshold, rows[side], start, stop)
    move_sides(column, bin_threshold, rows, gradients, hessians, side, start, stop, start, cut)
    return cut


@njit(cache=True)
def chunk_bounds(start, stop):
    """The PARALLEL_CHUNKS + 1 ends of near-equal contiguous chunks of start:stop."""
    bounds = np.empty(PARALLEL_CHUNKS + 1, dtype=np.int64)
    for c in range(PARALLEL_CHUNKS + 1):
        bounds[c] = start + (stop - start) * c // PARALLEL_CHUNKS
    return bounds


@njit(parallel=True, cache=True)
def split_partition_parallel(column, bin_threshold, rows, gradients, hessians, side, start, stop):
    """`split_partition` in PARALLEL_CHUNKS contiguous chunks over the threads; the cut."""
    bounds = chunk_bounds(start, stop)
    n_left = np.empty(PARALLEL_CHUNKS, dtype=np.int64)
    source_rows = rows[side]
    for c in prange(PARALLEL_CHUNKS):
        n_left[c] = count_left(column, bin_threshold, source_rows, bounds[c], bounds[c + 1])
    left_at = np.empty(PARALLEL_CHUNKS, dtype=np.int64)
    left_at[0] = start
    for c in range(1, PARALLEL_CHUNKS):
        left_at[c] = left_at[c - 1] + n_left[c - 1]
    cut = left_at[-1] + n_left[-1]
    for c in prange(PARALLEL_CHUNKS):
        right_at = cut + (bounds[c] - start) - (left_at[c] - start)
        move_sides(
            column,
            bin_threshold,
            rows,
            gradients,
            hessians,
            side,
            bounds[c],
            bounds[c + 1],
            left_at[c],
            right_at,
        )
    return cut
