"""Linear classification by per-sample stochastic gradient descent, as scikit-learn's SGDClassifier.

Each binary problem (one per class, one-vs-rest, or a single one for two classes) has labels
y_i = ±1 and minimises (1/n) Σ_i s_i·c_i·L(y_i, x_i·w + b) + α·R(w) with the loss L ("hinge":
max(0, 1 − yp); "log_loss": ln(1 + e^(−yp)); "modified_huber": 0 for yp ≥ 1, (1 − yp)² for
yp ≥ −1, else −4yp), s_i the sample weight, c_i the weight of the row's class (weight_pos for
y = +1, weight_neg for −1) and R the penalty of `algorithms.linear.sgd`. Each row visited at
update count t (from t_ = 1) makes scikit-learn's plain-SGD step

    g = clip(∂L/∂p, ±1e12),  w ← max(0, 1 − η·α·(1 − ρ))·w − η·s_i·c_i·g·x_i,
    b ← b − η·s_i·c_i·g,

then, for "l1" and "elasticnet", the cumulative L1 penalty of Tsuruoka et al. (2009), which
clips each weight toward zero by the total penalty η·α·ρ accrued so far less what that weight
already received. The step is η = 1/(α·(t₀ + t − 1)) ("optimal", t₀ = 1/(α·√(1/√α)), the
heuristic scikit-learn derives for these losses), eta0 ("constant"), eta0/t^power_t
("invscaling"), or eta0 divided by 5 whenever n_iter_no_change epochs in a row fail to lower
the epoch's objective below the best by tol ("adaptive"; the other schedules stop there). An
epoch's objective is the mean over its rows of L + α·R(w), each taken just before the row's
update (scikit-learn 1.9's stopping rule).
"""

import warnings

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE, POSITIVE_INT, PROBABILITY, SEED
from algorithms._kernel_args import read_only
from algorithms._labels import encode_labels
from algorithms.exceptions import ConvergenceWarning
from algorithms.linear.sgd import (
    _MIN_ADAPTIVE_ETA,
    LEARNING_RATES,
    order_rng,
    visiting_order,
)

LOSSES = ("hinge", "log_loss", "modified_huber")
SCHEDULES = ("optimal", *LEARNING_RATES)
_PROBABILISTIC = ("log_loss", "modified_huber")
# scikit-learn clips the loss derivative to this, so one huge margin cannot blow the weights up.
_MAX_DLOSS = 1e12
# Rows an epoch copies at a time, in visiting order, before each problem steps through them
# (1 MB at 30 features, in L2 while the problems pass over it).
GATHER_BLOCK = 4096


@njit(cache=True)
def _loss_and_derivative(loss, p, y):
    """(L(y, p), ∂L/∂p) of loss 0 hinge, 1 log_loss, 2 modified_huber, in scikit-learn's form."""
    z = p * y
    if loss == 0:
        if z <= 1.0:
            return 1.0 - z, -y
        return 0.0, 0.0
    if loss == 1:
        # scikit-learn's half-binomial formulas on y01 ∈ {0, 1}, so rounding matches too.
        # For p > 0 the value and the derivative share e^(−p), computed once.
        y01 = 0.5 * (y + 1.0)
        if p > 0.0:
            e = np.exp(-p)
            value = (np.log1p(e) if p <= 18.0 else e) + (1.0 - y01) * p
            return value, ((1.0 - y01) - y01 * e) / (1.0 + e)
        value = np.log1p(np.exp(p)) - y01 * p
        if p > -37.0:
            e = np.exp(-p)
            return value, ((1.0 - y01) - y01 * e) / (1.0 + e)
        return value, np.exp(p) - y01
    if z >= 1.0:
        return 0.0, 0.0
    if z >= -1.0:
        return (1.0 - z) * (1.0 - z), -2.0 * (1.0 - z) * y
    return -4.0 * z, -4.0 * y


