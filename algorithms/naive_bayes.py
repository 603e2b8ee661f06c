"""Naive Bayes: GaussianNB for real-valued features, MultinomialNB for counts (bags of words).

Both take the features as independent given the class and score each class c by the joint
log-likelihood jll_c(x) = log P(c) + Σ_j log P(x_j | c); predict is the argmax and
predict_proba the softmax exp(jll − logsumexp(jll)).

- GaussianNB: P(x_j | c) = N(x_j; θ_cj, σ²_cj), θ and σ² the mean and (biased) variance of
  feature j over the rows of class c, each σ² plus epsilon_ = var_smoothing · max_j Var(x_j).
- MultinomialNB: log P(x | c) = Σ_j x_j log p_cj + const with Lidstone-smoothed word
  probabilities p_cj = (N_cj + α) / (N_c + α·n_features), N_cj the total count of feature j
  in the rows of class c and N_c = Σ_j N_cj; α = 1 is Laplace's add-one smoothing of the
  seed's text classifier. The counts (Yᵀ X, Y the one-hot classes) and the log-likelihoods
  (X log pᵀ) are matrix products, so X may be dense or scipy.sparse (CSR).

Both learn incrementally: `partial_fit` adds a batch's rows to the counts (GaussianNB: the
per-class means and sums of squared deviations, merged as Chan, Golub and LeVeque do, and
the same of all rows for epsilon_), so batches fed one after another fit what `fit` of all
their rows fits, up to rounding. The first call names every class (`classes`).
"""

import warnings

import numpy as np
from scipy import sparse
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE
from algorithms._labels import encode_labels

# MultinomialNB with force_alpha=False raises a smaller alpha to this, as scikit-learn does.
_ALPHA_LOWER_BOUND = 1e-10


def checked_prior(prior, name, n_classes):
    """prior as a float array of n_classes non-negative numbers, or ValueError."""
    prior = np.asarray(prior, dtype=np.float64)
    if prior.shape != (n_classes,):
        raise ValueError(
            f"{name} must hold one number per class, {n_classes}, got shape {prior.shape}."
        )
    if not np.isfinite(prior).all() or (prior < 0).any():
        raise ValueError(f"{name} must be finite and non-negative, got {prior.tolist()}.")
    return prior


def batch_codes(estimator, y, classes, first_call: bool) -> np.ndarray:
    """Each label of a partial_fit batch as its index into the classes: `classes` (needed on
    the first call, which stores them as classes_), then the stored classes_."""
    check_classification_targets(y)
    if first_call:
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        estimator.classes_, _ = encode_labels(estimator, np.asarray(classes))
    elif classes is not None and not np.array_equal(np.unique(classes), estimator.classes_):
        raise ValueError(
            f"classes={np.unique(classes).tolist()} differs from the classes of the previous "
            f"calls, {estimator.classes_.tolist()}."
        )
    known = estimator.classes_
    position = np.clip(np.searchsorted(known, y), 0, len(known) - 1)
    unknown = known[position] != y
    if unknown.any():
        raise ValueError(
            f"y has labels {np.unique(np.asarray(y)[unknown]).tolist()} not in classes "
            f"{known.tolist()}."
        )
    return position


