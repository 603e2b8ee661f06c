"""Histogram gradient boosting against scikit-learn's HistGradientBoosting*.

Data: Friedman #1 on 20 uniform [0, 1) features (five informative):
y = 10·sin(π·x0·x1) + 20·(x2 − ½)² + 10·x3 + 5·x4 + N(0, 1) noise; 100,000 rows train and
20,000 test (held-out R² about 0.95), 100 iterations. The classifier case labels y above its
median (held-out accuracy about 0.93) and is informational. The wide case draws the same
target on 50 uniform features (still five informative, seed 1) and grows 200 iterations.
Early stopping is off on both sides, so both grow exactly the iterations asked for, of trees
with at most 31 leaves.
"""

from functools import cache

import numpy as np
from sklearn import ensemble

from algorithms.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from benchmarks.harness import Case

N_TRAIN, N_TEST, N_FEATURES, N_FEATURES_WIDE = 100_000, 20_000, 20, 50


@cache
def friedman(n_features=N_FEATURES, seed=0):
    """Seeded (X_train, y_train, X_test, y_test) of the Friedman #1 target (module docstring)."""
    rng = np.random.default_rng(seed)
    X = rng.random((N_TRAIN + N_TEST, n_features))
    y = (
        10 * np.sin(np.pi * X[:, 0] * X[:, 1])
        + 20 * (X[:, 2] - 0.5) ** 2
        + 10 * X[:, 3]
        + 5 * X[:, 4]
        + rng.standard_normal(len(X))
    )
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


@cache
def friedman_above_median():
    """The same rows, labelled 1 where y is above the training median."""
    X, y, X_test, y_test = friedman()
    median = np.median(y)
    return X, (y > median).astype(int), X_test, (y_test > median).astype(int)


CASES = [
    Case(
        name="GradientBoostingRegressor 100,000 × 20, 100 iterations",
        data=friedman,
        ours=lambda: GradientBoostingRegressor(n_estimators=100, early_stopping=False),
        reference=lambda: ensemble.HistGradientBoostingRegressor(
            max_iter=100, early_stopping=False
        ),
        max_score_gap=0.01,
        repeats=5,
    ),
    Case(
        name="GradientBoostingClassifier binary 100,000 × 20, 100 iterations (informational)",
        data=friedman_above_median,
        ours=lambda: GradientBoostingClassifier(n_estimators=100, early_stopping=False),
        reference=lambda: ensemble.HistGradientBoostingClassifier(
            max_iter=100, early_stopping=False
        ),
        max_score_gap=0.01,
    ),
    Case(
        name="GradientBoostingRegressor 100,000 × 50, 200 iterations",
        data=lambda: friedman(N_FEATURES_WIDE, seed=1),
        ours=lambda: GradientBoostingRegressor(n_estimators=200, early_stopping=False),
        reference=lambda: ensemble.HistGradientBoostingRegressor(
            max_iter=200, early_stopping=False
        ),
        max_score_gap=0.01,
    ),
]
