"""Lasso and ElasticNet against scikit-learn's: correlated sparse data, and a weak penalty.

The first two cases, 100,000 × 100: features are Gaussian with AR(1) correlation 0.5 between
neighbours, standardized; 20 of the 100 true coefficients are non-zero (N(0, 1)), the noise is
N(0, 2²), the target has an offset of 1; the first 80,000 rows train, the last 20,000 test.
alpha=0.02 keeps 21 (Lasso) and 41 (ElasticNet) of the 100 coefficients non-zero, after 9 and
11 sweeps. Both sides use the same alpha, l1_ratio and the default tol (1e-4) and max_iter;
ours chooses its solver with precompute="auto" (here the Gram matrix), scikit-learn's default
sweeps the data. Five interleaved repeats: the fits take a tenth of a second, so load on the
machine shows.

The weak-penalty cases (issue 13): features are independent N(0, 1), every one of the true
coefficients is N(0, 1), the noise is N(0, 1) and the target has an offset of 1
(`normal_linear_regression`); the first 80% of rows train, the rest test. alpha=0.01 keeps
almost every coefficient active: 100,000 × 100 (Lasso, and ElasticNet with l1_ratio=0.5)
and 20,000 × 1,000 (Lasso, "wide"). Same alpha, tol and max_iter on both sides.
"""

from functools import cache

import numpy as np
from sklearn import linear_model

from algorithms.linear.coordinate_descent import ElasticNet, Lasso
from benchmarks.harness import Case

ALPHA = 0.02
WEAK_ALPHA = 0.01


def correlated_sparse_regression(n=100_000, p=100, informative=20, seed=0):
    """(X_train, y_train, X_test, y_test): the module docstring's data, 80/20 split."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = 0.5 * X[:, j - 1] + np.sqrt(1 - 0.5**2) * Z[:, j]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    coef = np.zeros(p)
    coef[rng.choice(p, informative, replace=False)] = rng.normal(size=informative)
    y = X @ coef + rng.normal(0.0, 2.0, n) + 1.0
    split = int(0.8 * n)
    return X[:split], y[:split], X[split:], y[split:]


def normal_linear_regression(n, p, seed):
    """(X_train, y_train, X_test, y_test): N(0, 1) features, y = Xw + 1 + N(0, 1), w ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 1.0 + rng.standard_normal(n)
    split = int(0.8 * n)
    return X[:split], y[:split], X[split:], y[split:]


@cache
def tall_weak_penalty():
    """100,000 × 100 of `normal_linear_regression`."""
    return normal_linear_regression(100_000, 100, seed=2)


@cache
def wide_weak_penalty():
    """20,000 × 1,000 of `normal_linear_regression`."""
    return normal_linear_regression(20_000, 1_000, seed=3)


CASES = [
    Case(
        name="Lasso 100,000 × 100 (alpha=0.02)",
        data=correlated_sparse_regression,
        ours=lambda: Lasso(alpha=ALPHA),
        reference=lambda: linear_model.Lasso(alpha=ALPHA),
        repeats=5,
    ),
    Case(
        name="ElasticNet 100,000 × 100 (alpha=0.02, l1_ratio=0.5)",
        data=correlated_sparse_regression,
        ours=lambda: ElasticNet(alpha=ALPHA, l1_ratio=0.5),
        reference=lambda: linear_model.ElasticNet(alpha=ALPHA, l1_ratio=0.5),
        repeats=5,
    ),
    Case(
        name="Lasso 100,000 × 100 (alpha=0.01)",
        data=tall_weak_penalty,
        ours=lambda: Lasso(alpha=WEAK_ALPHA),
        reference=lambda: linear_model.Lasso(alpha=WEAK_ALPHA),
        repeats=5,
    ),
    Case(
        name="ElasticNet 100,000 × 100 (alpha=0.01, l1_ratio=0.5)",
        data=tall_weak_penalty,
        ours=lambda: ElasticNet(alpha=WEAK_ALPHA, l1_ratio=0.5),
        reference=lambda: linear_model.ElasticNet(alpha=WEAK_ALPHA, l1_ratio=0.5),
        repeats=5,
    ),
    Case(
        name="Lasso wide 20,000 × 1,000 (alpha=0.01)",
        data=wide_weak_penalty,
        ours=lambda: Lasso(alpha=WEAK_ALPHA),
        reference=lambda: linear_model.Lasso(alpha=WEAK_ALPHA),
    ),
]
