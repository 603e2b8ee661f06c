"""The online delta rule of the learning-rate chapter: nudge the weights after every post.

For each post x with 0/1 target y, in order (or in a seeded permutation per epoch):

    s = x·w + b,   error = y − s (rule "lms")  or  y − [s > threshold] (rule "perceptron"),
    w ← w + η_t · error · x,   b ← b + η_t · error (when fit_intercept),

with η_t = learning_rate / (1 + learning_rate_decay · t) in epoch t (counted from 0). An
epoch's loss is the mean of error² over its posts, measured as they are visited.
"""

import numbers

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from algorithms._constraints import FINITE, NON_NEGATIVE, POSITIVE, POSITIVE_INT, SEED
from algorithms._kernel_args import read_only
from algorithms.linear._binary import BinaryThresholdMixin, binary_classes, encode_binary

RULES = ("lms", "perceptron")
# Upper bound on the visiting-order entries (epochs × posts) drawn at once when shuffling.
_MAX_ORDER_ENTRIES = 1 << 20


@njit(cache=True)
def delta_rule_epochs(X, y, orders, rates, coef, intercept, threshold, perceptron, fit_intercept):
    """Run len(rates) online epochs; epoch e visits rows orders[e % len(orders)] at rate rates[e].

    Returns (coef, intercept, losses), losses[e] = mean error² of epoch e; stops after the first
    epoch whose loss is not finite (then len(losses) is that epoch's number). coef is not
    modified in place.
    """
    coef = coef.copy()
    n_features = X.shape[1]
    n_epochs = rates.shape[0]
    losses = np.empty(n_epochs)
    for epoch in range(n_epochs):
        order = orders[epoch % orders.shape[0]]
        rate = rates[epoch]
        total = 0.0
        for i in order:
            score = intercept
            for j in range(n_features):
                score += X[i, j] * coef[j]
            output = score
            if perceptron:
                output = 1.0 if score > threshold else 0.0
            error = y[i] - output
            total += error * error
            step = rate * error
            for j in range(n_features):
                coef[j] += step * X[i, j]
            if fit_intercept:
                intercept += step
        losses[epoch] = total / order.shape[0]
        if not np.isfinite(losses[epoch]):
            return coef, intercept, losses[: epoch + 1]
    return coef, intercept, losses


class DeltaRuleClassifier(BinaryThresholdMixin, ClassifierMixin, BaseEstimator):
    """Binary linear classifier trained post by post with the delta rule (module docstring).

    Initial weights are uniform [0, 1) from np.random.default_rng(random_state); the intercept
    starts at 0. Epochs are counted from that fresh start, so partial_fit continues the decay
    schedule. With shuffle=True and an integer random_state, epoch t visits the posts in the
    permutation drawn from np.random.default_rng([random_state, t]); fit(epochs=k) therefore
    equals k partial_fit calls.

    Fitted attributes: classes_, coef_ (n_features,), intercept_ (float), loss_curve_ (mean
    error² per epoch, all epochs since the last fresh start), n_iter_ (= len(loss_curve_)),
    n_features_in_.
    """

    _parameter_constraints = {
        "learning_rate": POSITIVE,
        "epochs": POSITIVE_INT,
        "threshold": FINITE,
        "rule": [StrOptions(set(RULES))],
        "fit_intercept": ["boolean"],
        "learning_rate_decay": NON_NEGATIVE,
        "shuffle": ["boolean"],
        "random_state": SEED,
    }

    def __init__(
        self,
        learning_rate=0.01,
        epochs=100,
        threshold=0.5,
        rule="lms",
        fit_intercept=False,
        learning_rate_decay=0.0,
        shuffle=False,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.threshold = threshold
        self.rule = rule
        self.fit_intercept = fit_intercept
        self.learning_rate_decay = learning_rate_decay
        self.shuffle = shuffle
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None):
        """Start from fresh weights (or coef_init / intercept_init) and run `epochs` epochs."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        classes = binary_classes(self, y)
        coef, intercept = self._initial_weights(X.shape[1], coef_init, intercept_init)
        return self._train(X, y, classes, coef, intercept, np.empty(0), self.epochs)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, coef_init=None, intercept_init=None):
        """Run one epoch, continuing from coef_ when fitted; the first call needs `classes`."""
        first_call = not hasattr(self, "coef_")
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", reset=first_call)
        check_classification_targets(y)
        if first_call:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = binary_classes(self, classes)
            coef, intercept = self._initial_weights(X.shape[1], coef_init, intercept_init)
            return self._train(X, y, classes, coef, intercept, np.empty(0), 1)
        if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"previous calls, {self.classes_.tolist()}."
            )
        return self._train(X, y, self.classes_, self.coef_, self.intercept_, self.loss_curve_, 1)

    def _train(self, X, y, classes, coef, intercept, loss_curve, n_epochs):
        """Run n_epochs after the len(loss_curve) done so far, then store the fitted state."""
        y01 = encode_binary(y, classes)
        first_epoch = len(loss_curve)
        epochs = np.arange(first_epoch, first_epoch + n_epochs)
        rates = self.learning_rate / (1.0 + self.learning_rate_decay * epochs)
        batch = max(1, _MAX_ORDER_ENTRIES // X.shape[0]) if self.shuffle else n_epochs
        losses = [loss_curve]
        for start in range(0, n_epochs, batch):
            coef, intercept, batch_losses = delta_rule_epochs(
                read_only(X),
                y01,
                self._visiting_orders(X.shape[0], epochs[start : start + batch]),
                rates[start : start + batch],
                read_only(coef),
                float(intercept),
                float(self.threshold),
                self.rule == "perceptron",
                bool(self.fit_intercept),
            )
            losses.append(batch_losses)
            if not (np.isfinite(batch_losses).all() and np.isfinite(coef).all()):
                raise ValueError(
                    f"training diverged at epoch {first_epoch + start + len(batch_losses)} "
                    f"with learning_rate={self.learning_rate}: the loss or weights became "
                    "NaN/inf; try a smaller learning_rate."
                )
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = float(intercept)
        self.loss_curve_ = np.concatenate(losses)
        self.n_iter_ = len(self.loss_curve_)
        return self

    def _initial_weights(self, n_features, coef_init, intercept_init):
        """coef_init or uniform [0, 1) draws from default_rng(random_state); intercept_init or 0."""
        if coef_init is None:
            coef = np.random.default_rng(self.random_state).random(n_features)
        else:
            coef = np.array(coef_init, dtype=np.float64)
            if coef.shape != (n_features,) or not np.isfinite(coef).all():
                raise ValueError(
                    f"coef_init must hold {n_features} finite numbers, got shape {coef.shape}."
                )
        if intercept_init is None:
            return coef, 0.0
        if not self.fit_intercept:
            raise ValueError("intercept_init needs fit_intercept=True.")
        if not np.isfinite(intercept_init):
            raise ValueError(f"intercept_init must be finite, got {intercept_init}.")
        return coef, float(intercept_init)

    def _visiting_orders(self, n_samples, epochs):
        """Row orders of the given epochs: one identity row, or a seeded permutation per epoch."""
        if not self.shuffle:
            return np.arange(n_samples)[np.newaxis, :]
        if isinstance(self.random_state, numbers.Integral):
            rngs = [np.random.default_rng([int(self.random_state), int(t)]) for t in epochs]
        else:
            rngs = [np.random.default_rng(self.random_state)] * len(epochs)
        return np.stack([rng.permutation(n_samples) for rng in rngs])
