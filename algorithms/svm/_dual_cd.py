"""Dual coordinate descent for the L2-regularised linear SVM (Hsieh et al. 2008, liblinear).

With x̃_i = (x_i, s) (s = intercept_scaling, 0 without an intercept) and labels y_i = ±1, the
primal is

    min_w̃  ½‖w̃‖² + C Σ_i ξ(1 − y_i w̃·x̃_i),   ξ(t) = max(0, t) (hinge) or max(0, t)² (squared),

and its dual, with w̃ = Σ_i α_i y_i x̃_i,

    min_α  ½ αᵀ Q̄ α − Σ_i α_i,   0 ≤ α_i ≤ U,   Q̄_ij = y_i y_j x̃_i·x̃_j + D_ii δ_ij,

where U = C, D = 0 for the hinge and U = ∞, D = 1/(2C) for the squared hinge. An epoch visits
the active coordinates in a fresh random permutation and moves each to its exact minimiser
α_i ← min(max(α_i − G_i/Q̄_ii, 0), U), G_i = y_i w̃·x̃_i − 1 + D_ii α_i, updating w̃ in
O(p). Shrinking as liblinear's: a coordinate at a bound whose projected gradient points
outwards by more than the extreme of the previous epoch leaves the active set. The solver
stops when max − min of the projected gradients of an epoch is at most tol over all
coordinates (after re-activating the shrunk ones), or after max_iter epochs.
"""

import numpy as np
from numba import njit

_PG_EPSILON = 1e-12  # projected gradients smaller than this do not move a coordinate


@njit(cache=True, error_model="numpy")
def dual_cd(X, y, upper, diag, bias, max_iter, tol, rng):
    """Solve the module docstring's dual from α = 0; return (w, w_bias, epochs, converged).

    X (n, p) float64, y ±1 float64, upper U (np.inf for the squared hinge), diag D, bias s;
    rng (a numpy Generator) draws the permutations. The model is x·w + s·w_bias. A zero row
    of the hinge without intercept has Q̄_ii = 0: G_i/0 = −inf sends its α_i to U, its optimum.
    """
    n, n_features = X.shape
    w = np.zeros(n_features)
    w_bias = 0.0
    alpha = np.zeros(n)
    q_diag = np.empty(n)
    for i in range(n):
        q_diag[i] = diag + bias * bias + X[i] @ X[i]
    index = np.arange(n)
    active_size = n
    pg_max_old = np.inf
    pg_min_old = -np.inf
    epoch = 0
    converged = False
    while epoch < max_iter:
        pg_max = -np.inf
        pg_min = np.inf
        for s in range(active_size):
            r = s + rng.integers(0, active_size - s)
            index[s], index[r] = index[r], index[s]
        s = 0
        while s < active_size:
            i = index[s]
            margin = bias * w_bias
            for j in range(n_features):
                margin += X[i, j] * w[j]
            gradient = y[i] * margin - 1.0 + diag * alpha[i]
            projected = 0.0
            if alpha[i] == 0.0:
                if gradient > pg_max_old:
                    active_size -= 1
                    index[s], index[active_size] = index[active_size], index[s]
                    continue
                projected = min(gradient, 0.0)
            elif alpha[i] == upper:
                if gradient < pg_min_old:
                    active_size -= 1
                    index[s], index[active_size] = index[active_size], index[s]
                    continue
                projected = max(gradient, 0.0)
            else:
                projected = gradient
            pg_max = max(pg_max, projected)
            pg_min = min(pg_min, projected)
            if abs(projected) > _PG_EPSILON:
                old = alpha[i]
                alpha[i] = min(max(old - gradient / q_diag[i], 0.0), upper)
                step = (alpha[i] - old) * y[i]
                for j in range(n_features):
                    w[j] += step * X[i, j]
                w_bias += step * bias
            s += 1
        epoch += 1
        if pg_max - pg_min <= tol:
            if active_size == n:
                converged = True
                break
            active_size = n
            pg_max_old = np.inf
            pg_min_old = -np.inf
            continue
        pg_max_old = pg_max if pg_max > 0.0 else np.inf
        pg_min_old = pg_min if pg_min < 0.0 else -np.inf
    return w, w_bias, epoch, converged