@njit(cache=True)
def sgd_classifier_epoch(
    X, codes, positives, sample_weight, order, gather, WT, state, paid, schedule, settings
):
    """One pass over the rows order[k] for m binary problems at once (module docstring),
    updating WT, state and paid in place; returns each problem's Σ over rows of L + α·R(w),
    each taken before its update.

    Problem c has labels y = +1 where codes == positives[c], else −1, and weights
    wscale_c·WT[:, c]; as scikit-learn's WeightVector, a penalty step scales wscale_c only
    (WT[:, c] absorbs it once wscale_c < 1e-9) and ‖·‖², ‖·‖₁ are its cached norms, so each
    problem's arithmetic, hence its rounding, is scikit-learn's. state (m, 9) rows are
    [intercept, t, wscale, squared norm, l1 norm, L1 penalty accrued, eta0, weight_pos,
    weight_neg]; paid (n_features, m) the L1 penalty each weight already received;
    schedule: (loss 0 hinge/1 log_loss/2 modified_huber, learning rate 0 optimal/1 constant
    or adaptive/2 invscaling, penalty 0 none/1 some, fit_intercept); settings = (power_t,
    alpha, l1_ratio, optimal_init). With gather (a shuffled order) or several problems, the
    rows are copied in visiting order, GATHER_BLOCK at a time, into a buffer that each problem
    then steps through (`_blocked_epoch`): a copy loop's loads are independent and overlap,
    where the steps' scattered reads would each wait.
    """
    if WT.shape[1] == 1 and not gather:
        return _one_problem(
            X, codes, positives[0], sample_weight, order, WT, state, paid, schedule, settings
        )
    return _blocked_epoch(
        X, codes, positives, sample_weight, order, WT, state, paid, schedule, settings
    )


@njit(cache=True)
def _blocked_epoch(X, codes, positives, sample_weight, order, WT, state, paid, schedule, settings):
    """sgd_classifier_epoch for several problems or a shuffled order: GATHER_BLOCK rows at a
    time copied in visiting order into a buffer, then each problem's `_binary_epoch` over the
    buffer in turn, its state in registers (5 problems, shuffled 50,000 × 30: hinge 15 -> 6 ms
    an epoch, log_loss 19 -> 15 ms, against one loop stepping every problem at each row);
    every problem takes the same steps, and sums its objective in the same order, as in one
    pass."""
    n_features, m = WT.shape
    weights = np.ascontiguousarray(WT.T)
    one_states = np.empty((m, 6 + n_features))
    one_states[:, :6] = state[:, :6]
    one_states[:, 6:] = paid.T
    totals = np.zeros(m)
    rows = np.empty((GATHER_BLOCK, n_features))
    row_codes = np.empty(GATHER_BLOCK, dtype=codes.dtype)
    row_weights, signs = np.empty(GATHER_BLOCK), np.empty(GATHER_BLOCK)
    in_order = np.arange(GATHER_BLOCK)
    for start in range(0, order.shape[0], GATHER_BLOCK):
        size = min(GATHER_BLOCK, order.shape[0] - start)
        visits = order[start : start + size]
        _gather(X, codes, sample_weight, visits, rows, row_codes, row_weights)
        for c in range(m):
            for b in range(size):
                signs[b] = 1.0 if row_codes[b] == positives[c] else -1.0
            totals[c] = _binary_epoch(
                rows,
                signs,
                row_weights,
                in_order[:size],
                weights[c],
                one_states[c],
                schedule,
                _problem_settings(state[c], settings),
                totals[c],
            )
    WT[:] = weights.T
    state[:, :6] = one_states[:, :6]
    paid[:] = one_states[:, 6:].T
    return totals


