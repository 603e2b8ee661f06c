"""The SVC kernels: a·b ("linear"), (γ a·b + coef0)^degree ("poly"), exp(−γ‖a − b‖²) ("rbf").

`kernel_value` computes one entry and `kernel_row` a row of the training kernel matrix inside
the numba SMO solver; `kernel_matrix` computes k between two sets of rows with BLAS for
prediction. Kernels are passed to numba as their index in KERNELS. ‖a − b‖² is computed as
‖a‖² + ‖b‖² − 2a·b, as libsvm does, and clipped at 0.

A row is computed from Xᵀ (features × rows, C order), one feature at a time over all the rows,
so the loops run over contiguous memory and compile to vector instructions; the rbf row's
exponentials too (`exp_of_nonpositive`, numba's own exp is a scalar library call, 5 times
slower than numpy's).
"""

import numpy as np
from numba import njit

KERNELS = ("linear", "poly", "rbf")
LINEAR, POLY, RBF = range(3)

LOG2_E = 1.4426950408889634
# ln 2 split in two, so that n·LN2_HIGH is exact for the |n| ≤ 1022 of a float64 exponent.
LN2_HIGH = 6.93147180369123816490e-01
LN2_LOW = 1.90821492927058770002e-10
# Below this exp(x) is subnormal (< 2⁻¹⁰²¹·⁴); it is taken as 0.
EXP_UNDERFLOW = -708.0
# 1/k! for k = 13, 12, …, 0: the Taylor polynomial of e^r, exact to 1 ulp for |r| ≤ ln2 / 2.
TAYLOR_EXP = tuple(1.0 / float(np.prod(np.arange(1, k + 1))) for k in range(13, -1, -1))


@njit(cache=True)
def exp_of_nonpositive(x, out, exponents):
    """out[k] = e^x[k] for x ≤ 0 (to 1 ulp; 0 below EXP_UNDERFLOW).

    e^x = 2ⁿ·e^r with n = round(x·log₂e) and r = x − n·ln2: e^r by its Taylor polynomial,
    2ⁿ by adding n to the result's exponent bits. exponents is int64 scratch of x's length;
    x, out and exponents must not overlap, or the loops do not vectorise.
    """
    bits = out.view(np.int64)
    for k in range(x.shape[0]):
        value = x[k]
        n = np.floor(value * LOG2_E + 0.5)
        r = value - n * LN2_HIGH - n * LN2_LOW
        power = TAYLOR_EXP[0]
        for coefficient in TAYLOR_EXP[1:]:
            power = power * r + coefficient
        underflows = value < EXP_UNDERFLOW
        out[k] = 0.0 if underflows else power
        exponents[k] = 0 if underflows else np.int64(n) << 52
    for k in range(x.shape[0]):
        bits[k] += exponents[k]


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
def kernel_row(XT, sq_norms, i, kernel, gamma, coef0, degree, out, scratch, exponents):
    """out[k] = k(X[i], X[k]) for every row k, from XT = Xᵀ in C order (module docstring).

    scratch (float64) and exponents (int64) are work arrays of out's length.
    """
    out[:] = 0.0
    for j in range(XT.shape[0]):
        feature = XT[j]
        value = feature[i]
        for k in range(out.shape[0]):
            out[k] += feature[k] * value
    if kernel == POLY:
        for k in range(out.shape[0]):
            out[k] = (gamma * out[k] + coef0) ** degree
    elif kernel == RBF:
        for k in range(out.shape[0]):
            scratch[k] = -gamma * max(sq_norms[i] + sq_norms[k] - 2.0 * out[k], 0.0)
        exp_of_nonpositive(scratch, out, exponents)


def kernel_matrix(A, B, kernel, gamma, coef0, degree):
    """The (len(A), len(B)) matrix of k(A[r], B[c]) for the kernel named `kernel`."""
    kernel_values = A @ B.T
    if kernel == "linear":
        return kernel_values
    if kernel == "poly":
        kernel_values *= gamma
        kernel_values += coef0
        return np.power(kernel_values, degree, out=kernel_values)
    kernel_values *= -2.0
    kernel_values += np.einsum("ij,ij->i", A, A)[:, np.newaxis]
    kernel_values += np.einsum("ij,ij->i", B, B)
    np.maximum(kernel_values, 0.0, out=kernel_values)
    kernel_values *= -gamma
    return np.exp(kernel_values, out=kernel_values)
