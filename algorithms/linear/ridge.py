"""Ridge regression: min_w,b ‖y − Xw − b‖² + α‖w‖², the intercept b unpenalised.

Centring X and y removes b (then b = ȳ − x̄·w), leaving (XcᵀXc + αI) w = Xcᵀyc. "cholesky"
solves that system directly; "svd" uses Xc = U·diag(s)·Vᵀ, w = V·diag(s / (s² + α))·Uᵀyc,
dropping singular values below max(n, p)·eps·s_max, so α = 0 gives the minimum-norm least
squares solution even when XcᵀXc is singular.
"""

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE
from algorithms.linear.least_squares import centered_gram, means, solve_normal_equations

SOLVERS = ("auto", "cholesky", "svd")


def ridge_svd(X, y, alpha):
    """w = V·diag(s / (s² + α))·Uᵀy from the thin SVD of X, singular values ≤ cutoff dropped."""
    U, s, Vt = linalg.svd(X, full_matrices=False, check_finite=False)
    keep = s > max(X.shape) * np.finfo(np.float64).eps * s.max(initial=0.0)
    shrink = np.zeros_like(s)
    shrink[keep] = s[keep] / (s[keep] ** 2 + alpha)
    projected = U.T @ y
    return Vt.T @ (shrink * projected if y.ndim == 1 else shrink[:, np.newaxis] * projected)


class Ridge(RegressorMixin, BaseEstimator):
    """Least squares with an L2 penalty α‖w‖² on the coefficients (module docstring).

    solver="auto" uses Cholesky when n_samples ≥ n_features and SVD otherwise; "cholesky"
    always tries it first. Either falls back to SVD when XcᵀXc + αI is singular or too ill
    conditioned for Cholesky to be accurate (reciprocal condition below 1e-8 after scaling
    to a unit diagonal). Same objective and results as sklearn.linear_model.Ridge.

    Fitted attributes: coef_ (n_features,) or (n_targets, n_features), intercept_ (float or
    (n_targets,)), solver_ (the solver that produced coef_), n_features_in_.
    """

    _parameter_constraints = {
        "alpha": NON_NEGATIVE,
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(SOLVERS))],
    }

    def __init__(self, alpha=1.0, fit_intercept=True, solver="auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Solve for coef_ and intercept_; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, multi_output=True)
        x_mean, y_mean = means(X, y, self.fit_intercept)
        coef = None
        if self.solver == "cholesky" or (self.solver == "auto" and X.shape[0] >= X.shape[1]):
            gram, rhs = centered_gram(X, y, x_mean, y_mean)
            coef = solve_normal_equations(gram, rhs, float(self.alpha))
        solver = "svd" if coef is None else "cholesky"
        if coef is None:
            coef = ridge_svd(X - x_mean, y - y_mean, float(self.alpha))
        intercept = y_mean - x_mean @ coef
        self.solver_ = solver
        self.coef_ = coef.T
        self.intercept_ = float(intercept) if y.ndim == 1 else intercept
        return self

    def predict(self, X):
        """X·coef_ᵀ + intercept_."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_.T + self.intercept_