@njit(cache=True)
def _one_problem(X, codes, positive, sample_weight, order, WT, state, paid, schedule, settings):
    """sgd_classifier_epoch for m = 1 by `_binary_epoch`, on its state layout: [intercept, t,
    wscale, squared norm, l1 norm, L1 penalty accrued, then paid], weights WT[:, 0]."""
    one_state = np.empty(6 + WT.shape[0])
    one_state[:6] = state[0, :6]
    one_state[6:] = paid[:, 0]
    problem = _problem_settings(state[0], settings)
    signs = np.where(codes == positive, 1.0, -1.0)
    weights = WT.reshape(WT.shape[0])
    total = _binary_epoch(
        X, signs, sample_weight, order, weights, one_state, schedule, problem, 0.0
    )
    state[0, :6] = one_state[:6]
    paid[:, 0] = one_state[6:]
    return np.array([total])


@njit(cache=True)
def _problem_settings(problem_state, settings):
    """`_binary_epoch`'s settings of one problem: (eta0, power_t, alpha, l1_ratio,
    optimal_init, weight_pos, weight_neg) from its row of state and the shared settings."""
    power_t, alpha, l1_ratio, optimal_init = settings
    eta0, weight_pos, weight_neg = problem_state[6], problem_state[7], problem_state[8]
    return eta0, power_t, alpha, l1_ratio, optimal_init, weight_pos, weight_neg


@njit(cache=True)
def _binary_epoch(X, y, sample_weight, order, w, state, schedule, settings, objective_sum):
    """One pass over the rows order[k] for one problem (module docstring), updating w and
    state in place; its state lives in local variables (registers) for the whole pass.

    The weights are wscale·w, as scikit-learn's WeightVector keeps them (a penalty step
    scales wscale only; w absorbs it once wscale < 1e-9), and ‖·‖², ‖·‖₁ are its cached
    norms, so the arithmetic, hence the rounding, is scikit-learn's. y holds ±1.
    state = [intercept, t, wscale, squared norm, l1 norm, L1 penalty accrued, then one
    "penalty paid" per feature]; schedule: (loss 0 hinge/1 log_loss/2 modified_huber,
    learning rate 0 optimal/1 constant or adaptive/2 invscaling, penalty 0 none/1 some,
    fit_intercept); settings = (eta0, power_t, alpha, l1_ratio, optimal_init, weight_pos,
    weight_neg). Returns objective_sum plus the Σ over these rows of L + α·R(w), each before
    its update (so an epoch cut into blocks adds up in the same order as one pass).
    """
    loss, rate_kind, penalised, fit_intercept = schedule
    eta0, power_t, alpha, l1_ratio, optimal_init, weight_pos, weight_neg = settings
    n_features = X.shape[1]
    intercept, t, wscale, sq_norm, l1_norm, cumulative = state[:6]
    paid = state[6:]
    eta = eta0
    for k in range(order.shape[0]):
        row = order[k]
        inner = 0.0
        for j in range(n_features):
            inner += w[j] * X[row, j]
        p = inner * wscale + intercept
        if rate_kind == 0:
            eta = 1.0 / (alpha * (optimal_init + t - 1))
        elif rate_kind == 2:
            eta = eta0 / t**power_t
        value, derivative = _loss_and_derivative(loss, p, y[row])
        objective_sum += value
        if penalised:
            norm = np.sqrt(sq_norm)
            objective_sum += alpha * ((1 - l1_ratio) * 0.5 * norm**2 + l1_ratio * l1_norm)
        derivative = min(max(derivative, -_MAX_DLOSS), _MAX_DLOSS)
        update = -eta * derivative
        update *= (weight_pos if y[row] > 0.0 else weight_neg) * sample_weight[row]
        if penalised and l1_ratio < 1.0:
            c = max(0.0, 1.0 - ((1.0 - l1_ratio) * eta * alpha))
            wscale *= c
            sq_norm *= c * c
            l1_norm *= abs(c)
            if wscale < 1e-9:
                for j in range(n_features):
                    w[j] *= wscale
                wscale = 1.0
        if update != 0.0:
            l2_sum = 0.0
            l1_sum = 0.0
            step = update / wscale
            for j in range(n_features):
                w[j] += X[row, j] * step
                l2_sum += w[j] * w[j]
                l1_sum += abs(w[j])
            sq_norm = l2_sum * (wscale * wscale)
            l1_norm = l1_sum * wscale
        if fit_intercept and update != 0.0:
            intercept += update
        if penalised and l1_ratio > 0.0:
            cumulative += l1_ratio * eta * alpha
            for j in range(n_features):
                before = w[j]
                if wscale * before > 0.0:
                    w[j] = max(0.0, w[j] - ((cumulative + paid[j]) / wscale))
                elif wscale * before < 0.0:
                    w[j] = min(0.0, w[j] + ((cumulative - paid[j]) / wscale))
                paid[j] += wscale * (w[j] - before)
        t += 1
    state[0], state[1], state[2], state[3], state[4], state[5] = (
        intercept,
        t,
        wscale,
        sq_norm,
        l1_norm,
        cumulative,
    )
    return objective_sum


