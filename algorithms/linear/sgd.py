"""Mini-batch stochastic gradient descent for linear regression, for data arriving in chunks.

Objective (scikit-learn's SGDRegressor with loss="squared_error"):

    (1/n) Σ_i ½(y_i − x_i·w − b)² + α·R(w),   R = ½‖w‖² ("l2"), ‖w‖₁ ("l1"),
    R = ((1 − ρ)/2)‖w‖² + ρ‖w‖₁ ("elasticnet", ρ = l1_ratio), R = 0 (None).

Each epoch visits the rows in order (or a seeded permutation) in mini-batches B of batch_size
rows; with r_i = x_i·w + b − y_i and step η_t, a batch makes the proximal update

    w ← S_{η_t·α·ρ}((1 − η_t·α·(1 − ρ))·w − η_t·(1/|B|)·Σ_B r_i·x_i),   b ← b − η_t·(1/|B|)·Σ_B r_i,

S_τ being soft-thresholding (the proximal step of ‖·‖₁), ρ = 1 for "l1", 0 for "l2". The
step is η_t = eta0 / t^power_t ("invscaling", t counting updates from 1), eta0 ("constant"),
or eta0 divided by 5 whenever n_iter_no_change epochs in a row fail to lower the epoch loss by
tol ("adaptive"). An epoch's loss is the mean of ½r_i² over its rows, each measured just
before its batch's update. scikit-learn's "optimal" schedule, 1/(α(t + t₀)) with a t₀
heuristic tuned for classification losses, is left out.
"""

import numbers

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE, POSITIVE_INT, PROBABILITY, SEED

LEARNING_RATES = ("invscaling", "constant", "adaptive")
# "adaptive" stops instead of dividing the step by 5 once it is at most this (as scikit-learn).
_MIN_ADAPTIVE_ETA = 1e-6


def penalty_weights(penalty, alpha, l1_ratio):
    """(l2, l1): the weights of ½‖w‖² and ‖w‖₁ in α·R(w) for a penalty name (module docstring)."""
    ratio = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, None: 0.0}[penalty]
    alpha = 0.0 if penalty is None else float(alpha)
    return alpha * (1.0 - ratio), alpha * ratio


def order_rng(random_state):
    """The generator permutations are drawn from when random_state is not an integer."""
    return np.random.default_rng(
        None if isinstance(random_state, numbers.Integral) else random_state
    )


def visiting_order(n_samples, shuffle, random_state, key, rng):
    """Rows in order, or a permutation: of np.random.default_rng([random_state, key]) for an
    integer random_state (so the same key always visits in the same order), else of rng."""
    if not shuffle:
        return np.arange(n_samples)
    if isinstance(random_state, numbers.Integral):
        rng = np.random.default_rng([int(random_state), int(key)])
    return rng.permutation(n_samples)


@njit(cache=True)
def sgd_epoch(X, y, order, coef, intercept, t, eta, power_t, l2, l1, batch_size, fit_intercept):
    """One pass over the rows order[k] in mini-batches (module docstring); updates coef in place.

    The step of the update counted t is eta / t**power_t. Returns (intercept, t, loss_sum,
    finite): loss_sum is Σ ½r² over the visited rows; the pass stops early, with finite False,
    at the first batch whose loss is not finite.
    """
    n_rows = order.shape[0]
    n_features = X.shape[1]
    grad = np.empty(n_features)
    loss_sum = 0.0
    for start in range(0, n_rows, batch_size):
        stop = min(start + batch_size, n_rows)
        grad[:] = 0.0
        grad_intercept = 0.0
        batch_loss = 0.0
        for k in range(start, stop):
            row = order[k]
            residual = intercept - y[row]
            for j in range(n_features):
                residual += X[row, j] * coef[j]
            batch_loss += 0.5 * residual * residual
            grad_intercept += residual
            for j in range(n_features):
                grad[j] += residual * X[row, j]
        loss_sum += batch_loss
        if not np.isfinite(batch_loss):
            return intercept, t, loss_sum, False
        rate = eta / t**power_t
        step = rate / (stop - start)
        decay = 1.0 - rate * l2
        threshold = rate * l1
        for j in range(n_features):
            weight = decay * coef[j] - step * grad[j]
            if threshold > 0.0:
                weight = np.sign(weight) * max(abs(weight) - threshold, 0.0)
            coef[j] = weight
        if fit_intercept:
            intercept -= step * grad_intercept
        t += 1.0
    return intercept, t, loss_sum, True


