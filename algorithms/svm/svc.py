"""SVC: the kernel C-support vector classifier with scikit-learn's (libsvm's) objective.

For each pair of classes a < b (one-vs-one, as libsvm) it solves the dual of

    min_{w,b}  ½‖w‖² + C Σ_i max(0, 1 − y_i (w·φ(x_i) + b)),   y_i = +1 in class a, −1 in b,

over the rows of the two classes by SMO (`_smo`), on the kernel of `_kernels`. The fitted
state is scikit-learn's: the support vectors grouped by class, dual_coef_ (K − 1, n_SV) in
libsvm's one-vs-one layout (the coefficient y_i α_i of a support vector of class c in its
problem against class d sits in row d − 1 if d > c, else in row d) and intercept_ (one per
pair, −ρ); with two classes both are negated, so that a positive decision means classes_[1].

SMO costs O(n²) kernel evaluations and, with the whole kernel matrix cached, 8n² bytes:
max_samples (20,000 by default) refuses larger data, for which LinearSVC is the tool. The
kernel cache holds min(n, ⌊cache_size MiB / 8n⌋) rows (at least 2) of a pair's n rows; the
default 200 MiB keeps the whole matrix for n ≤ 5,120.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import FINITE, NON_NEGATIVE, POSITIVE, POSITIVE_INT
from algorithms._labels import encode_labels
from algorithms.exceptions import ConvergenceWarning
from algorithms.svm._kernels import KERNELS, kernel_matrix
from algorithms.svm._smo import smo

GAMMAS = ("scale", "auto")
# Kernel entries computed at once when predicting (32 MiB of float64).
_PREDICT_BLOCK = 1 << 22


class SVC(ClassifierMixin, BaseEstimator):
    """Kernel support vector classifier (module docstring), scikit-learn's names and objective.

    kernel: "rbf", "linear" or "poly" (module `_kernels`); gamma: "scale" (1 / (n_features ·
    X.var())), "auto" (1 / n_features) or a number ≥ 0. tol bounds the maximal violation of the
    optimality conditions at which SMO stops; max_iter (−1: libsvm's own limit,
    max(10⁷, 100 n)) bounds its iterations per pair, and reaching it warns with a
    ConvergenceWarning and sets fit_status_ = 1. random_state is accepted for scikit-learn
    compatibility and unused: SMO is deterministic.

    Fitted attributes: classes_; support_ (int32 indices of the support vectors, by class);
    support_vectors_; n_support_ (per class); dual_coef_; intercept_; n_iter_ (SMO
    iterations per pair); fit_status_; gamma_ (the γ used); n_features_in_.
    decision_function gives shape (n_samples,) for two classes and scikit-learn's "ovr"
    shape (n_samples, n_classes) from the one-vs-one votes otherwise; predict takes the
    class with the most votes (the first of tied ones).
    """

    _parameter_constraints = {
        "C": POSITIVE,
        "kernel": [StrOptions(set(KERNELS))],
        "degree": [Interval(numbers.Integral, 0, None, closed="left")],
        "gamma": [StrOptions(set(GAMMAS)), *NON_NEGATIVE],
        "coef0": FINITE,
        "tol": POSITIVE,
        "cache_size": POSITIVE,
        "max_iter": [Options(numbers.Integral, {-1}), *POSITIVE_INT],
        "max_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        C=1.0,
        kernel="rbf",
        degree=3,
        gamma="scale",
        coef0=0.0,
        tol=1e-3,
        cache_size=200,
        max_iter=-1,
        max_samples=20_000,
        random_state=None,
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.cache_size = cache_size
        self.max_iter = max_iter
        self.max_samples = max_samples
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Solve one SMO problem per pair of classes and keep the support vectors; return self."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, codes = encode_labels(self, y)
        n_samples, n_features = X.shape
        if n_samples > self.max_samples:
            raise ValueError(
                f"SVC got {n_samples} samples, more than max_samples={self.max_samples}: its SMO "
                "solver needs O(n²) time and kernel memory. Use LinearSVC for data this large, "
                "or subsample, or raise max_samples."
            )
        gamma = self._gamma_value(X)
        members = [np.flatnonzero(codes == c) for c in range(len(classes))]
        coef = np.zeros((len(classes) - 1, n_samples))
        is_support = np.zeros(n_samples, dtype=bool)
        intercept, n_iter, reached_tol = [], [], True
        for a, b in _pairs(len(classes)):
            rows = np.concatenate([members[a], members[b]])
            n_a = len(members[a])
            alpha, rho, iterations, done = smo(
                X[rows],
                np.where(np.arange(len(rows)) < n_a, 1.0, -1.0),
                float(self.C),
                KERNELS.index(self.kernel),
                gamma,
                float(self.coef0),
                int(self.degree),
                float(self.tol),
                self.max_iter if self.max_iter > 0 else max(10_000_000, 100 * len(rows)),
                self._cache_rows(len(rows)),
            )
            coef[b - 1, members[a]] = alpha[:n_a]
            coef[a, members[b]] = -alpha[n_a:]
            is_support[rows[alpha > 0.0]] = True
            intercept.append(-rho)
            n_iter.append(iterations)
            reached_tol = reached_tol and done
        if not reached_tol:
            warnings.warn(
                f"SVC's SMO solver stopped after {max(n_iter)} iterations (max_iter="
                f"{self.max_iter}) before reaching tol={self.tol}; increase max_iter or scale "
                "the features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        support = np.concatenate([m[is_support[m]] for m in members]).astype(np.int32)
        sign = -1.0 if len(classes) == 2 else 1.0
        self.classes_ = classes
        self.support_ = support
        self.support_vectors_ = X[support]
        self.n_support_ = np.array([is_support[m].sum() for m in members], dtype=np.int32)
        self.dual_coef_ = sign * coef[:, support]
        self.intercept_ = sign * np.array(intercept)
        self.n_iter_ = np.array(n_iter, dtype=np.int32)
        self.fit_status_ = 0 if reached_tol else 1
        self.gamma_ = gamma
        return self

    def decision_function(self, X):
        """Two classes: Σ dual_coef_·k(sv, x) + intercept_, > 0 for classes_[1], shape (n,).

        More classes: votes of the one-vs-one problems plus their summed confidences squashed
        into (−⅓, ⅓), scikit-learn's "ovr" shape (n_samples, n_classes).
        """
        decisions = self._pair_decisions(X)
        if len(self.classes_) == 2:
            return decisions[:, 0]
        votes = self._votes(decisions)
        confidences = np.zeros_like(votes)
        for p, (a, b) in enumerate(_pairs(len(self.classes_))):
            confidences[:, a] += decisions[:, p]
            confidences[:, b] -= decisions[:, p]
        return votes + confidences / (3.0 * (np.abs(confidences) + 1.0))

    def predict(self, X):
        """The class with the most one-vs-one votes (two classes: classes_[1] if decision > 0)."""
        decisions = self._pair_decisions(X)
        if len(self.classes_) == 2:
            return self.classes_[(decisions[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(self._votes(decisions), axis=1)]

    def _pair_decisions(self, X):
        """(n_samples, n_pairs) decisions: > 0 means class a of pair (a, b), or classes_[1]."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        n_classes = len(self.classes_)
        starts = np.concatenate([[0], np.cumsum(self.n_support_)])
        blocks = [slice(starts[c], starts[c + 1]) for c in range(n_classes)]
        decisions = np.empty((X.shape[0], n_classes * (n_classes - 1) // 2))
        block_rows = max(1, _PREDICT_BLOCK // max(1, len(self.support_)))
        for start in range(0, X.shape[0], block_rows):
            rows = slice(start, start + block_rows)
            kernel = kernel_matrix(
                X[rows],
                self.support_vectors_,
                self.kernel,
                self.gamma_,
                self.coef0,
                self.degree,
            )
            for p, (a, b) in enumerate(_pairs(n_classes)):
                decisions[rows, p] = (
                    kernel[:, blocks[a]] @ self.dual_coef_[b - 1, blocks[a]]
                    + kernel[:, blocks[b]] @ self.dual_coef_[a, blocks[b]]
                    + self.intercept_[p]
                )
        return decisions

    def _votes(self, decisions):
        """(n_samples, n_classes) one-vs-one votes: pair (a, b) votes a where its decision > 0."""
        votes = np.zeros((decisions.shape[0], len(self.classes_)))
        for p, (a, b) in enumerate(_pairs(len(self.classes_))):
            votes[:, a] += decisions[:, p] > 0
            votes[:, b] += decisions[:, p] <= 0
        return votes

    def _gamma_value(self, X):
        """γ for this X: "scale", "auto" or the number given."""
        if self.gamma == "auto":
            return 1.0 / X.shape[1]
        if self.gamma == "scale":
            variance = X.var()
            return 1.0 / (X.shape[1] * variance) if variance != 0.0 else 1.0
        return float(self.gamma)

    def _cache_rows(self, n_rows):
        """Kernel rows the cache holds for a problem of n_rows rows (module docstring)."""
        return max(2, min(n_rows, int(self.cache_size * 2**20 // (8 * n_rows))))


def _pairs(n_classes):
    """The one-vs-one pairs (a, b), a < b, in libsvm's order."""
    return [(a, b) for a in range(n_classes) for b in range(a + 1, n_classes)]