@njit(cache=True)
def _gather(X, codes, sample_weight, visits, rows, row_codes, row_weights):
    """rows[b], row_codes[b], row_weights[b] = X, codes, sample_weight at visits[b]."""
    for b in range(visits.shape[0]):
        row = visits[b]
        for j in range(X.shape[1]):
            rows[b, j] = X[row, j]
        row_codes[b] = codes[row]
        row_weights[b] = sample_weight[row]


def _sigmoid(scores):
    """1/(1 + e^(−s)) without overflow for large |s|."""
    return np.exp(-np.logaddexp(0.0, -scores))


class SGDClassifier(ClassifierMixin, BaseEstimator):
    """Linear classifier by per-sample SGD on hinge, log or modified Huber loss (module docstring).

    Two classes make one binary problem (coef_ of shape (1, n_features)); more make one per
    class, one-vs-rest, trained independently on the same visiting order. fit resets t_ to 1
    and runs up to max_iter epochs from zero weights (from coef_ with warm_start); each binary
    problem stops once n_iter_no_change epochs in a row fail to lower its epoch objective
    below the best by tol (tol=None: never), and fit warns ConvergenceWarning if one ran all
    max_iter. partial_fit makes one epoch over the given chunk from the current weights and
    t_; its first call needs `classes`, every label the stream will hold. With shuffle=True
    and an integer random_state, the epoch starting at update count t visits the rows in the
    permutation of np.random.default_rng([random_state, t]), so fit with tol=None equals
    max_iter partial_fit calls on the same data; the L1 penalty accrued restarts at each call
    (as scikit-learn's), so that equality holds for the "l2" and None penalties only.

    Fitted attributes: classes_, coef_ (n_rows, n_features), intercept_ (n_rows,) with n_rows
    1 for two classes else n_classes, n_iter_ (epochs of the longest binary problem in the
    last call), t_ (1 + updates made per binary problem), n_features_in_.
    """

    _parameter_constraints = {
        "loss": [StrOptions(set(LOSSES))],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": NON_NEGATIVE,
        "l1_ratio": PROBABILITY,
        "fit_intercept": ["boolean"],
        "max_iter": POSITIVE_INT,
        "tol": [*NON_NEGATIVE, None],
        "shuffle": ["boolean"],
        "random_state": SEED,
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "eta0": POSITIVE,
        "power_t": NON_NEGATIVE,
        "n_iter_no_change": POSITIVE_INT,
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        loss="hinge",
        *,
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        random_state=None,
        learning_rate="optimal",
        eta0=0.01,
        power_t=0.5,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
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
        self.class_weight = class_weight
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Up to max_iter epochs from zero weights (or coef_ with warm_start); returns self."""
        self._check_schedule()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, codes = encode_labels(self, y)
        n_rows = 1 if len(classes) == 2 else len(classes)
        coef, intercept = np.zeros((n_rows, X.shape[1])), np.zeros(n_rows)
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape != coef.shape:
                raise ValueError(
                    f"warm_start needs coef_ of shape {coef.shape} for this X and y, but the "
                    f"previous fit left {self.coef_.shape}."
                )
            coef, intercept = self.coef_.copy(), self.intercept_.copy()
        weights = compute_class_weight(self.class_weight, classes=classes, y=y)
        self._run_epochs(
            X, codes, classes, sample_weight, weights, coef, intercept, 1.0, self.max_iter
        )
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"SGDClassifier ran all max_iter={self.max_iter} epochs before its loss stopped "
                "improving by tol; consider increasing max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over this chunk from the current weights; `classes` (every label the
        stream holds) is required on the first call. Returns self."""
        self._check_schedule()
        first_call = not hasattr(self, "coef_")
        if first_call and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every class label "
                "the stream will hold, since a chunk may lack some of them."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of all the data, which "
                "partial_fit never sees; pass a dict of weights instead, or use fit."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", reset=first_call)
        check_classification_targets(y)
        if classes is not None:
            classes = np.unique(classes)
            if first_call and len(classes) < 2:
                raise ValueError(f"classes must hold two labels or more, got {classes.tolist()}.")
            if not first_call and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of the first call, "
                    f"{self.classes_.tolist()}."
                )
        known = self.classes_ if not first_call else classes
        unseen = np.unique(y[~np.isin(y, known)])
        if len(unseen):
            raise ValueError(
                f"y holds label(s) {unseen.tolist()} not among the classes {known.tolist()} "
                "given on the first call to partial_fit."
            )
        if first_call:
            n_rows = 1 if len(known) == 2 else len(known)
            coef, intercept, t = np.zeros((n_rows, X.shape[1])), np.zeros(n_rows), 1.0
        else:
            coef, intercept, t = self.coef_.copy(), self.intercept_.copy(), self.t_
        weights = compute_class_weight(self.class_weight, classes=known, y=y)
        codes = np.searchsorted(known, y)
        return self._run_epochs(X, codes, known, sample_weight, weights, coef, intercept, t, 1)

    def decision_function(self, X):
        """X·coef_ᵀ + intercept_: shape (n_samples,) for two classes, else one column each."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The class of the positive side (two classes) or of the largest score."""
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[indices]

    def _has_probabilities(self):
        if self.loss not in _PROBABILISTIC:
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r}; "
                f"use one of {list(_PROBABILISTIC)}."
            )
        return True

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), as scikit-learn's: log_loss maps
        each score through the logistic function, modified_huber through (clip(s, −1, 1) + 1)/2;
        one-vs-rest values are divided by their row sum (uniform where that sum is 0)."""
        scores = self.decision_function(X)
        if self.loss == "log_loss":
            prob = _sigmoid(scores)
        else:
            prob = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        if prob.ndim == 1:
            return np.column_stack([1.0 - prob, prob])
        total = prob.sum(axis=1, keepdims=True)
        zero = total[:, 0] == 0
        prob[zero], total[zero] = 1.0, prob.shape[1]
        return prob / total

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """The natural log of predict_proba."""
        return np.log(self.predict_proba(X))

    def _check_schedule(self):
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError(
                "alpha must be > 0 with learning_rate='optimal': its step is 1/(alpha·(t0 + t))."
            )

    def _run_epochs(
        self, X, codes, classes, sample_weight, class_weights, coef, intercept, t0, n_epochs
    ):
        """Up to n_epochs epochs of every binary problem from (coef, intercept) and update
        count t0, stopping early in fit only (n_epochs > 1 is fit); stores the fitted state
        only when every problem finished finite."""
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        n_samples, n_rows = X.shape[0], coef.shape[0]
        codes = np.asarray(codes, dtype=np.int64)
        if n_rows == 1:
            positives = np.ones(1, dtype=np.int64)
            weight_pairs = [(float(class_weights[1]), float(class_weights[0]))]
        else:
            positives = np.arange(n_rows, dtype=np.int64)
            weight_pairs = [(float(w), 1.0) for w in class_weights]
        l1_ratio = {"l2": 0.0, "l1": 1.0, "elasticnet": float(self.l1_ratio), None: 0.0}
        rates = {"optimal": 0, "constant": 1, "adaptive": 1, "invscaling": 2}
        schedule = (
            LOSSES.index(self.loss),
            rates[self.learning_rate],
            self.penalty is not None,
            bool(self.fit_intercept),
        )
        alpha = float(self.alpha)
        optimal_init = 1.0 / (np.sqrt(1.0 / np.sqrt(alpha)) * alpha) if alpha > 0 else 0.0
        settings = (float(self.power_t), alpha, l1_ratio[self.penalty], optimal_init)
        weights_t = np.ascontiguousarray(coef.T)
        paid = np.zeros_like(weights_t)
        state = np.zeros((n_rows, 9))
        state[:, 0], state[:, 1], state[:, 2] = intercept, t0, 1.0
        state[:, 3] = [np.dot(w, w) for w in coef]
        state[:, 4] = np.abs(coef).sum(axis=1)
        state[:, 6] = float(self.eta0)
        state[:, 7:] = weight_pairs
        rng = order_rng(self.random_state)
        best, stalled = np.full(n_rows, np.inf), np.zeros(n_rows, dtype=int)
        epochs, running = np.zeros(n_rows, dtype=int), np.ones(n_rows, dtype=bool)
        stop_early = n_epochs > 1 and self.tol is not None
        for epoch in range(n_epochs):
            active = np.flatnonzero(running)
            if len(active) == 0:
                break
            t = t0 + epoch * n_samples
            order = visiting_order(n_samples, self.shuffle, self.random_state, t, rng)
            problems = slice(None) if len(active) == n_rows else active
            # C order whatever `problems` is (a column subset indexes out Fortran-ordered).
            weights, problem_state, problem_paid = (
                np.ascontiguousarray(weights_t[:, problems]),
                state[problems],
                np.ascontiguousarray(paid[:, problems]),
            )
            objective_sums = sgd_classifier_epoch(
                read_only(X),
                codes,
                positives[problems],
                read_only(sample_weight),
                order,
                bool(self.shuffle),
                weights,
                problem_state,
                problem_paid,
                schedule,
                settings,
            )
            weights_t[:, problems], state[problems], paid[:, problems] = (
                weights,
                problem_state,
                problem_paid,
            )
            if not (np.isfinite(weights).all() and np.isfinite(problem_state[:, :3]).all()):
                raise ValueError(
                    f"SGD diverged in epoch {epoch} (learning_rate={self.learning_rate!r}, "
                    f"eta0={self.eta0}, alpha={self.alpha}): the weights became NaN/inf; "
                    "scale the features (StandardScaler) or lower the step."
                )
            epochs[active] += 1
            if stop_early:
                self._check_progress(
                    objective_sums / n_samples, active, best, stalled, state, running
                )
        self.classes_ = classes
        self.coef_ = weights_t.T * state[:, 2:3]
        self.intercept_ = state[:, 0].copy()
        self.n_iter_ = int(epochs.max())
        self.t_ = float(t0 + self.n_iter_ * n_samples)
        return self

    def _check_progress(self, objectives, active, best, stalled, state, running):
        """Count each active problem's epochs without an objective below its best − tol; after
        n_iter_no_change of them stop it, or, "adaptive", divide its eta0 (state[:, 6]) by 5."""
        for r, objective in zip(active, objectives, strict=True):
            stalled[r] = stalled[r] + 1 if objective > best[r] - self.tol else 0
            best[r] = min(best[r], objective)
            if stalled[r] < self.n_iter_no_change:
                continue
            if self.learning_rate == "adaptive" and state[r, 6] > _MIN_ADAPTIVE_ETA:
                state[r, 6], stalled[r] = state[r, 6] / 5.0, 0
            else:
                running[r] = False
