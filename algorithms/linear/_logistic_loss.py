"""The logistic loss of LogisticRegression: value, gradient, probabilities, change on a step.

The raw scores R = X Wᵀ + b have one column per block: a single block (the log-odds of
classes_[1]) for two classes, one block per class otherwise. With y the class codes and
normalised sample weights ω (Σ ω = 1):

    binary       loss = Σ_i ω_i (log(1 + exp r_i) − y_i r_i),     P = expit(R)
    multinomial  loss = Σ_i ω_i (logsumexp(R_i) − R_{i, y_i}),    P = softmax(R)

G = ω (P − Y) is the derivative of the loss in R (Y one-hot, or y itself for one block);
its second derivative in row i is ω_i (diag(P_i) − P_iᵀ P_i) for softmax and ω_i p_i (1 − p_i)
for one block. The solvers minimise

    F(W, b) = loss + l1 ‖W‖₁ + (l2 / 2) ‖W‖²,   b unpenalised,

which is scikit-learn's C Σ s_i ℓ_i + l1_ratio ‖W‖₁ + (1 − l1_ratio)/2 ‖W‖² divided by
C Σ s_i: the same minimiser, with gradients of order one whatever the number of rows.
"""

import numpy as np
from numba import njit
from scipy.special import expit, softmax

from algorithms._kernel_args import read_only

# raw_scores computes X coefᵀ as (coef Xᵀ)ᵀ from this many features on (its docstring).
WIDE_PRODUCT_FEATURES = 128


@njit(cache=True)
def binomial_row(r, y, weight):
    """(loss, G) of one row with one block; exp of −|r| only, so no overflow."""
    e = np.exp(-abs(r))
    if r >= 0.0:
        p, q, softplus = 1.0 / (1.0 + e), e / (1.0 + e), r + np.log1p(e)
    else:
        p, q, softplus = e / (1.0 + e), 1.0 / (1.0 + e), np.log1p(e)
    return weight * (softplus - y * r), weight * ((1.0 - y) * p - y * q)


@njit(cache=True)
def multinomial_row(raw, label, weight, gradient):
    """The loss of one row with one block per class; writes its G into gradient (K,)."""
    n_classes = raw.shape[0]
    largest = raw[0]
    for k in range(1, n_classes):
        largest = max(largest, raw[k])
    total = 0.0
    for k in range(n_classes):
        gradient[k] = np.exp(raw[k] - largest)
        total += gradient[k]
    scale = weight / total
    for k in range(n_classes):
        gradient[k] *= scale
    gradient[label] -= weight
    return weight * (largest + np.log(total) - raw[label])


@njit(cache=True)
def binomial_pointwise(raw, y, weights):
    """(loss, G) for one block: raw (n, 1), y in {0, 1}."""
    n = raw.shape[0]
    gradient = np.empty((n, 1))
    loss = 0.0
    for i in range(n):
        row_loss, gradient[i, 0] = binomial_row(raw[i, 0], y[i], weights[i])
        loss += row_loss
    return loss, gradient


@njit(cache=True)
def multinomial_pointwise(raw, y, weights):
    """(loss, G) for one block per class: raw (n, K), y the class codes 0..K−1 as floats."""
    n, n_classes = raw.shape
    gradient = np.empty((n, n_classes))
    loss = 0.0
    for i in range(n):
        loss += multinomial_row(raw[i], int(y[i]), weights[i], gradient[i])
    return loss, gradient


def loss_and_gradient(X, coef, intercept, y, weights):
    """(loss, Gᵀ [X | 1] of shape (K, p + 1)) in one pass over the rows of X (C order), by
    `_loss_and_gradient` with its arguments typed one way (`algorithms._kernel_args`)."""
    return _loss_and_gradient(
        read_only(X),
        read_only(np.ascontiguousarray(coef)),
        read_only(np.ascontiguousarray(intercept)),
        read_only(y),
        read_only(weights),
    )


@njit(cache=True, fastmath={"reassoc", "contract", "nsz"})
def _loss_and_gradient(X, coef, intercept, y, weights):
    """`loss_and_gradient`: the kernel.

    Each row's scores, loss and gradient are formed while the row is in cache, instead of two
    BLAS passes over X (scores, then Gᵀ X) around a pointwise pass. It runs on one core: on
    this 2-core machine, shared, that was faster than numba's threads over row chunks (0.07 s
    against 0.11 s for a 100,000 × 50 binary fit) and, with the other core busy, about four
    times faster.
    """
    n, n_features = X.shape
    n_blocks = coef.shape[0]
    sums = np.zeros((n_blocks, n_features + 1))
    raw = np.empty(n_blocks)
    gradient = np.empty(n_blocks)
    loss = 0.0
    for i in range(n):
        row = X[i]
        for k in range(n_blocks):
            score = intercept[k]
            for j in range(n_features):
                score += row[j] * coef[k, j]
            raw[k] = score
        if n_blocks == 1:
            row_loss, gradient[0] = binomial_row(raw[0], y[i], weights[i])
        else:
            row_loss = multinomial_row(raw, int(y[i]), weights[i], gradient)
        loss += row_loss
        for k in range(n_blocks):
            g = gradient[k]
            for j in range(n_features):
                sums[k, j] += g * row[j]
            sums[k, n_features] += g
    return loss, sums


