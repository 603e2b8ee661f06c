"""DecisionTreeClassifier and RandomForestClassifier against scikit-learn's, fit + predict.

Data: X ~ N(0, 1) with 20 features, six of them informative through a non-linear score
x0·x1 + sin(2·x2) + x3² − 1 + x4/2 − |x5|/2 plus noise; the label is its sign. The first
rows train (50,000 or 20,000), the next 20% of that number test; held-out accuracy is about
0.83 for the depth-10 tree and 0.86 for the forest.
"""

from functools import cache

import numpy as np
from sklearn import ensemble, tree

from algorithms.tree import DecisionTreeClassifier, RandomForestClassifier
from benchmarks.harness import Case


def nonlinear_classes(n_train, n_features, seed):
    """Seeded (X_train, y_train, X_test, y_test), n_train + n_train / 4 rows in all."""
    rng = np.random.default_rng(seed)
    n = n_train + n_train // 4
    X = rng.standard_normal((n, n_features))
    score = (
        X[:, 0] * X[:, 1]
        + np.sin(2 * X[:, 2])
        + X[:, 3] ** 2
        - 1
        + 0.5 * X[:, 4]
        - 0.5 * np.abs(X[:, 5])
        + 0.3 * rng.standard_normal(n)
    )
    y = (score > 0).astype(int)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@cache
def tree_data():
    """50,000 × 20 to train, 12,500 to test."""
    return nonlinear_classes(50_000, 20, seed=0)


@cache
def forest_data():
    """20,000 × 20 to train, 5,000 to test."""
    return nonlinear_classes(20_000, 20, seed=1)


FOREST = dict(n_estimators=50, max_depth=10, n_jobs=2, random_state=0)

CASES = [
    Case(
        name="DecisionTreeClassifier 50,000 × 20, max_depth=10",
        data=tree_data,
        ours=lambda: DecisionTreeClassifier(max_depth=10, random_state=0),
        reference=lambda: tree.DecisionTreeClassifier(max_depth=10, random_state=0),
        max_score_gap=0.01,
        repeats=5,
    ),
    Case(
        name="RandomForestClassifier 20,000 × 20, 50 trees, max_depth=10, n_jobs=2",
        data=forest_data,
        ours=lambda: RandomForestClassifier(**FOREST),
        reference=lambda: ensemble.RandomForestClassifier(**FOREST),
        max_score_gap=0.01,
    ),
]
