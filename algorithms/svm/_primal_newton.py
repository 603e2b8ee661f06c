"""Primal Newton method for the L2-regularised squared-hinge linear SVM (liblinear's primal).

With x̃_i = (x_i, s) (s = intercept_scaling, no extra column without an intercept) and labels
y_i = ±1 it minimises

    f(w̃) = ½‖w̃‖² + C Σ_i max(0, 1 − y_i w̃·x̃_i)²,

convex with a Lipschitz gradient g = w̃ + 2C X̃_Iᵀ(X̃_I w̃ − y_I) over the rows I with a positive
slack, and generalised Hessian H = 𝟙 + 2C X̃_IᵀX̃_I (Keerthi & DeCoste 2005). Each iteration
takes the Newton direction d = −H⁻¹g, by a Cholesky solve for up to DIRECT_MAX columns and by
conjugate gradients on H·v products (to a tenth of ‖g‖, as liblinear's TRON) beyond, then
backtracks from a step of 1 until f decreases by ARMIJO of the predicted t·gᵀd. It stops
when ‖g‖ ≤ tol · max(min(n₊, n₋), 1)/n · ‖g(0)‖, liblinear's rule for its primal solver.
"""

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.sparse.linalg import LinearOperator, cg

DIRECT_MAX = 256  # columns up to which the Newton system is formed and factorised
ARMIJO = 0.01
MAX_HALVINGS = 40


def squared_hinge_newton(X, y, C, bias, max_iter, tol):
    """Minimise the module docstring's f from 0; return (w, w_bias, iterations, converged)."""
    n_samples, n_features = X.shape
    if bias > 0.0:
        X = np.hstack([X, np.full((n_samples, 1), bias)])
    w = np.zeros(X.shape[1])
    n_positive = int((y > 0).sum())
    share = max(min(n_positive, n_samples - n_positive), 1) / n_samples
    margin = np.zeros(n_samples)  # y_i w̃·x̃_i
    gradient_norm0 = None
    for iteration in range(max_iter + 1):
        slack = 1.0 - margin
        active = slack > 0.0
        X_active = X[active]
        gradient = w - 2.0 * C * (X_active.T @ (y[active] * slack[active]))
        gradient_norm = np.linalg.norm(gradient)
        if gradient_norm0 is None:
            gradient_norm0 = gradient_norm
        if gradient_norm <= tol * share * gradient_norm0:
            return _split(w, bias, n_features) + (iteration, True)
        if iteration == max_iter:
            break
        direction = _newton_direction(X_active, C, gradient)
        change = y * (X @ direction)
        step = _line_search(C, w, margin, gradient, direction, change)
        if step == 0.0:
            break
        w = w + step * direction
        margin = margin + step * change
    return _split(w, bias, n_features) + (iteration, False)


def _newton_direction(X_active, C, gradient):
    """−H⁻¹g with H = 𝟙 + 2C X_activeᵀX_active: Cholesky, or CG for wide X."""
    size = gradient.shape[0]
    if size <= DIRECT_MAX:
        hessian = 2.0 * C * (X_active.T @ X_active)
        hessian[np.diag_indices(size)] += 1.0
        return cho_solve(cho_factor(hessian), -gradient)
    operator = LinearOperator(
        (size, size), matvec=lambda v: v + 2.0 * C * (X_active.T @ (X_active @ v))
    )
    direction, _ = cg(operator, -gradient, rtol=0.1, maxiter=size)
    return direction


def _line_search(C, w, margin, gradient, direction, change):
    """The first step of 1, ½, ¼, … that meets Armijo's condition on f; 0.0 if none does.

    margin and change are y_i x̃_i·w̃ and y_i x̃_i·d, so the margins at step t are their sum.
    """
    slope = gradient @ direction
    ww, wd, dd = w @ w, w @ direction, direction @ direction
    current = 0.5 * ww + C * np.sum(np.maximum(1.0 - margin, 0.0) ** 2)
    step = 1.0
    for _ in range(MAX_HALVINGS):
        slack = np.maximum(1.0 - margin - step * change, 0.0)
        value = 0.5 * (ww + 2.0 * step * wd + step * step * dd) + C * (slack @ slack)
        if value <= current + ARMIJO * step * slope:
            return step
        step *= 0.5
    return 0.0


def _split(w, bias, n_features):
    """(coefficients, bias weight) of the extended w̃."""
    return w[:n_features].copy(), float(w[n_features]) if bias > 0.0 else 0.0
