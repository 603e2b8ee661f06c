"""Proximal Newton with coordinate descent ("newton-cd") for L1 / elastic-net logistic regression.

Minimises F = loss + l1 ‖W‖₁ + (l2 / 2) ‖W‖² of `_logistic_loss` the way newGLMNET does
(Yuan, Ho & Lin, "An improved GLMNET for L1-regularized logistic regression", JMLR 2012),
with the full multinomial Hessian. Each iteration replaces the loss by its second-order
model around (W, b),

    min_{D, d0}  Σ_k (g_kᵀ D_k + g0_k d0_k) + ½ Σ_i ω_i Q_i (diag(P_i) − P_iᵀ P_i) Q_iᵀ
                 + l1 ‖W + D‖₁ + (l2 / 2) ‖W + D‖²,     Q = X Dᵀ + d0,

(for one block the middle term is ½ Σ_i ω_i p_i (1 − p_i) Q_i²), solves it by cyclic
coordinate descent (`cd_direction`, soft-thresholding each coordinate) to a tenth of the
current optimality violation, and scales the step by backtracking (Armijo on F, as in
Tseng & Yun 2009). With several classes, softmax ignores a shift c_j added to column j of
every class: an exact `penalty_shift` step along these directions, which the quadratic model
does not see, ends each iteration (glmnet's `elc`), and the intercepts end centred. The
iterations stop once the largest entry of the minimum-norm subgradient of F is at most tol
(the test L-BFGS-B applies to its projected gradient, so `tol` means the same for both), or
when no step decreases F any more (its rounding limit). The line search measures the change
of the loss in log1p/expm1 form (`loss_change`), so it still sees decreases far below F's
rounding, and it rejects non-finite values, so the weights stay finite.
"""

import numpy as np
from numba import njit

from algorithms._kernel_args import feature_major
from algorithms.linear._logistic_loss import (
    loss_change,
    loss_gradient_in_coef,
    optimality_violation,
    pointwise,
    probabilities,
)

MAX_SWEEPS = 1000  # coordinate-descent sweeps per quadratic model
MAX_HALVINGS = 40  # step halvings of one line search
ARMIJO = 0.01  # the accepted share of the model's predicted decrease


@njit(cache=True)
def cd_direction(XT, proba, weights, grad, grad0, coef, l1, l2, fit_intercept, tol):
    """Minimise the module docstring's quadratic model over (D, d0) by cyclic coordinate descent.

    XT is Xᵀ, C-ordered (p, n); proba, grad (K, p) and grad0 (K,) are taken at (coef, b).
    Coordinate (k, j) moves to z = S(a (w_kj + D_kj) − ∂, l1) / (a + l2), with a =
    Σ_i ω_i p_ik (1 − p_ik) x_ij², ∂ the model's partial derivative without the penalty and
    S the soft-threshold; intercept k takes its exact Newton step. Sweeps stop when the
    largest entry of the model's minimum-norm subgradient met in a sweep (each coordinate's
    before its move) is at most tol. Returns (D, d0, Q).
    """
    n_features, n = XT.shape
    n_blocks = proba.shape[1]
    h = np.empty((n, n_blocks))
    for i in range(n):
        for k in range(n_blocks):
            h[i, k] = weights[i] * proba[i, k] * (1.0 - proba[i, k])
    curvature = np.zeros((n_blocks, n_features))
    for j in range(n_features):
        for i in range(n):
            for k in range(n_blocks):
                curvature[k, j] += h[i, k] * XT[j, i] * XT[j, i]
    h_sum = h.sum(axis=0)
    d = np.zeros((n_blocks, n_features))
    d0 = np.zeros(n_blocks)
    q = np.zeros((n, n_blocks))
    # Σ_l p_il q_il: the model's Hessian times Q is ω_i p_ik (q_ik − mixed_i) in row i and
    # block k, for softmax and (with one block, as p (1 − p) q) for the sigmoid alike.
    mixed = np.zeros(n)
    for _ in range(MAX_SWEEPS):
        violation = 0.0
        for j in range(n_features):
            for k in range(n_blocks):
                partial = grad[k, j]
                for i in range(n):
                    partial += XT[j, i] * weights[i] * proba[i, k] * (q[i, k] - mixed[i])
                current = coef[k, j] + d[k, j]
                smooth_partial = partial + l2 * current
                if current != 0.0:
                    violation = max(violation, abs(smooth_partial + l1 * np.sign(current)))
                else:
                    violation = max(violation, abs(smooth_partial) - l1)
                denominator = curvature[k, j] + l2
                target = curvature[k, j] * current - partial
                shrunk = np.sign(target) * max(abs(target) - l1, 0.0)
                if denominator > 0.0:
                    z = shrunk / denominator
                else:  # a column the model cannot see: only the L1 term decides
                    z = 0.0 if abs(partial) <= l1 else current
                delta = z - current
                if delta != 0.0:
                    d[k, j] += delta
                    for i in range(n):
                        q[i, k] += delta * XT[j, i]
                        mixed[i] += proba[i, k] * delta * XT[j, i]
        for k in range(n_blocks if fit_intercept else 0):
            if h_sum[k] <= 0.0:
                continue
            partial = grad0[k]
            for i in range(n):
                partial += weights[i] * proba[i, k] * (q[i, k] - mixed[i])
            violation = max(violation, abs(partial))
            delta = -partial / h_sum[k]
            d0[k] += delta
            for i in range(n):
                q[i, k] += delta
                mixed[i] += proba[i, k] * delta
        if violation <= tol:
            break
    return d, d0, q