class _NaiveBayes(ClassifierMixin, BaseEstimator):
    """predict, predict_proba and predict_log_proba from a subclass's _joint_log_likelihood."""

    def predict_joint_log_proba(self, X):
        """log P(c) + log P(x | c) of each row and class, columns in classes_ order."""
        check_is_fitted(self)
        return self._joint_log_likelihood(self._check_X(X))

    def predict_log_proba(self, X):
        """log P(c | x): the joint log-likelihoods less their logsumexp over the classes."""
        jll = self.predict_joint_log_proba(X)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X):
        """P(c | x) of each row and class, columns in classes_ order."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """The class of largest posterior probability (the first in classes_ on a tie)."""
        jll = self.predict_joint_log_proba(X)
        return self.classes_[np.argmax(jll, axis=1)]


class GaussianNB(_NaiveBayes):
    """Naive Bayes with a Gaussian N(θ_cj, σ²_cj) per class and feature (module docstring).

    priors: the class probabilities P(c) (summing to 1), or None for the class frequencies.

    Fitted attributes: classes_, class_count_, class_prior_, theta_ and var_ (n_classes,
    n_features), epsilon_, n_features_in_.
    """

    _parameter_constraints = {"priors": ["array-like", None], "var_smoothing": NON_NEGATIVE}

    def __init__(self, priors=None, var_smoothing=1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Class frequencies, means and smoothed variances of X's columns per class."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        classes, codes = encode_labels(self, y)
        self.classes_ = classes
        self._start(X.shape[1])
        return self._learn(X, codes)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Add this batch's rows to the per-class moments; the first call needs `classes`."""
        first_call = not hasattr(self, "theta_")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first_call)
        codes = batch_codes(self, y, classes, first_call)
        if first_call:
            self._start(X.shape[1])
        return self._learn(X, codes)

    def _start(self, n_features):
        """No rows seen: zero counts, means and squared deviations per class and overall."""
        shape = (len(self.classes_), n_features)
        self.class_count_ = np.zeros(len(self.classes_))
        self.theta_ = np.zeros(shape)
        self._squares = np.zeros(shape)
        self._seen = (0, np.zeros(n_features), np.zeros(n_features))

    def _learn(self, X, codes):
        """Merge the rows of X into the moments, then set var_, epsilon_ and the priors."""
        for c in np.unique(codes):
            rows = X[codes == c]
            n, mean, squares = _merged(
                (self.class_count_[c], self.theta_[c], self._squares[c]), rows
            )
            self.class_count_[c], self.theta_[c], self._squares[c] = n, mean, squares
        self._seen = _merged(self._seen, X)
        n_seen, _, seen_squares = self._seen
        epsilon = self.var_smoothing * float((seen_squares / n_seen).max())
        counts = np.maximum(self.class_count_, 1.0)[:, np.newaxis]
        var = self._squares / counts + epsilon
        zero = np.argwhere((var == 0.0) & (self.class_count_ > 0)[:, np.newaxis])
        if zero.size:
            c, j = zero[0]
            raise ValueError(
                f"feature {j} is constant in class {self.classes_.tolist()[c]!r} and "
                f"var_smoothing times the largest feature variance is {epsilon}, so its "
                "Gaussian has zero variance; use var_smoothing > 0 on data with a "
                "non-constant feature."
            )
        if self.priors is None:
            prior = self.class_count_ / self.class_count_.sum()
        else:
            prior = checked_prior(self.priors, "priors", len(self.classes_))
            if not np.isclose(prior.sum(), 1.0):
                raise ValueError(f"priors must sum to 1, got {prior.sum()}.")
        self.class_prior_ = prior
        self.var_ = var
        self.epsilon_ = epsilon
        return self

    def _check_X(self, X):
        return validate_data(self, X, reset=False, dtype=np.float64)

    def _joint_log_likelihood(self, X):
        """log P(c) − ½ Σ_j [log(2π σ²_cj) + (x_j − θ_cj)² / σ²_cj] per row and class."""
        jll = np.empty((X.shape[0], len(self.classes_)))
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)
        for c in range(len(self.classes_)):
            normaliser = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_[c]))
            squares = ((X - self.theta_[c]) ** 2 / self.var_[c]).sum(axis=1)
            jll[:, c] = log_prior[c] + normaliser - 0.5 * squares
        return jll


