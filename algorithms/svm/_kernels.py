"""The SVC kernels: a·b ("linear"), (γ a·b + coef0)^degree ("poly"), exp(−γ‖a − b‖²) ("rbf").

`kernel_value` and `kernel_row` compute entries and rows of the training kernel matrix
inside the numba SMO solver;
`kernel_matrix` computes k between two sets of rows with BLAS for prediction. Kernels are
passed to numba as their index in KERNELS. ‖a − b‖² is computed as ‖a‖² + ‖b‖² − 2a·b, as
libsvm does, and clipped at 0.
"""

import numpy as np
from numba import njit

KERNELS = ("linear", "poly", "rbf")
LINEAR, POLY, RBF = range(3)


@njit(cache=True)
def kernel_value(X, sq_norms, i, k, kernel, gamma, coef0, degree):
    """k(X[i], X[k]); sq_norms[r] = ‖X[r]‖²."""
    dot = 0.0
    for j in range(X.shape[1]):
        dot += X[i, j] * X[k, j]
    if kernel == LINEAR:
        return dot
    if kernel == POLY:
        return (gamma * dot + coef0) ** degree
    return np.exp(-gamma * max(sq_norms[i] + sq_norms[k] - 2.0 * dot, 0.0))


@njit(cache=True)
def kernel_row(X, sq_norms, i, kernel, gamma, coef0, degree, out):
    """out[k] = k(X[i], X[k]) for every row k."""
    for k in range(X.shape[0]):
        out[k] = kernel_value(X, sq_norms, i, k, kernel, gamma, coef0, degree)


def kernel_matrix(A, B, kernel, gamma, coef0, degree):
    """The (len(A), len(B)) matrix of k(A[r], B[c]) for the kernel named `kernel`."""
    dots = A @ B.T
    if kernel == "linear":
        return dots
    if kernel == "poly":
        return (gamma * dots + coef0) ** degree
    sq_dist = np.einsum("ij,ij->i", A, A)[:, np.newaxis] + np.einsum("ij,ij->i", B, B) - 2 * dots
    return np.exp(-gamma * np.maximum(sq_dist, 0.0))
