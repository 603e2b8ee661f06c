"""Best split of one tree node: sort each drawn feature once, sweep the cumulative sums.

Data shared with `_builder`:

- XT: float32 (n_features, n_samples), Xᵀ in C order (`feature_major`), each feature contiguous;
- y: float64 (n_samples,), the class index (classification) or the target (regression);
- w: float64 (n_samples,), sample weights (bootstrap counts in a forest);
- samples: int64 row numbers; a node owns samples[start:end], and the search reorders that
  slice in place, ending with the left child's rows first;
- Xf: float32 scratch of len(samples), Xf[p] the drawn feature's value of samples[p];
  keys (uint32, (2, len(samples))) and rows (int64, len(samples)) scratch for sorting;
- criterion: SQUARED_ERROR, GINI or ENTROPY; n_outputs the number of classes (1 for regression).

For a drawn feature the node's (Xf, samples) are sorted together (`_sort`). Positions p with
Xf[p] > Xf[p−1] + 1e−7 (float32, scikit-learn's FEATURE_THRESHOLD) are candidates: the left
child takes the p − start smallest values. The sweep moves row p − 1 to the left sums (class
weights, or Σ w·y), the right sums are the totals minus those, and scikit-learn's proxy
improvement ranks the candidates: −w_L·H_L − w_R·H_R for gini and entropy (log base 2),
S_L²/w_L + S_R²/w_R for squared error. The first best candidate wins (strict >). Its threshold
is Xf[p−1]/2 + Xf[p]/2 in float64, so `x <= threshold` sends the p − start smallest left.
"""

import numpy as np
from numba import njit

from algorithms.tree._sort import sort_node

SQUARED_ERROR, GINI, ENTROPY = 0, 1, 2
FEATURE_THRESHOLD = np.float32(1e-7)


@njit(cache=True, nogil=True)
def impurity(criterion, sums, weight, sq_sum):
    """Node impurity from its sums: gini 1 − Σ(c/w)², entropy −Σ c/w·log2(c/w), or variance.

    sums holds the class weights (classification) or Σ w·y (regression); sq_sum is Σ w·y²,
    used by squared error only.
    """
    if criterion == SQUARED_ERROR:
        mean = sums[0] / weight
        return sq_sum / weight - mean * mean
    total = 0.0
    if criterion == GINI:
        for count in sums:
            total += count * count
        return 1.0 - total / (weight * weight)
    for count in sums:
        if count > 0.0:
            share = count / weight
            total -= share * (np.log(share) / np.log(2.0))
    return total


@njit(cache=True, nogil=True)
def _proxy_improvement(criterion, left, right, w_left, w_right):
    """scikit-learn's proxy: larger is better, ranks splits like the impurity decrease."""
    if criterion == SQUARED_ERROR:
        return left[0] * left[0] / w_left + right[0] * right[0] / w_right
    h_left = impurity(criterion, left, w_left, 0.0)
    h_right = impurity(criterion, right, w_right, 0.0)
    return -w_left * h_left - w_right * h_right


@njit(cache=True, nogil=True)
def _partition(XT, samples, start, end, feature, threshold):
    """Reorder samples[start:end] so rows with XT[feature, row] <= threshold come first."""
    left, right = start, end
    while left < right:
        if XT[feature, samples[left]] <= threshold:
            left += 1
        else:
            right -= 1
            samples[left], samples[right] = samples[right], samples[left]
    return left


@njit(cache=True, nogil=True)
def best_split(
    XT,
    y,
    w,
    samples,
    Xf,
    start,
    end,
    totals,
    w_total,
    criterion,
    max_features,
    min_samples_leaf,
    features,
    rng,
    keys,
    rows,
):
    """Best split of samples[start:end] over features drawn by rng without replacement.

    Draws features in a Fisher–Yates order until max_features were visited and at least one
    was not constant on the node (constant: max ≤ min + 1e−7). totals and w_total are the
    node's sums and weight.
    Returns (feature, pos, threshold), samples[start:pos] the left child's rows, reordered
    so; pos == end when no split is allowed (then samples is only permuted).
    """
    n_outputs = totals.shape[0]
    regression = criterion == SQUARED_ERROR
    left = np.empty(n_outputs)
    right = np.empty(n_outputs)
    best_proxy = -np.inf
    best_feature, best_pos, best_threshold = -1, end, 0.0
    n_drawable = features.shape[0]
    n_visited = n_nonconstant = 0
    while n_drawable > 0 and (n_visited < max_features or n_nonconstant == 0):
        pick = rng.integers(0, n_drawable)
        n_drawable -= 1
        features[pick], features[n_drawable] = features[n_drawable], features[pick]
        feature = features[n_drawable]
        n_visited += 1
        low = high = XT[feature, samples[start]]
        for p in range(start, end):
            value = XT[feature, samples[p]]
            Xf[p] = value
            low = min(low, value)
            high = max(high, value)
        if high <= low + FEATURE_THRESHOLD:
            continue
        n_nonconstant += 1
        sort_node(Xf, samples, start, end, keys, rows)
        left[:] = 0.0
        w_left = 0.0
        for p in range(start + 1, end):
            row = samples[p - 1]
            if regression:
                left[0] += w[row] * y[row]
            else:
                left[int(y[row])] += w[row]
            w_left += w[row]
            if Xf[p] <= Xf[p - 1] + FEATURE_THRESHOLD:
                continue
            if p - start < min_samples_leaf or end - p < min_samples_leaf:
                continue
            for k in range(n_outputs):
                right[k] = totals[k] - left[k]
            proxy = _proxy_improvement(criterion, left, right, w_left, w_total - w_left)
            if proxy > best_proxy:
                best_proxy = proxy
                best_feature, best_pos = feature, p
                best_threshold = np.float64(Xf[p - 1]) / 2.0 + np.float64(Xf[p]) / 2.0
    if best_pos < end:
        _partition(XT, samples, start, end, best_feature, best_threshold)
    return best_feature, best_pos, best_threshold
