"""MLPClassifier against scikit-learn's on the 8×8 digits, 50 epochs of Adam.

Data: sklearn.datasets.load_digits (1,797 images, 64 pixels, 10 classes), rows in a seeded
permutation, the first 75% to train and the rest to test, pixels standardized with the
training rows' mean and standard deviation (constant pixels left at 0). Both networks have
one hidden layer of 64 ReLU units, Adam at 0.001, batches of 200, alpha 1e-4 and the same
random_state; tol=0 and a patience longer than the run make both train exactly 50 epochs
(both warn that max_iter was reached).
"""

import numpy as np
from sklearn import neural_network
from sklearn.datasets import load_digits

from algorithms.neural_network import MLPClassifier
from benchmarks.harness import Case

PARAMS = dict(
    hidden_layer_sizes=(64,),
    solver="adam",
    batch_size=200,
    max_iter=50,
    tol=0.0,
    n_iter_no_change=1000,
    random_state=0,
)


def standardized_digits(seed=0):
    """(X_train, y_train, X_test, y_test): the module docstring's data, 75/25 split."""
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(X))
    split = int(0.75 * len(X))
    train, test = order[:split], order[split:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0
    X = (X - mean) / std
    return X[train], y[train], X[test], y[test]


CASES = [
    Case(
        name="MLPClassifier digits 1,347 × 64, (64,) adam, 50 epochs",
        data=standardized_digits,
        ours=lambda: MLPClassifier(**PARAMS),
        reference=lambda: neural_network.MLPClassifier(**PARAMS),
        max_score_gap=0.02,
        repeats=5,
    ),
]