def pointwise(raw, y, weights):
    """(loss, G) of the module docstring; binary when raw has a single column."""
    if raw.shape[1] == 1:
        return binomial_pointwise(raw, y, weights)
    return multinomial_pointwise(raw, y, weights)


def probabilities(raw):
    """P of the module docstring: expit of one block, softmax over several."""
    if raw.shape[1] == 1:
        return expit(raw)
    return softmax(raw, axis=1)


def loss_change(proba, y, weights, change):
    """loss(R + change) − loss(R) from P = P(R), in forms exact for tiny changes.

    Row i contributes ω_i (log1p(p_i expm1(δ_i)) − y_i δ_i) for one block and
    ω_i (log1p(Σ_k p_ik expm1(δ_ik)) − δ_{i, y_i}) for softmax, so the difference keeps its
    relative precision where subtracting two values of the loss would leave only rounding.
    """
    if proba.shape[1] == 1:
        delta = change[:, 0]
        rows = np.log1p(proba[:, 0] * np.expm1(delta)) - y * delta
    else:
        rows = np.log1p(np.sum(proba * np.expm1(change), axis=1))
        rows -= change[np.arange(len(y)), y.astype(np.intp)]
    return float(weights @ rows)


def raw_scores(X, coef, intercept):
    """R = X coefᵀ + intercept, shape (n_samples, n_blocks); a matrix-vector product for one.

    From WIDE_PRODUCT_FEATURES features on, OpenBLAS forms the K × n product coef Xᵀ 1.5–2
    times faster than the n × K product X coefᵀ (measured for K = 3–10, p = 500–2,000, one
    or two threads), so R is then the transposed view of coef Xᵀ. The intercept is added in
    place: a second n × K temporary costs more than the product.
    """
    if coef.shape[0] == 1:
        raw = (X @ coef[0])[:, np.newaxis]
    elif X.shape[1] >= WIDE_PRODUCT_FEATURES:
        raw = (coef @ X.T).T
    else:
        raw = X @ np.ascontiguousarray(coef.T)
    raw += intercept
    return raw


def loss_gradient_in_coef(gradient, X):
    """Gᵀ X, the gradient of the loss in coef, shape (n_blocks, n_features)."""
    if gradient.shape[1] == 1:
        return (gradient[:, 0] @ X)[np.newaxis]
    return gradient.T @ X


def unpack(params, n_blocks, n_features, fit_intercept):
    """(coef (n_blocks, n_features), intercept (n_blocks,)) from the flat [coef | intercept]."""
    table = params.reshape(n_blocks, n_features + int(fit_intercept))
    intercept = table[:, n_features] if fit_intercept else np.zeros(n_blocks)
    return np.ascontiguousarray(table[:, :n_features]), intercept


def smooth_objective(params, X, y, weights, l2, n_blocks, fit_intercept):
    """F with l1 = 0 and its gradient at the flat parameters, the function L-BFGS minimises.

    X must be C-ordered (`loss_and_gradient`).
    """
    n_features = X.shape[1]
    coef, intercept = unpack(params, n_blocks, n_features, fit_intercept)
    loss, grad = loss_and_gradient(X, coef, intercept, y, weights)
    grad[:, :n_features] += l2 * coef
    if not fit_intercept:
        grad = grad[:, :n_features]
    return loss + 0.5 * l2 * float(np.sum(coef * coef)), grad.ravel()


def optimality_violation(grad, grad_intercept, coef, l1, l2):
    """Largest |entry| of the minimum-norm subgradient of F; 0 exactly at the minimiser.

    grad and grad_intercept are the loss gradients in coef and in the intercept (zeros when
    it is not fitted).
    """
    smooth = grad + l2 * coef
    subgradient = np.where(
        coef != 0.0,
        np.abs(smooth + l1 * np.sign(coef)),
        np.maximum(np.abs(smooth) - l1, 0.0),
    )
    return max(float(subgradient.max(initial=0.0)), float(np.abs(grad_intercept).max()))
