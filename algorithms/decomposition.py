"""PCA: project centred data onto the directions of largest variance (the right singular vectors).

With X̄ = X − mean and X̄ = U S Vᵀ, the components are the rows of Vᵀ, explained_variance_ =
S² / (n − 1) and a row x maps to (x − mean) Vₖ. Two exact LAPACK routes, as scikit-learn's
default solver picks them: for tall data (n ≥ 10 d and d ≤ 1000) the eigendecomposition of the
covariance C = (XᵀX − n·mean meanᵀ) / (n − 1), one O(n d²) product and an O(d³) eigh (S is
recovered as √(λ(n − 1)); small eigenvalues lose the precision the squaring costs, which the
leading components do not feel); otherwise scipy's SVD of X̄. Signs follow scikit-learn's
svd_flip: the entry of largest magnitude of each component is positive. No randomized SVD:
the covariance route is already exact and faster for the tall case.
"""

import numbers

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, RealNotInt
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._gram import row_block_moments
from algorithms._threads import blas_on_one_thread

# The covariance route needs n_samples ≥ _TALL_RATIO · n_features and n_features ≤ _MAX_EIGH.
_TALL_RATIO = 10
_MAX_EIGH = 1000


def principal_axes(X):
    """(mean, explained variances, components) of all min(n, d) axes, largest variance first;
    the standard ValueError if X holds NaN or infinity."""
    n_samples, n_features = X.shape
    if n_features <= _MAX_EIGH and n_samples >= _TALL_RATIO * n_features:
        # The small eigh on one BLAS thread too: a threaded call leaves BLAS's threads spinning
        # on the cores the next fit's Gram blocks need (16 -> 28 ms at 100,000 × 100).
        with blas_on_one_thread():
            return _covariance_axes(X)
    assert_all_finite(X, estimator_name="PCA", input_name="X")
    mean = X.mean(axis=0)
    singular, components = linalg.svd(X - mean, full_matrices=False)[1:]
    return mean, singular**2 / max(n_samples - 1, 1), _flipped(components)


def _covariance_axes(X):
    """principal_axes by the eigendecomposition of the covariance (module docstring)."""
    n_samples = X.shape[0]
    covariance, sums = row_block_moments(X)
    # A NaN or inf in X makes its column's sum of squares non-finite: only then is X read
    # again, for the standard error, or else for saying that the squares overflow.
    if not np.isfinite(np.diag(covariance)).all():
        assert_all_finite(X, estimator_name="PCA", input_name="X")
        raise ValueError(
            "X has values too large for float64 arithmetic (their squares overflow): "
            "scale the features."
        )
    mean = sums / n_samples
    covariance -= n_samples * np.outer(mean, mean)
    covariance /= n_samples - 1
    variances, vectors = np.linalg.eigh(covariance)
    return mean, np.maximum(variances[::-1], 0.0), _flipped(vectors[:, ::-1].T)


def _flipped(components):
    """scikit-learn's svd_flip: each component's entry of largest magnitude made positive."""
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), largest])
    return components * signs[:, np.newaxis]


class PCA(TransformerMixin, BaseEstimator):
    """Principal component analysis by an exact SVD of the centred data (module docstring).

    n_components: None keeps min(n_samples, n_features); an int k keeps k; a float in (0, 1)
    keeps the fewest components whose explained variance ratios add up to more than it.
    whiten=True divides the projections by √explained_variance_ (unit variance each).
    random_state is accepted for scikit-learn compatibility; both solvers are deterministic.

    Fitted attributes: components_ (n_components_, n_features), explained_variance_,
    explained_variance_ratio_, singular_values_, mean_, n_components_, noise_variance_ (mean
    variance of the discarded axes, the probabilistic-PCA noise), n_samples_, n_features_in_.
    """

    _parameter_constraints = {
        "n_components": [
            Interval(numbers.Integral, 0, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "whiten": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=None, *, whiten=False, random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the principal axes of X; y is ignored."""
        # Finiteness is checked by principal_axes, in the pass that reads X anyway.
        X = validate_data(self, X, dtype=np.float64, order="C", ensure_all_finite=False)
        n_samples, n_features = X.shape
        self.mean_, variances, components = principal_axes(X)
        total = variances.sum()
        ratios = variances / total if total > 0 else np.zeros_like(variances)
        n_components = self._n_components(ratios, min(n_samples, n_features))
        self.n_components_ = n_components
        self.n_samples_ = n_samples
        self.components_ = np.ascontiguousarray(components[:n_components])
        self.explained_variance_ = variances[:n_components].copy()
        self.explained_variance_ratio_ = ratios[:n_components].copy()
        self.singular_values_ = np.sqrt(self.explained_variance_ * max(n_samples - 1, 1))
        rest = variances[n_components:]
        self.noise_variance_ = float(rest.mean()) if rest.size else 0.0
        return self

    def transform(self, X):
        """(X − mean_) components_ᵀ, divided by √explained_variance_ when whiten."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        projected = X @ self.components_.T - self.mean_ @ self.components_.T
        if self.whiten:
            projected /= np.maximum(np.sqrt(self.explained_variance_), np.finfo(np.float64).eps)
        return projected

    def inverse_transform(self, X):
        """The point of feature space whose transform is X: X (√variances) components_ + mean_."""
        check_is_fitted(self)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_components_:
            raise ValueError(
                f"inverse_transform expects shape (n_samples, {self.n_components_}), got {X.shape}."
            )
        components = self.components_
        if self.whiten:
            components = np.sqrt(self.explained_variance_)[:, np.newaxis] * components
        return X @ components + self.mean_

    def _n_components(self, ratios, max_components):
        """The number of components to keep (class docstring); ValueError if out of range."""
        wanted = self.n_components
        if wanted is None:
            return max_components
        if isinstance(wanted, numbers.Integral):
            if wanted > max_components:
                raise ValueError(
                    f"n_components={wanted} must be between 0 and min(n_samples, n_features)="
                    f"{max_components}."
                )
            return int(wanted)
        cumulative = np.cumsum(ratios)
        return min(int(np.searchsorted(cumulative, wanted, side="right")) + 1, max_components)
