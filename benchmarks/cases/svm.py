"""LinearSVC and SVC against scikit-learn's (liblinear and libsvm), same objective and params.

LinearSVC data: X ~ N(0, 1), 50,000 × 50 (already standardised), labels the sign of X w plus
unit Gaussian noise, so the classes overlap and held-out accuracy is about 0.90; first 80% of
rows train, the rest test. With the defaults (squared hinge, C=1, tol=1e-4, max_iter=1000,
dual="auto") both pick the primal solver (n_samples ≥ n_features): our Newton method
against liblinear's trust-region Newton. The dual case forces dual coordinate descent on both
sides with C=0.1, where it converges in about 200 epochs.

SVC: rbf SMO on 5,000 × 20 with a non-linear boundary (a sphere in 5 features plus a linear
term and noise; held-out accuracy about 0.89), C=1, gamma="scale", tol=1e-3. Both solvers take
the same steps (second-order working-set selection) and stop after the same iterations;
libsvm shrinks and caches float32 kernel rows, ours caches whole float64 rows, unshrunk.
"""

from functools import cache

import numpy as np
from sklearn import svm

from algorithms.svm import SVC, LinearSVC
from benchmarks.harness import Case


def split(X, y):
    """(X_train, y_train, X_test, y_test): the first 80% of rows train."""
    cut = int(0.8 * len(y))
    return X[:cut], y[:cut], X[cut:], y[cut:]


@cache
def overlapping_halves():
    """Two classes, 50,000 × 50: the sign of X w + noise (held-out accuracy about 0.90)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50_000, 50))
    w = rng.standard_normal(50) * 3.0 / np.sqrt(50)
    return split(X, (X @ w + rng.standard_normal(50_000) > 0).astype(int))


@cache
def sphere():
    """Two classes, 5,000 × 20: inside or outside a sphere in 5 features, tilted and noisy."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5_000, 20))
    score = (X[:, :5] ** 2).sum(axis=1) - 5.0 + X[:, 5:10] @ rng.standard_normal(5)
    return split(X, (score + rng.standard_normal(5_000) > 0).astype(int))


CASES = [
    Case(
        name="LinearSVC binary 50,000 × 50",
        data=overlapping_halves,
        ours=lambda: LinearSVC(C=1.0, loss="squared_hinge", tol=1e-4, max_iter=1000),
        reference=lambda: svm.LinearSVC(C=1.0, loss="squared_hinge", tol=1e-4, max_iter=1000),
        max_score_gap=0.01,
        repeats=5,
    ),
    Case(
        name="LinearSVC dual coordinate descent C=0.1 binary 50,000 × 50",
        data=overlapping_halves,
        ours=lambda: LinearSVC(C=0.1, dual=True, random_state=0),
        reference=lambda: svm.LinearSVC(C=0.1, dual=True, random_state=0),
        max_score_gap=0.01,
    ),
    Case(
        name="SVC rbf binary 5,000 × 20",
        data=sphere,
        ours=lambda: SVC(C=1.0, kernel="rbf", gamma="scale", tol=1e-3),
        reference=lambda: svm.SVC(C=1.0, kernel="rbf", gamma="scale", tol=1e-3),
        max_score_gap=0.01,
    ),
]
