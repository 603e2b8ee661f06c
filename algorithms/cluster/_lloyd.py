"""The numba kernel of a Lloyd pass: assign every row, accumulate the new centres.

As scikit-learn's `_k_means_lloyd.pyx`: rows go in chunks of `CHUNK_ROWS` = 256; each chunk's
products x·c with every centre come from one small matrix product (BLAS, into a buffer of the
worker's own), and a row's nearest centre minimises ‖c‖² − 2x·c (its ‖x‖² does not change the
ranking; ties go to the lower index, like argmin), and the row is added to its centre's partial
sum. When asked for, its squared distance to that centre is summed directly as Σ (x − c)², so
it is exact; Lloyd's iterations skip it (scikit-learn's too) and ask only on the last pass.

The chunks are split into at most `GROUPS` contiguous groups, which run in parallel (numba
prange, static schedule like scikit-learn's OpenMP loop), each into its own partial sums,
counts and inertia, added in group order after the loop. The layout depends on the number of
rows only, so results do not depend on the number of threads. Callers run it with BLAS on one thread
(`algorithms._threads.numba_owns_the_cores`): the products are many and small, and a
multi-threaded BLAS inside each of numba's threads would oversubscribe the cores.
"""

import numpy as np
from numba import njit, prange

from algorithms._kernel_args import read_only

CHUNK_ROWS = 256
GROUPS = 64


@njit(cache=True)
def assign_chunk(
    X, start, products, center_sq_norms, centers, labels, distances, measure, sums, counts
):
    """Assign rows start … start + len(products) − 1 of X (products: their x·c), in place.

    labels, the group's sums and counts, and, when `measure`, distances (squared, summed
    directly) are updated. Returns (rows whose label changed, the chunk's inertia).
    """
    n_clusters, n_features = centers.shape
    changed = 0
    inertia = 0.0
    for r in range(products.shape[0]):
        i = start + r
        best = 0
        best_score = center_sq_norms[0] - 2.0 * products[r, 0]
        for j in range(1, n_clusters):
            score = center_sq_norms[j] - 2.0 * products[r, j]
            if score < best_score:
                best_score = score
                best = j
        for f in range(n_features):
            sums[best, f] += X[i, f]
        if measure:
            distance = 0.0
            for f in range(n_features):
                diff = X[i, f] - centers[best, f]
                distance += diff * diff
            distances[i] = distance
            inertia += distance
        counts[best] += 1
        if labels[i] != best:
            changed += 1
            labels[i] = best
    return changed, inertia


def assign_and_accumulate(X, centers, labels, distances=None):
    """labels[i] = argmin_j ‖X[i] − centers[j]‖² and, unless distances is None, distances[i] =
    that minimum, in place.

    X and centers are C-ordered float64. Returns (sums, counts, n_changed, inertia):
    sums[j] = Σ of the rows now labelled j, counts[j] their number, n_changed the rows whose
    label differs from the one labels held on entry, inertia = Σ distances (0 without them).
    """
    measure = distances is not None
    return _assign_and_accumulate(
        read_only(X), read_only(centers), labels, distances if measure else np.empty(0), measure
    )


@njit(cache=True)
def _assign_and_accumulate(X, centers, labels, distances, measure):
    """`assign_and_accumulate`: its arguments typed one way (`algorithms._kernel_args`)."""
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    n_groups = min((n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS, GROUPS)
    group_sums = np.zeros((n_groups, n_clusters, n_features))
    group_counts = np.zeros((n_groups, n_clusters), dtype=np.int64)
    group_changed = np.zeros(n_groups, dtype=np.int64)
    group_inertia = np.zeros(n_groups)
    _assign_groups(
        X,
        centers,
        labels,
        distances,
        measure,
        group_sums,
        group_counts,
        group_changed,
        group_inertia,
    )
    sums = np.zeros((n_clusters, n_features))
    counts = np.zeros(n_clusters, dtype=np.int64)
    inertia = 0.0
    for group in range(n_groups):
        sums += group_sums[group]
        counts += group_counts[group]
        inertia += group_inertia[group]
    return sums, counts, group_changed.sum(), inertia


@njit(cache=True, parallel=True)
def _assign_groups(
    X, centers, labels, distances, measure, group_sums, group_counts, group_changed, group_inertia
):
    """The parallel loop of `_assign_and_accumulate`: group g's chunks into group_*[g].

    It holds the prange and nothing else: numba turns every array expression of a parallel
    function into a parallel region of its own, each a start and a barrier for the threads.
    """
    n_samples = X.shape[0]
    n_clusters = centers.shape[0]
    n_groups = group_sums.shape[0]
    n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    centers_t = np.ascontiguousarray(centers.T)
    center_sq_norms = row_sq_norms(centers)
    for group in prange(n_groups):
        products = np.empty((CHUNK_ROWS, n_clusters))
        for chunk in range(group * n_chunks // n_groups, (group + 1) * n_chunks // n_groups):
            start = chunk * CHUNK_ROWS
            stop = min(n_samples, start + CHUNK_ROWS)
            chunk_products = products[: stop - start]
            np.dot(X[start:stop], centers_t, chunk_products)
            changed, inertia = assign_chunk(
                X,
                start,
                chunk_products,
                center_sq_norms,
                centers,
                labels,
                distances,
                measure,
                group_sums[group],
                group_counts[group],
            )
            group_changed[group] += changed
            group_inertia[group] += inertia


@njit(cache=True)
def row_sq_norms(A):
    """‖a‖² of each row of A."""
    norms = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        for f in range(A.shape[1]):
            norms[i] += A[i, f] * A[i, f]
    return norms
