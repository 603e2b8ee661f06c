"""LogisticRegression (default l2, C=1, lbfgs, max_iter=100, tol=1e-4) against scikit-learn's.

Data: X ~ N(0, 1) with 60% informative features (the rest pure noise), labels drawn from the
softmax (sigmoid for two classes) of X Wᵀ, so the classes overlap and held-out accuracy is
about 0.85; first 80% of rows train, the rest test. The wide case (issue 13): three classes,
25,000 × 500 (300 informative), with strong regularization (C=0.01) on both sides.

The l1 case is informational: scikit-learn's only L1 solver for this size is saga, which stops
on a different rule (the change of the weights), so its ratio compares two algorithms.
"""

from functools import cache

import numpy as np
from sklearn import linear_model

from algorithms.linear.logistic import LogisticRegression
from benchmarks.harness import Case


def noisy_classes(n_samples, n_features, n_classes, scale, seed):
    """Seeded (X_train, y_train, X_test, y_test): labels sampled from the model's probabilities."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    n_blocks = 1 if n_classes == 2 else n_classes
    coef = rng.standard_normal((n_blocks, n_features)) * scale / np.sqrt(n_features)
    coef[:, int(0.6 * n_features) :] = 0.0
    scores = X @ coef.T
    if n_classes == 2:
        scores = np.column_stack([np.zeros(n_samples), scores[:, 0]])
    proba = np.exp(scores - scores.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    y = (rng.random(n_samples)[:, np.newaxis] > proba.cumsum(axis=1)).sum(axis=1)
    split = int(0.8 * n_samples)
    return X[:split], y[:split], X[split:], y[split:]


@cache
def binary():
    """Two classes, 100,000 × 50 (30 informative): held-out accuracy about 0.85."""
    return noisy_classes(100_000, 50, 2, 4.0, seed=0)


@cache
def five_classes():
    """Five classes, 50,000 × 30 (18 informative): held-out accuracy about 0.82."""
    return noisy_classes(50_000, 30, 5, 6.0, seed=1)


@cache
def three_classes_wide():
    """Three classes, 25,000 × 500 (300 informative)."""
    return noisy_classes(25_000, 500, 3, 6.0, seed=2)


CASES = [
    Case(
        name="LogisticRegression binary 100,000 × 50",
        data=binary,
        ours=lambda: LogisticRegression(C=1.0),
        reference=lambda: linear_model.LogisticRegression(C=1.0),
        repeats=7,
    ),
    Case(
        name="LogisticRegression 5 classes 50,000 × 30",
        data=five_classes,
        ours=lambda: LogisticRegression(C=1.0),
        reference=lambda: linear_model.LogisticRegression(C=1.0),
        repeats=7,
    ),
    Case(
        name="LogisticRegression 3 classes wide 25,000 × 500 (C=0.01)",
        data=three_classes_wide,
        ours=lambda: LogisticRegression(C=0.01),
        reference=lambda: linear_model.LogisticRegression(C=0.01),
    ),
    Case(
        name="LogisticRegression l1 binary 100,000 × 50 (informational, against saga)",
        data=binary,
        ours=lambda: LogisticRegression(penalty="l1", C=1.0),
        reference=lambda: linear_model.LogisticRegression(solver="saga", l1_ratio=1.0, C=1.0),
    ),
]
