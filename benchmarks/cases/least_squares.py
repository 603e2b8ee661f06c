"""Least squares, ridge and SGD regression against scikit-learn on 200,000 × 50 Gaussian data.

The SGD case is informational: mini-batch SGD (ours, batches of 32) and per-sample SGD
(scikit-learn's) take different numbers of epochs to meet the same stopping rule, so its
time ratio compares two algorithms, not two implementations of one.
"""

from functools import cache

import numpy as np
from sklearn import linear_model

from algorithms.linear.least_squares import LinearRegression
from algorithms.linear.ridge import Ridge
from algorithms.linear.sgd import SGDRegressor
from benchmarks.harness import Case

N_SAMPLES, N_FEATURES = 200_000, 50


@cache
def gaussian_regression():
    """X ~ N(0, 1), y = X·w + 5 + N(0, 1) noise with w ~ N(0, 1); first 80% train, rest test."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = X @ rng.standard_normal(N_FEATURES) + 5.0 + rng.standard_normal(N_SAMPLES)
    split = int(0.8 * N_SAMPLES)
    return X[:split], y[:split], X[split:], y[split:]


CASES = [
    Case(
        name="LinearRegression 200,000 × 50",
        data=gaussian_regression,
        ours=LinearRegression,
        reference=linear_model.LinearRegression,
    ),
    Case(
        name="Ridge 200,000 × 50",
        data=gaussian_regression,
        ours=lambda: Ridge(alpha=1.0),
        reference=lambda: linear_model.Ridge(alpha=1.0),
    ),
    Case(
        name="SGDRegressor 200,000 × 50 (informational)",
        data=gaussian_regression,
        ours=lambda: SGDRegressor(random_state=0),
        reference=lambda: linear_model.SGDRegressor(random_state=0),
    ),
]
