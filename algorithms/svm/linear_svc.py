"""LinearSVC: the L2-regularised linear SVM with scikit-learn's (liblinear's) objective.

For labels y_i = ±1 (+1 for classes_[1], or for class k in its one-vs-rest problem) it
minimises over w̃ = (w, w_b)

    ½‖w̃‖² + C Σ_i ξ(1 − y_i (x_i·w + s·w_b)),   ξ(t) = max(0, t)² (squared_hinge) or max(0, t),

with s = intercept_scaling and intercept_ = s·w_b: the intercept is a penalised weight on a
constant feature s, liblinear's convention, so a larger s regularises it less. Solvers: dual
coordinate descent (`_dual_cd`, both losses) or the primal Newton method
(`_primal_newton`, squared hinge only); dual="auto" picks the primal when
n_samples ≥ n_features and the loss allows it, as scikit-learn does.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import POSITIVE, POSITIVE_INT
from algorithms._kernel_args import read_only
from algorithms._labels import encode_labels
from algorithms.exceptions import ConvergenceWarning
from algorithms.svm._dual_cd import dual_cd
from algorithms.svm._primal_newton import squared_hinge_newton

LOSSES = ("squared_hinge", "hinge")


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classifier (module docstring), scikit-learn's names and objective.

    penalty: only "l2". loss: "squared_hinge" or "hinge" (needs the dual solver). dual: True
    (dual coordinate descent with a random permutation per epoch, seeded by random_state, and
    liblinear's shrinking), False (primal Newton) or "auto". tol: for the dual, the largest
    spread of the projected gradients of an epoch; for the primal, the relative gradient norm
    (module docstrings of the solvers). max_iter bounds epochs or Newton iterations; reaching
    it warns with a ConvergenceWarning. Several classes: one-vs-rest, one problem per class.

    Fitted attributes: classes_; coef_ (1, n_features) for two classes, else
    (n_classes, n_features); intercept_ (1,) or (n_classes,) (zeros without fit_intercept);
    n_iter_ (the largest number of epochs or iterations over the problems); n_features_in_.
    """

    _parameter_constraints = {
        "penalty": [StrOptions({"l2"})],
        "loss": [StrOptions(set(LOSSES))],
        "dual": [StrOptions({"auto"}), "boolean"],
        "tol": POSITIVE,
        "C": POSITIVE,
        "fit_intercept": ["boolean"],
        "intercept_scaling": POSITIVE,
        "random_state": ["random_state"],
        "max_iter": POSITIVE_INT,
    }

    def __init__(
        self,
        penalty="l2",
        loss="squared_hinge",
        *,
        dual="auto",
        tol=1e-4,
        C=1.0,
        fit_intercept=True,
        intercept_scaling=1.0,
        random_state=None,
        max_iter=1000,
    ):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.max_iter = max_iter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Solve one binary problem (two classes) or one per class (one-vs-rest); return self."""
        if self.dual is False and self.loss == "hinge":
            raise ValueError(
                "loss='hinge' needs the dual solver: use dual=True or 'auto', or "
                "loss='squared_hinge'."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, codes = encode_labels(self, y)
        use_dual = self.dual if self.dual != "auto" else self._auto_dual(X)
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        targets = [1] if len(classes) == 2 else range(len(classes))
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(targets))
        coef, intercept, n_iter, converged = [], [], 0, True
        for seed, target in zip(seeds, targets, strict=True):
            signs = np.where(codes == target, 1.0, -1.0)
            w, w_bias, iterations, done = self._solve(X, signs, use_dual, bias, seed)
            coef.append(w)
            intercept.append(bias * w_bias)
            n_iter = max(n_iter, iterations)
            converged = converged and done
        if not converged:
            warnings.warn(
                f"LinearSVC's {'dual' if use_dual else 'primal'} solver stopped after {n_iter} "
                f"iterations (max_iter={self.max_iter}) before reaching tol={self.tol}; "
                "increase max_iter or scale the features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.classes_ = classes
        self.coef_ = np.array(coef)
        self.intercept_ = np.array(intercept)
        self.n_iter_ = int(n_iter)
        return self

    def decision_function(self, X):
        """X coef_ᵀ + intercept_: shape (n_samples,) for two classes, else (n_samples, K)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict(self, X):
        """classes_[1] where the decision is > 0 (two classes), else the highest-scoring class."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _solve(self, X, signs, use_dual, bias, seed):
        """(w, w_bias, iterations, reached_tol) of the binary problem with labels signs = ±1."""
        if not use_dual:
            return squared_hinge_newton(
                X, signs, float(self.C), bias, int(self.max_iter), float(self.tol)
            )
        squared = self.loss == "squared_hinge"
        return dual_cd(
            read_only(X),
            signs,
            np.inf if squared else float(self.C),
            0.5 / self.C if squared else 0.0,
            bias,
            int(self.max_iter),
            float(self.tol),
            np.random.default_rng(seed),
        )

    def _auto_dual(self, X):
        """scikit-learn's dual="auto": the dual when n_samples < n_features or the loss is hinge."""
        return X.shape[0] < X.shape[1] or self.loss == "hinge"
