"""Binning: map every feature to small integers once, before any tree is grown.

Feature j gets increasing thresholds t_0 < t_1 < … (at most max_bins − 1 of them), the rule of
scikit-learn's `_BinMapper`: the midpoints between consecutive distinct values when there are
at most max_bins of those, else the k/max_bins quantiles (k = 1 … max_bins − 1, numpy's
"averaged_inverted_cdf", duplicates dropped), taken on at most 200,000 rows drawn with
replacement when the data has more. A value x goes to the bin b with t_{b−1} < x ≤ t_b — the
number of thresholds below x — so "bin ≤ b" and "x ≤ t_b" select the same rows, and a split
found on bins is a split on raw values.

All thresholds live in one flat float64 array: those of feature j are
thresholds[offsets[j]:offsets[j + 1]], and feature j uses offsets[j + 1] − offsets[j] + 1 bins.
The binned data is uint8 in Fortran order, so each feature's bins are contiguous for the
histograms; the grower takes its transpose, C-ordered (`algorithms._kernel_args`).
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit, prange

from algorithms._kernel_args import read_only
from algorithms._threads import usable_cores

SUBSAMPLE = 200_000
TABLE_WIDTH = 255  # 2⁸ − 1 ≥ the max_bins − 1 thresholds of a feature: eight halvings


def feature_thresholds(column: np.ndarray, max_bins: int) -> np.ndarray:
    """The increasing bin thresholds of one feature (module docstring); empty if it is constant."""
    values = np.sort(column)
    distinct = values[np.concatenate(([True], values[1:] != values[:-1]))]
    if len(distinct) <= max_bins:
        return (distinct[:-1] + distinct[1:]) * 0.5
    percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
    return np.unique(np.percentile(values, percentiles, method="averaged_inverted_cdf"))


def fit_bin_thresholds(
    X: np.ndarray, max_bins: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(thresholds, offsets) of every feature of X, flat as in the module docstring; the
    features are sorted on the usable cores at once (numpy sorts without the GIL)."""
    if X.shape[0] > SUBSAMPLE:
        X = X[rng.integers(0, X.shape[0], SUBSAMPLE)]
    with ThreadPoolExecutor(max_workers=usable_cores()) as pool:
        per_feature = list(pool.map(feature_thresholds, X.T, [max_bins] * X.shape[1]))
    offsets = np.zeros(X.shape[1] + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(thresholds) for thresholds in per_feature])
    return np.concatenate([np.empty(0), *per_feature]), offsets


def bin_features(X, thresholds, offsets):
    """X (C-ordered float64) mapped to bins, uint8 (n_samples, n_features) in Fortran order;
    the kernel gets its inputs as read-only views (`algorithms._kernel_args`)."""
    return _bin_features(read_only(X), threshold_table(thresholds, offsets))


def threshold_table(thresholds, offsets):
    """The thresholds as one row of TABLE_WIDTH per feature, +inf after its own: a search of a
    fixed number of steps then finds every bin (`_bin_features`)."""
    n_features = len(offsets) - 1
    table = np.full((n_features, TABLE_WIDTH), np.inf)
    counts = np.diff(offsets)
    table[np.arange(TABLE_WIDTH) < counts[:, np.newaxis]] = thresholds
    return table


@njit(parallel=True, cache=True)
def _bin_features(X, table):
    """`bin_features`: bin = the number of thresholds below the value, by a branch-free binary
    search in eight halvings of the feature's row of `threshold_table` (+inf is never below a
    value; a search whose steps depend on the row's length ran eight times slower)."""
    n_samples, n_features = X.shape
    binned = np.empty((n_features, n_samples), dtype=np.uint8)
    for i in prange(n_samples):
        for j in range(n_features):
            row, value, below = table[j], X[i, j], 0
            for half in (128, 64, 32, 16, 8, 4, 2, 1):
                below += half * (row[below + half - 1] < value)
            binned[j, i] = below
    return binned.T


def threshold_values(feature, bin_threshold, thresholds, offsets):
    """Raw split values t_b of nodes splitting `feature` at bin b (0.0 where feature is −1)."""
    values = np.zeros(len(feature))
    inner = feature >= 0
    values[inner] = thresholds[offsets[feature[inner]] + bin_threshold[inner]]
    return values
