"""Logistic regression with scikit-learn's objective, binary and multinomial.

LogisticRegression minimises, over coef W and the unpenalised intercept b,

    C Σ_i s_i ℓ(y_i, x_i Wᵀ + b) + l1_ratio ‖W‖₁ + (1 − l1_ratio) / 2 ‖W‖²

(s_i the sample weight times the class weight, ℓ the log loss of the sigmoid for two classes
and of the softmax over all classes otherwise; l1_ratio is 0 for penalty="l2", 1 for "l1";
penalty=None drops both terms). Smooth penalties are solved by scipy's L-BFGS-B on our loss
and gradient, L1 and elastic-net by the proximal Newton method of `_logistic_newton_cd`.
"""

import warnings
from numbers import Real

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE_INT, PROBABILITY
from algorithms.exceptions import ConvergenceWarning
from algorithms.linear._logistic_loss import raw_scores, smooth_objective, unpack
from algorithms.linear._logistic_newton_cd import newton_cd

PENALTIES = ("l2", "l1", "elasticnet")
SOLVERS = ("auto", "lbfgs", "newton-cd")


def lbfgs(X, y, weights, l2, fit_intercept, n_blocks, max_iter, tol):
    """L-BFGS-B on `smooth_objective` from zeros, with scikit-learn's lbfgs options.

    Returns (coef, intercept, n_iter, status), status "converged" (gradient or relative
    change of F below its tolerance), "max_iter" or "stalled" (the line search found no
    decrease, e.g. for features near the float64 limits).
    """
    start = np.zeros(n_blocks * (X.shape[1] + int(fit_intercept)))
    result = minimize(
        smooth_objective,
        start,
        args=(X, y, weights, l2, n_blocks, fit_intercept),
        method="L-BFGS-B",
        jac=True,
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
    )
    coef, intercept = unpack(result.x, n_blocks, X.shape[1], fit_intercept)
    status = {0: "converged", 1: "max_iter"}.get(int(result.status), "stalled")
    return coef, intercept.copy(), min(int(result.nit), max_iter), status


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Regularised logistic regression (module docstring), scikit-learn's names and objective.

    penalty: "l2", "l1", "elasticnet" (needs l1_ratio in [0, 1]) or None; l1_ratio is ignored
    by the other penalties and C by None. solver: "lbfgs" (l2 and None), "newton-cd" (any
    penalty) or "auto" (lbfgs for l2 and None, newton-cd otherwise). Both start from zero
    weights and stop when the largest entry of the (minimum-norm sub)gradient of the objective
    divided by C Σ s_i is at most tol; at max_iter, or when the line search finds no decrease
    first, they warn with a ConvergenceWarning.
    class_weight: None, "balanced" (Σs / (n_classes · Σs of the class)) or {label: weight}.

    Fitted attributes: classes_; coef_ (1, n_features) for two classes (the log-odds of
    classes_[1]), else (n_classes, n_features) with centred intercepts; intercept_ (1,) or
    (n_classes,); n_iter_ (1,); n_features_in_.
    """

    _parameter_constraints = {
        "penalty": [StrOptions(set(PENALTIES)), None],
        "C": [Interval(Real, 0, None, closed="right")],  # inf: no penalty, as scikit-learn
        "l1_ratio": [*PROBABILITY, None],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "solver": [StrOptions(set(SOLVERS))],
        "max_iter": POSITIVE_INT,
        "tol": NON_NEGATIVE,
    }

    def __init__(
        self,
        penalty="l2",
        C=1.0,
        l1_ratio=None,
        fit_intercept=True,
        class_weight=None,
        solver="auto",
        max_iter=100,
        tol=1e-4,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Minimise the objective, s_i = sample_weight_i (default 1) · class weight; return self."""
        l1_share, solver = self._penalty_and_solver()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        sample_weight = self._sample_weight(sample_weight, classes, codes)
        weight_per_class = np.bincount(codes, weights=sample_weight, minlength=len(classes))
        present = classes[weight_per_class > 0].tolist()
        if len(present) < 2:
            found = f"{len(present)} class" + ("" if len(present) == 1 else "es")
            raise ValueError(
                "LogisticRegression needs samples of at least two classes with positive "
                f"weight; got {found}: {present}."
            )
        total = float(sample_weight.sum())
        strength = 0.0 if self.penalty is None else 1.0 / (self.C * total)
        n_blocks = 1 if len(classes) == 2 else len(classes)
        args = (X, codes.astype(np.float64), sample_weight / total)
        if solver == "lbfgs":
            coef, intercept, n_iter, status = lbfgs(
                *args, strength, self.fit_intercept, n_blocks, self.max_iter, self.tol
            )
        else:
            coef, intercept, n_iter, status = newton_cd(
                *args,
                l1_share * strength,
                (1.0 - l1_share) * strength,
                self.fit_intercept,
                n_blocks,
                self.max_iter,
                self.tol,
            )
        if status != "converged":
            reason = {
                "max_iter": f"stopped at max_iter={self.max_iter}",
                "stalled": f"found no step that lowers the objective after {n_iter} iterations",
            }[status]
            warnings.warn(
                f"LogisticRegression's {solver} solver {reason} before reaching "
                f"tol={self.tol}; increase max_iter, scale the features or loosen tol.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        return self

    def decision_function(self, X):
        """X coef_ᵀ + intercept_: shape (n_samples,) of log-odds for two classes, else scores."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = raw_scores(X, self.coef_, self.intercept_)
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict_proba(self, X):
        """Class probabilities, columns in classes_ order: sigmoid of the log-odds or softmax."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([expit(-scores), expit(scores)])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """log predict_proba, computed stably: −log(1 + e^∓s) or log_softmax."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return -np.logaddexp(0.0, np.column_stack([scores, -scores]))
        return log_softmax(scores, axis=1)

    def predict(self, X):
        """The most probable class of each row (classes_[1] where the log-odds are > 0)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _penalty_and_solver(self):
        """(the L1 share of the penalty, the solver to run); ValueError on a bad combination."""
        l1_share = {"l1": 1.0, "elasticnet": self.l1_ratio}.get(self.penalty, 0.0)
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("penalty='elasticnet' needs l1_ratio, a number in [0, 1].")
        smooth = self.penalty in ("l2", None)
        if self.solver == "lbfgs" and not smooth:
            raise ValueError(
                f"solver='lbfgs' supports penalty 'l2' or None, got {self.penalty!r}; use "
                "solver='newton-cd' or 'auto'."
            )
        if self.solver == "auto":
            return float(l1_share), "lbfgs" if smooth else "newton-cd"
        return float(l1_share), self.solver

    def _sample_weight(self, sample_weight, classes, codes):
        """Sample weight (default 1) times class weight per row; ValueError if invalid."""
        n_samples = len(codes)
        if sample_weight is None:
            weight = np.ones(n_samples)
        else:
            weight = np.asarray(sample_weight, dtype=np.float64)
            if weight.ndim == 0:
                weight = np.full(n_samples, float(weight))
            if weight.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got {weight.shape}."
                )
            if not (np.isfinite(weight).all() and (weight >= 0).all()):
                raise ValueError("sample_weight must be finite and non-negative.")
            if not weight.any():
                raise ValueError("sample_weight is zero for every sample: nothing to learn.")
        return weight * self._class_weights(classes, codes, weight)[codes]

    def _class_weights(self, classes, codes, sample_weight):
        """One weight per class from class_weight; ValueError for unknown labels or values."""
        if self.class_weight is None:
            return np.ones(len(classes))
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            per_class = np.bincount(codes, weights=sample_weight, minlength=len(classes))
            with np.errstate(divide="ignore"):
                return np.where(per_class > 0, per_class.sum() / (len(classes) * per_class), 0.0)
        unknown = set(self.class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"class_weight has labels {sorted(map(str, unknown))} that are not in "
                f"y's classes {classes.tolist()}."
            )
        weights = np.array([float(self.class_weight.get(c, 1.0)) for c in classes.tolist()])
        if not (np.isfinite(weights).all() and (weights >= 0).all()):
            raise ValueError(f"class weights must be finite and non-negative, got {weights}.")
        return weights
