"""The fused numba kernel of a Lloyd iteration: assign every row, accumulate the new centres.

Rows go in fixed chunks of `CHUNK_ROWS` (the layout depends on the number of rows only, so
results do not depend on the number of threads); chunks run in parallel, each into its own
slice of partial sums, which are then added in chunk order. A row's nearest centre minimises
‖c‖² − 2x·c (its ‖x‖² does not change the ranking; ties go to the lower index, like argmin);
its squared distance to that centre is then summed directly as Σ (x − c)², so it is exact.
"""

import numpy as np
from numba import njit, prange

CHUNK_ROWS = 4096


@njit(cache=True, parallel=True)
def assign_and_sum(X, centers, labels, distances):
    """labels[i] = argmin_j ‖X[i] − centers[j]‖², distances[i] = that minimum, in place.

    Returns (sums, counts, n_changed): sums[j] = Σ of the rows now labelled j, counts[j] their
    number, n_changed the rows whose label differs from the one labels held on entry.
    """
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    centers_t = np.ascontiguousarray(centers.T)
    center_sq_norms = np.zeros(n_clusters)
    for f in range(n_features):
        for j in range(n_clusters):
            center_sq_norms[j] += centers_t[f, j] * centers_t[f, j]
    n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    partial_sums = np.zeros((n_chunks, n_clusters, n_features))
    partial_counts = np.zeros((n_chunks, n_clusters), dtype=np.int64)
    partial_changed = np.zeros(n_chunks, dtype=np.int64)
    for chunk in prange(n_chunks):
        scores = np.empty(n_clusters)
        chunk_sums = partial_sums[chunk]
        chunk_counts = partial_counts[chunk]
        changed = 0
        for i in range(chunk * CHUNK_ROWS, min(n_samples, (chunk + 1) * CHUNK_ROWS)):
            row = X[i]
            for j in range(n_clusters):
                scores[j] = center_sq_norms[j]
            for f in range(n_features):
                minus_twice_x = -2.0 * row[f]
                for j in range(n_clusters):
                    scores[j] += minus_twice_x * centers_t[f, j]
            best = 0
            best_score = scores[0]
            for j in range(1, n_clusters):
                if scores[j] < best_score:
                    best_score = scores[j]
                    best = j
            distance = 0.0
            best_sums = chunk_sums[best]
            for f in range(n_features):
                diff = row[f] - centers_t[f, best]
                distance += diff * diff
                best_sums[f] += row[f]
            distances[i] = distance
            chunk_counts[best] += 1
            if labels[i] != best:
                changed += 1
                labels[i] = best
        partial_changed[chunk] = changed
    sums = np.zeros((n_clusters, n_features))
    counts = np.zeros(n_clusters, dtype=np.int64)
    for chunk in range(n_chunks):
        sums += partial_sums[chunk]
        counts += partial_counts[chunk]
    return sums, counts, partial_changed.sum()