class SGDRegressor(RegressorMixin, BaseEstimator):
    """Linear regression by mini-batch SGD on squared error plus an optional penalty.

    fit runs up to max_iter epochs from w = 0, b = 0 (or from the current coef_ with
    warm_start), stopping once n_iter_no_change epochs in a row fail to lower the epoch loss
    below the best so far minus tol (tol=None: never). partial_fit makes one epoch over the
    given chunk and continues from the current weights and t_, so a model can learn from data
    that arrives in chunks; it never stops early and "adaptive" keeps eta0 there. With
    shuffle=True and an integer random_state, epoch e visits the rows in the permutation of
    np.random.default_rng([random_state, e]), so fit with tol=None equals max_iter partial_fit
    calls on the same data.

    Fitted attributes: coef_ (n_features,), intercept_ (float), loss_curve_ (epoch losses since
    the last fresh start), n_iter_ (= len(loss_curve_)), t_ (1 + updates made), n_features_in_.
    """

    _parameter_constraints = {
        "loss": [StrOptions({"squared_error"})],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": NON_NEGATIVE,
        "l1_ratio": PROBABILITY,
        "fit_intercept": ["boolean"],
        "max_iter": POSITIVE_INT,
        "tol": [*NON_NEGATIVE, None],
        "shuffle": ["boolean"],
        "random_state": SEED,
        "learning_rate": [StrOptions(set(LEARNING_RATES))],
        "eta0": POSITIVE,
        "power_t": NON_NEGATIVE,
        "n_iter_no_change": POSITIVE_INT,
        "warm_start": ["boolean"],
        "batch_size": POSITIVE_INT,
    }

    def __init__(
        self,
        loss="squared_error",
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        random_state=None,
        learning_rate="invscaling",
        eta0=0.01,
        power_t=0.25,
        n_iter_no_change=5,
        warm_start=False,
        batch_size=32,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.batch_size = batch_size

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Run up to max_iter epochs from zero weights (or coef_ with warm_start); returns self."""
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", force_writeable=True, y_numeric=True
        )
        coef, intercept = np.zeros(X.shape[1]), 0.0
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape != coef.shape:
                raise ValueError(
                    f"warm_start needs X with {self.coef_.shape[0]} features like the previous "
                    f"fit, got {X.shape[1]}."
                )
            coef, intercept = self.coef_.copy(), self.intercept_
        return self._run_epochs(X, y, coef, intercept, 1.0, np.empty(0), self.max_iter, True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """One epoch over this chunk, continuing from the current weights; returns self."""
        first_call = not hasattr(self, "coef_")
        X, y = validate_data(
            self,
            X,
            y,
            dtype=np.float64,
            order="C",
            force_writeable=True,
            y_numeric=True,
            reset=first_call,
        )
        if first_call:
            return self._run_epochs(X, y, np.zeros(X.shape[1]), 0.0, 1.0, np.empty(0), 1, False)
        return self._run_epochs(
            X, y, self.coef_.copy(), self.intercept_, self.t_, self.loss_curve_, 1, False
        )

    def predict(self, X):
        """X·coef_ + intercept_."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_

    def _run_epochs(self, X, y, coef, intercept, t, loss_curve, n_epochs, stop_early):
        """Run up to n_epochs after the len(loss_curve) done so far; store the fitted state."""
        y = np.array(y, dtype=np.float64)  # writeable float64, as X: one kernel signature
        l2, l1 = penalty_weights(self.penalty, self.alpha, self.l1_ratio)
        power_t = float(self.power_t) if self.learning_rate == "invscaling" else 0.0
        eta = float(self.eta0)
        rng = order_rng(self.random_state)
        losses = list(loss_curve)
        best, stalled = np.inf, 0
        for _ in range(n_epochs):
            epoch = len(losses)
            intercept, t, loss_sum, finite = sgd_epoch(
                X,
                y,
                visiting_order(X.shape[0], self.shuffle, self.random_state, epoch, rng),
                coef,
                float(intercept),
                float(t),
                eta,
                power_t,
                l2,
                l1,
                int(self.batch_size),
                bool(self.fit_intercept),
            )
            if not (finite and np.isfinite(coef).all() and np.isfinite(intercept)):
                raise ValueError(
                    f"SGD diverged in epoch {epoch} with eta0={self.eta0} "
                    f"(learning_rate={self.learning_rate!r}): the loss or weights became "
                    "NaN/inf; try a smaller eta0 (or scale the features)."
                )
            losses.append(loss_sum / X.shape[0])
            if not stop_early or self.tol is None:
                continue
            stalled = stalled + 1 if losses[-1] > best - self.tol else 0
            best = min(best, losses[-1])
            if stalled >= self.n_iter_no_change:
                if self.learning_rate != "adaptive" or eta <= _MIN_ADAPTIVE_ETA:
                    break
                eta, stalled = eta / 5.0, 0
        self.coef_ = coef
        self.intercept_ = float(intercept)
        self.loss_curve_ = np.array(losses)
        self.n_iter_ = len(losses)
        self.t_ = float(t)
        return self
