"""SMO for the binary C-SVM dual, libsvm's solver (Fan, Chen & Lin 2005, without shrinking).

For labels y_i = ±1 and a kernel K it solves

    min_α  ½ αᵀQα − Σ_i α_i,   0 ≤ α_i ≤ C,   yᵀα = 0,   Q_ij = y_i y_j K_ij,

from α = 0 with the gradient G = Qα − 1. Each iteration picks the pair (i, j) by
second-order working-set selection: i maximises −y_i G_i over I_up = {α_t < C, y_t = 1} ∪
{α_t > 0, y_t = −1}; j, among the t in I_low (the mirror set) with −y_t G_t < −y_i G_i,
minimises −(y_i G_i − y_t G_t)² / (K_ii + K_tt − 2K_it) (a tiny TAU replaces a non-positive
denominator). The pair moves to the exact minimiser along yᵀα = 0, clipped to the box, and G
is updated with the kernel rows i and j. The solver stops when the maximal violation
m(α) − M(α) = max_{I_up} −y G − min_{I_low} −y G is below tol. The offset is libsvm's ρ:
the mean of y_i G_i over the free α_i (0 < α_i < C), or the middle of the bounds the others
give; the decision function is Σ_i α_i y_i K(x_i, x) − ρ.

Kernel rows are computed on demand and kept in a least-recently-used cache of `cache_rows`
rows (float64, cache_rows · n · 8 bytes): when it holds all n rows, each row is computed once.
"""

import numpy as np
from numba import njit

from algorithms.svm._kernels import kernel_row, kernel_value

TAU = 1e-12


@njit(cache=True)
def smo(X, y, C, kernel, gamma, coef0, degree, tol, max_iter, cache_rows):
    """Solve the module docstring's dual; return (alpha, rho, iterations, reached_tol).

    X (n, p) float64, y ±1 float64, kernel an index of `_kernels.KERNELS`, cache_rows ≥ 2.
    """
    n = X.shape[0]
    XT = np.ascontiguousarray(X.T)
    scratch = (np.empty(n), np.empty(n, dtype=np.int64))
    sq_norms = np.empty(n)
    for k in range(n):
        sq_norms[k] = X[k] @ X[k]
    diag = np.empty(n)
    for k in range(n):
        diag[k] = kernel_value(X, sq_norms, k, k, kernel, gamma, coef0, degree)
    cache = np.empty((cache_rows, n))
    slot_of_row = np.full(n, -1)
    row_of_slot = np.full(cache_rows, -1)
    last_used = np.zeros(cache_rows, dtype=np.int64)
    clock = np.zeros(1, dtype=np.int64)
    params = (kernel, gamma, coef0, degree)
    alpha = np.zeros(n)
    gradient = np.full(n, -1.0)
    iterations = 0
    reached_tol = False
    while True:
        i, g_max = _first_index(y, alpha, gradient, C)
        if i == -1:
            reached_tol = True
            break
        k_i = _row(
            XT, sq_norms, scratch, i, params, cache, slot_of_row, row_of_slot, last_used, clock
        )
        j = _second_index(y, alpha, gradient, C, diag, k_i, i, g_max, tol)
        if j == -1:
            reached_tol = True
            break
        if iterations >= max_iter:
            break
        iterations += 1
        k_j = _row(
            XT, sq_norms, scratch, j, params, cache, slot_of_row, row_of_slot, last_used, clock
        )
        old_i, old_j = alpha[i], alpha[j]
        _update_pair(y, alpha, gradient, C, diag, k_i[j], i, j)
        delta_i = (alpha[i] - old_i) * y[i]
        delta_j = (alpha[j] - old_j) * y[j]
        for k in range(n):
            gradient[k] += y[k] * (k_i[k] * delta_i + k_j[k] * delta_j)
    return alpha, _rho(y, alpha, gradient, C), iterations, reached_tol