def _penalty_change(coef, d, l1, l2):
    """P(coef + d) − P(coef), summed per entry so that tiny moves keep their precision."""
    return l1 * float(np.sum(np.abs(coef + d) - np.abs(coef))) + 0.5 * l2 * float(
        np.sum(d * (2.0 * coef + d))
    )


def penalty_shift(coef, l1, l2):
    """Per column j, the c minimising Σ_k l1 |w_kj + c| + (l2 / 2)(w_kj + c)²; −mean if l1 = 0.

    Adding c_j to column j of every class adds c_j x_ij to every score of row i, which
    softmax ignores: the loss stays, only the penalty moves. The minimiser is a breakpoint
    −w_kj or the stationary point −(Σ_k w_kj + l1 s / l2) / K of a segment with sign sum s.
    """
    if l1 == 0.0:
        return -coef.mean(axis=0)
    n_classes = coef.shape[0]
    candidates = [-coef]
    if l2 > 0.0:
        signs = np.arange(-n_classes, n_classes + 1, 2.0)[:, np.newaxis]
        candidates.append(-(coef.sum(axis=0) + l1 * signs / l2) / n_classes)
    candidates = np.concatenate(candidates)
    shifted = coef[np.newaxis] + candidates[:, np.newaxis]
    values = l1 * np.abs(shifted).sum(axis=1) + 0.5 * l2 * (shifted * shifted).sum(axis=1)
    return candidates[values.argmin(axis=0), np.arange(coef.shape[1])]


def _line_search(y, weights, proba, coef, direction, grad, l1, l2):
    """The Armijo step along direction = (D, d0, Q), or 0.0 when none decreases F."""
    d, d0, q = direction
    decrease = float(np.sum(grad[0] * d) + grad[1] @ d0) + _penalty_change(coef, d, l1, l2)
    step = 1.0
    for _ in range(MAX_HALVINGS if decrease < 0.0 else 0):
        change = loss_change(proba, y, weights, step * q)
        if change + _penalty_change(coef, step * d, l1, l2) <= ARMIJO * step * decrease:
            return step
        step /= 2.0
    return 0.0


def newton_cd(X, y, weights, l1, l2, fit_intercept, n_blocks, max_iter, tol):
    """Minimise F from zero weights; returns (coef, intercept, n_iter, status).

    With an intercept the iterations run on X minus its weighted column means (the intercept
    absorbs the offset, the penalty does not see it), which keeps the model well conditioned
    for features far from 0. status: "converged", "max_iter" or "stalled" (no step lowers F:
    F's rounding limit, or features near the float64 limits).
    """
    offset = weights @ X if fit_intercept else np.zeros(X.shape[1])
    X = np.asfortranarray(X - offset)
    coef = np.zeros((n_blocks, X.shape[1]))
    intercept = np.zeros(n_blocks)
    raw = np.zeros((X.shape[0], n_blocks))
    for iteration in range(max_iter + 1):
        gradient = pointwise(raw, y, weights)[1]
        proba = probabilities(raw)
        grad = (
            loss_gradient_in_coef(gradient, X),
            gradient.sum(axis=0) if fit_intercept else np.zeros(n_blocks),
        )
        violation = optimality_violation(*grad, coef, l1, l2)
        if violation <= tol or iteration == max_iter:
            break
        direction = cd_direction(
            feature_major(X, np.float64),
            proba,
            weights,
            *grad,
            coef,
            l1,
            l2,
            fit_intercept,
            max(tol, 0.1 * violation),
        )
        step = _line_search(y, weights, proba, coef, direction, grad, l1, l2)
        if step == 0.0:
            break
        coef += step * direction[0]
        intercept += step * direction[1]
        raw += step * direction[2]
        if n_blocks > 1:
            shift = penalty_shift(coef, l1, l2)
            coef += shift
            raw += (X @ shift)[:, np.newaxis]
    intercept -= coef @ offset
    if n_blocks > 1:
        intercept -= intercept.mean()
    if violation <= tol:
        return coef, intercept, iteration, "converged"
    return coef, intercept, iteration, "max_iter" if iteration == max_iter else "stalled"