class MultinomialNB(_NaiveBayes):
    """Naive Bayes for counts with Lidstone-smoothed feature probabilities (module docstring).

    alpha: the pseudo-count α added to every count (1: Laplace). With force_alpha=False an
    alpha below 1e-10 is raised to 1e-10 with a warning. class_prior: P(c) given, else the
    class frequencies (fit_prior=True) or uniform. X: non-negative counts, dense or sparse.

    Fitted attributes: classes_, class_count_, class_log_prior_, feature_count_ (N_cj) and
    feature_log_prob_ (log p_cj), (n_classes, n_features), n_features_in_.
    """

    _parameter_constraints = {
        "alpha": NON_NEGATIVE,
        "fit_prior": ["boolean"],
        "class_prior": ["array-like", None],
        "force_alpha": ["boolean"],
    }

    def __init__(self, alpha=1.0, fit_prior=True, class_prior=None, force_alpha=True):
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.force_alpha = force_alpha

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        # A counts model on the checks' shifted Gaussian blobs scores below their 0.83 bar;
        # scikit-learn's MultinomialNB sets this tag too.
        tags.classifier_tags.poor_score = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Per-class feature counts of X, their smoothed log probabilities and the priors."""
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64)
        classes, codes = encode_labels(self, y)
        self.classes_ = classes
        self._start(X.shape[1])
        return self._learn(X, codes)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Add this batch's counts to the per-class counts; the first call needs `classes`."""
        first_call = not hasattr(self, "feature_count_")
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64, reset=first_call)
        codes = batch_codes(self, y, classes, first_call)
        if first_call:
            self._start(X.shape[1])
        return self._learn(X, codes)

    def _start(self, n_features):
        """No rows seen: zero counts per class and feature."""
        self.class_count_ = np.zeros(len(self.classes_))
        self.feature_count_ = np.zeros((len(self.classes_), n_features))

    def _learn(self, X, codes):
        """Add X's counts per class, then set the smoothed log probabilities and priors."""
        values = X.data if sparse.issparse(X) else X
        if values.size and values.min() < 0:
            raise ValueError(
                "Negative values in data passed to MultinomialNB: X holds counts (such as word "
                f"counts), which are >= 0, but its smallest value is {values.min()}."
            )
        one_hot = np.zeros((X.shape[0], len(self.classes_)))
        one_hot[np.arange(X.shape[0]), codes] = 1.0
        self.feature_count_ = self.feature_count_ + np.ascontiguousarray((X.T @ one_hot).T)
        self.class_count_ = self.class_count_ + one_hot.sum(axis=0)
        smoothed = self.feature_count_ + self._effective_alpha()
        if (smoothed == 0.0).any():
            raise ValueError(
                "alpha=0 leaves a feature that never occurs in a class with probability 0 "
                "(log-probability -inf, NaN predictions); use alpha > 0."
            )
        with np.errstate(divide="ignore"):
            self.class_log_prior_ = self._class_log_prior(self.class_count_)
        self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        return self

    def _effective_alpha(self):
        """alpha, or 1e-10 (with a warning) when it is smaller and force_alpha is False."""
        if self.alpha < _ALPHA_LOWER_BOUND and not self.force_alpha:
            warnings.warn(
                f"alpha={self.alpha} is too small and would give numeric errors; using "
                f"alpha={_ALPHA_LOWER_BOUND}. Use force_alpha=True to keep alpha unchanged.",
                UserWarning,
                stacklevel=3,
            )
            return _ALPHA_LOWER_BOUND
        return float(self.alpha)

    def _class_log_prior(self, class_count):
        """log P(c): of class_prior if given, else of the frequencies or uniform (fit_prior)."""
        if self.class_prior is not None:
            prior = checked_prior(self.class_prior, "class_prior", len(class_count))
            with np.errstate(divide="ignore"):
                return np.log(prior)
        if self.fit_prior:
            return np.log(class_count) - np.log(class_count.sum())
        return np.full(len(class_count), -np.log(len(class_count)))

    def _check_X(self, X):
        return validate_data(self, X, reset=False, accept_sparse="csr", dtype=np.float64)

    def _joint_log_likelihood(self, X):
        """X · feature_log_prob_ᵀ + class_log_prior_ (a sparse-times-dense product for CSR X)."""
        return np.asarray(X @ self.feature_log_prob_.T) + self.class_log_prior_


def _merged(moments, rows):
    """(n, mean, Σ(x − mean)²) per column of the rows seen and `rows` together: Chan, Golub
    and LeVeque's pairwise update of the seen moments with the batch's."""
    n, mean, squares = moments
    m = rows.shape[0]
    if m == 0:
        return moments
    batch_mean = rows.mean(axis=0)
    batch_squares = ((rows - batch_mean) ** 2).sum(axis=0)
    if n == 0:
        return float(m), batch_mean, batch_squares
    total = n + m
    delta = batch_mean - mean
    return (
        total,
        mean + delta * (m / total),
        squares + batch_squares + delta**2 * (n * m / total),
    )