@njit(cache=True)
def _row(XT, sq_norms, scratch, i, params, cache, slot_of_row, row_of_slot, last_used, clock):
    """Row i of the kernel matrix from the cache, computed into the least recently used slot.

    XT is Xᵀ in C order and scratch the two work arrays of `kernel_row`; clock[0] counts the
    accesses; last_used[slot] is the count at the slot's latest access.
    """
    slot = slot_of_row[i]
    if slot == -1:
        slot = np.argmin(last_used)
        if row_of_slot[slot] != -1:
            slot_of_row[row_of_slot[slot]] = -1
        row_of_slot[slot] = i
        slot_of_row[i] = slot
        kernel_row(XT, sq_norms, i, *params, cache[slot], *scratch)
    clock[0] += 1
    last_used[slot] = clock[0]
    return cache[slot]


@njit(cache=True)
def _first_index(y, alpha, gradient, C):
    """(i, m(α)): the index in I_up with the largest −y_i G_i, or (−1, −inf) if I_up is empty."""
    best, g_max = -1, -np.inf
    for t in range(y.shape[0]):
        if y[t] > 0.0:
            if alpha[t] < C and -gradient[t] >= g_max:
                best, g_max = t, -gradient[t]
        elif alpha[t] > 0.0 and gradient[t] >= g_max:
            best, g_max = t, gradient[t]
    return best, g_max


@njit(cache=True)
def _second_index(y, alpha, gradient, C, diag, k_i, i, g_max, tol):
    """j by second-order selection (module docstring), or −1 once m(α) − M(α) < tol."""
    best, g_max2, objective_min = -1, -np.inf, np.inf
    for t in range(y.shape[0]):
        if y[t] > 0.0:
            if alpha[t] <= 0.0:
                continue
            g_max2 = max(g_max2, gradient[t])
            difference = g_max + gradient[t]
        else:
            if alpha[t] >= C:
                continue
            g_max2 = max(g_max2, -gradient[t])
            difference = g_max - gradient[t]
        if difference > 0.0:
            curvature = diag[i] + diag[t] - 2.0 * k_i[t]
            objective = -difference * difference / (curvature if curvature > 0.0 else TAU)
            if objective <= objective_min:
                best, objective_min = t, objective
    if g_max + g_max2 < tol:
        return -1
    return best


@njit(cache=True)
def _update_pair(y, alpha, gradient, C, diag, k_ij, i, j):
    """Move (α_i, α_j) to the minimiser along yᵀα = const, clipped to [0, C]² (libsvm's rule)."""
    curvature = diag[i] + diag[j] - 2.0 * k_ij
    if curvature <= 0.0:
        curvature = TAU
    if y[i] != y[j]:
        delta = (-gradient[i] - gradient[j]) / curvature
        difference = alpha[i] - alpha[j]
        alpha[i] += delta
        alpha[j] += delta
        if difference > 0.0:
            if alpha[j] < 0.0:
                alpha[j], alpha[i] = 0.0, difference
        elif alpha[i] < 0.0:
            alpha[i], alpha[j] = 0.0, -difference
        if difference > 0.0:
            if alpha[i] > C:
                alpha[i], alpha[j] = C, C - difference
        elif alpha[j] > C:
            alpha[j], alpha[i] = C, C + difference
    else:
        delta = (gradient[i] - gradient[j]) / curvature
        total = alpha[i] + alpha[j]
        alpha[i] -= delta
        alpha[j] += delta
        if total > C:
            if alpha[i] > C:
                alpha[i], alpha[j] = C, total - C
        elif alpha[j] < 0.0:
            alpha[j], alpha[i] = 0.0, total
        if total > C:
            if alpha[j] > C:
                alpha[j], alpha[i] = C, total - C
        elif alpha[i] < 0.0:
            alpha[i], alpha[j] = 0.0, total


@njit(cache=True)
def _rho(y, alpha, gradient, C):
    """libsvm's ρ: mean y_i G_i over free α_i, else the midpoint of the bounds at the box."""
    upper, lower, total, n_free = np.inf, -np.inf, 0.0, 0
    for t in range(y.shape[0]):
        value = y[t] * gradient[t]
        if alpha[t] >= C:
            if y[t] < 0.0:
                upper = min(upper, value)
            else:
                lower = max(lower, value)
        elif alpha[t] <= 0.0:
            if y[t] > 0.0:
                upper = min(upper, value)
            else:
                lower = max(lower, value)
        else:
            total += value
            n_free += 1
    return total / n_free if n_free > 0 else 0.5 * (upper + lower)
