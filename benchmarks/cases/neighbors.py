"""KNeighborsClassifier (k=5, uniform) against scikit-learn's.

Data: five Gaussian classes in 20 dimensions (centres N(0, 0.7²), unit noise, so they overlap and
held-out accuracy is about 0.92); 20,000 training rows and 10,000 query rows (the harness times fit
+ predict, and a neighbours model's time is all in predict). scikit-learn runs with its defaults,
as a user gets it: algorithm="auto" picks brute force for more than 15 features, the same search as
ours.
"""

from functools import cache

import numpy as np
from sklearn import neighbors

from algorithms.neighbors import KNeighborsClassifier
from benchmarks.harness import Case


@cache
def five_blobs():
    """Seeded (X_train, y_train, X_test, y_test): 20,000 + 10,000 rows, 20 features."""
    rng = np.random.default_rng(0)
    n_train, n_test, n_features = 20_000, 10_000, 20
    centres = rng.normal(0.0, 0.7, (5, n_features))
    y = rng.integers(0, 5, n_train + n_test)
    X = centres[y] + rng.standard_normal((n_train + n_test, n_features))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


CASES = [
    Case(
        name="KNeighborsClassifier fit + predict, 20,000 × 20, 10,000 queries",
        data=five_blobs,
        ours=lambda: KNeighborsClassifier(n_neighbors=5),
        reference=lambda: neighbors.KNeighborsClassifier(n_neighbors=5),
        max_score_gap=0.01,
        repeats=5,
    ),
]
