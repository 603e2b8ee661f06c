"""Chapter 1's baseline: guess the weights at random and keep the best guess.

Trial k draws w_k uniform [0, 1) per feature (and b_k uniform [0, 1) when fit_intercept),
predicts [x·w_k + b_k > threshold] and scores it by the mean squared error of that 0/1
prediction against the 0/1 target, which is the error rate. A draw replaces the kept one only
when its error is strictly lower.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from algorithms._constraints import FINITE, POSITIVE_INT, SEED
from algorithms.linear._binary import BinaryThresholdMixin, binary_classes, encode_binary

# Upper bound on the score-matrix entries (posts × trials) computed at once: 8 MB batches are
# reused by the allocator; 32 MB ones came fresh from the system each time (8,000 posts × 1,000
# trials: 0.09 s the first time in a process, against 0.02 s).
_MAX_SCORE_ENTRIES = 1 << 20


def trial_errors(X, y01, weights, intercepts, threshold) -> np.ndarray:
    """Error rate mean_i([X_i·w_k + b_k > threshold] ≠ y_i) of each trial k, in bounded batches."""
    positive = y01[:, np.newaxis] > 0.5
    batch = max(1, _MAX_SCORE_ENTRIES // X.shape[0])
    errors = np.empty(len(weights))
    for start in range(0, len(weights), batch):
        stop = start + batch
        predicted = X @ weights[start:stop].T + intercepts[start:stop] > threshold
        errors[start:stop] = np.mean(predicted != positive, axis=0)
    return errors


class RandomWeightsClassifier(BinaryThresholdMixin, ClassifierMixin, BaseEstimator):
    """Binary linear classifier whose weights are the best of n_trials uniform [0, 1) draws.

    All draws come from np.random.default_rng(random_state) as one (n_trials, n_features [+ 1])
    matrix, the last column being the intercept when fit_intercept. Fitted attributes: classes_,
    coef_ (n_features,), intercept_ (float), loss_curve_ (best error so far after each trial),
    n_features_in_.
    """

    _parameter_constraints = {
        "n_trials": POSITIVE_INT,
        "threshold": FINITE,
        "fit_intercept": ["boolean"],
        "random_state": SEED,
    }

    def __init__(self, n_trials=1000, threshold=0.5, fit_intercept=False, random_state=None):
        self.n_trials = n_trials
        self.threshold = threshold
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # random guessing is the chapter's point
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Draw n_trials weight vectors and keep the first one with the lowest error rate."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes = binary_classes(self, y)
        n_features = X.shape[1]
        draws = np.random.default_rng(self.random_state).random(
            (self.n_trials, n_features + bool(self.fit_intercept))
        )
        intercepts = draws[:, n_features] if self.fit_intercept else np.zeros(self.n_trials)
        errors = trial_errors(
            X, encode_binary(y, classes), draws[:, :n_features], intercepts, float(self.threshold)
        )
        best = int(np.argmin(errors))
        self.classes_ = classes
        self.coef_ = draws[best, :n_features].copy()
        self.intercept_ = float(intercepts[best])
        self.loss_curve_ = np.minimum.accumulate(errors)
        return self
