"""Lasso and ElasticNet against scikit-learn's on 100,000 × 100 correlated, standardized features.

Features are Gaussian with AR(1) correlation 0.5 between neighbours, standardized; 20 of the
100 true coefficients are non-zero (N(0, 1)), the noise is N(0, 2²), the target has an offset
of 1; the first 80,000 rows train, the last 20,000 test. alpha=0.02 keeps 21 (Lasso) and 41
(ElasticNet) of the 100 coefficients non-zero, after 9 and 11 sweeps. Both sides use the same
alpha, l1_ratio and the default tol (1e-4) and max_iter; ours chooses its solver with
precompute="auto" (here the Gram matrix), scikit-learn's default sweeps the data. Five
interleaved repeats: the fits take a tenth of a second, so load on the machine shows.
"""

import numpy as np
from sklearn import linear_model

from algorithms.linear.coordinate_descent import ElasticNet, Lasso
from benchmarks.harness import Case

ALPHA = 0.02


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
]
