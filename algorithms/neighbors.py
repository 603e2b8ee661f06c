"""k-nearest neighbours (Euclidean, brute force): a vote or a mean over the k closest rows.

The squared distance from a query a to a training row b is ‖a‖² − 2a·b + ‖b‖². Queries go
in batches of rows and training rows in blocks; the products a·b of a batch and a block come
from one matrix product, and the numba kernel `merge_nearest` streams over them keeping, per
query, the k smallest ‖b‖² − 2a·b in a sorted buffer (‖a‖² does not change the ranking; on
equal scores the lower training index comes first). A block holds about `_BLOCK_ENTRIES`
distances (4 MiB), so memory stays bounded, and each distance is read once while in cache
(np.argpartition over the distance rows alone took longer than scikit-learn's whole
prediction). The k distances returned are then summed directly as ‖a − b‖
(`exact_distances`), so a query equal to a training row is at distance exactly 0, which the
rounding of the expansion does not guarantee, and the k are sorted by them (stably).

Weights: "uniform" (each of the k neighbours counts 1) or "distance" (1 / distance; a query
at distance 0 from some training rows gives those rows weight 1 and the others 0), as in
scikit-learn.

A neighbours model is its training data: where scikit-learn's KNN keeps private `_fit_X` and
`_y`, these keep public fitted arrays `fit_X_` and `fit_y_`, so `algorithms.persistence`
saves them like any other fitted state.
"""

import contextlib
import numbers

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from algorithms._constraints import POSITIVE_INT
from algorithms._kernel_args import read_only
from algorithms._labels import encode_labels

WEIGHTS = ("uniform", "distance")
# Distances per block of (query batch × training block): 2¹⁹ float64 = 4 MiB.
_BLOCK_ENTRIES = 1 << 19
# At least this many query rows per batch (so one product reuses each training block) and
# training rows per block (so a large batch_size does not split the training rows finely).
_MIN_BATCH_ROWS = 256
_MIN_BLOCK_ROWS = 256


@njit(cache=True)
def merge_nearest(products, sq_norms, offset, best_scores, best_indices):
    """Merge one block into each query's sorted k best (smallest) scores, in place.

    The score of query r and block row c is sq_norms[c] − 2·products[r, c] (its squared
    distance less the query's ‖a‖²), its index offset + c. best_scores[r] stays sorted in
    increasing order; a score enters only if strictly smaller than the current k-th, and
    after the equal scores already kept, so equal distances keep the lower index first.
    """
    n_rows, n_cols = products.shape
    k = best_scores.shape[1]
    for r in range(n_rows):
        scores = best_scores[r]
        indices = best_indices[r]
        worst = scores[k - 1]
        for c in range(n_cols):
            score = sq_norms[c] - 2.0 * products[r, c]
            if score < worst:
                j = k - 1
                while j > 0 and scores[j - 1] > score:
                    scores[j] = scores[j - 1]
                    indices[j] = indices[j - 1]
                    j -= 1
                scores[j] = score
                indices[j] = offset + c
                worst = scores[k - 1]


@njit(cache=True)
def exact_distances(X, fit_X, indices):
    """distances[i, j] = ‖X[i] − fit_X[indices[i, j]]‖, summed directly (no cancellation)."""
    n_rows, k = indices.shape
    distances = np.empty((n_rows, k))
    for i in range(n_rows):
        for j in range(k):
            row = fit_X[indices[i, j]]
            total = 0.0
            for f in range(X.shape[1]):
                diff = X[i, f] - row[f]
                total += diff * diff
            distances[i, j] = np.sqrt(total)
    return distances


def nearest_neighbors(X, fit_X, n_neighbors, batch_size=None):
    """(distances, indices), each (n_queries, n_neighbors): the Euclidean k nearest rows.

    X and fit_X are C-ordered float64 arrays; row i of the results lists the nearest rows of
    fit_X to X[i], closest first. batch_size query rows go through each matrix product (by
    default enough to fill a 4 MiB block, at least 256). When there is more than one
    product, they run on one BLAS thread: they are many and small, and a multi-threaded BLAS
    synchronises its threads on each, which on a busy machine costs several times the work
    (scikit-learn limits BLAS to one thread in its neighbour search too).
    """
    n_fit = fit_X.shape[0]
    batch = batch_size or max(_MIN_BATCH_ROWS, _BLOCK_ENTRIES // n_fit)
    block = max(_MIN_BLOCK_ROWS, _BLOCK_ENTRIES // batch)
    fit_sq_norms = np.einsum("ij,ij->i", fit_X, fit_X)
    best_scores = np.full((X.shape[0], n_neighbors), np.inf)
    best_indices = np.zeros((X.shape[0], n_neighbors), dtype=np.int64)
    one_product = X.shape[0] <= batch and n_fit <= block
    with contextlib.nullcontext() if one_product else threadpool_limits(1, user_api="blas"):
        for start in range(0, X.shape[0], batch):
            queries = X[start : start + batch]
            for offset in range(0, n_fit, block):
                merge_nearest(
                    queries @ fit_X[offset : offset + block].T,
                    fit_sq_norms[offset : offset + block],
                    offset,
                    best_scores[start : start + batch],
                    best_indices[start : start + batch],
                )
    distances = exact_distances(read_only(X), read_only(fit_X), best_indices)
    order = np.argsort(distances, axis=1, kind="stable")
    return np.take_along_axis(distances, order, 1), np.take_along_axis(best_indices, order, 1)


def neighbor_weights(distances, weights):
    """Weight of each neighbour: ones ("uniform") or 1 / distance, exact matches taking all."""
    if weights == "uniform":
        return np.ones_like(distances)
    exact = distances == 0.0
    with np.errstate(divide="ignore"):
        inverse = 1.0 / distances
    has_exact = exact.any(axis=1)
    inverse[has_exact] = exact[has_exact]
    return inverse


class _KNeighborsBase(BaseEstimator):
    """Shared parameters, checks and `kneighbors` of the two k-nearest-neighbour estimators."""

    _parameter_constraints = {
        "n_neighbors": POSITIVE_INT,
        "weights": [StrOptions(set(WEIGHTS))],
        "batch_size": [*POSITIVE_INT, None],
    }

    def __init__(self, n_neighbors=5, weights="uniform", batch_size=None):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.batch_size = batch_size

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        """(distances, indices), each (n_queries, n_neighbors): the nearest training rows.

        Row i lists the n_neighbors (default: self.n_neighbors) training rows nearest to X[i],
        closest first; only the indices when return_distance is False.
        """
        check_is_fitted(self)
        n_neighbors = self._checked_n_neighbors(n_neighbors, self.n_samples_fit_)
        X = validate_data(self, X, reset=False, dtype=np.float64, order="C")
        distances, indices = nearest_neighbors(X, self.fit_X_, n_neighbors, self.batch_size)
        return (distances, indices) if return_distance else indices

    def _store_training_data(self, X, y):
        """Check n_neighbors against X, then keep X and y as the fitted state."""
        self._checked_n_neighbors(self.n_neighbors, X.shape[0])
        self.fit_X_ = X
        self.fit_y_ = y
        self.n_samples_fit_ = X.shape[0]
        return self

    def _checked_n_neighbors(self, n_neighbors, n_samples_fit):
        """n_neighbors (None: self.n_neighbors) as an int in [1, n_samples_fit], or ValueError."""
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        check_scalar(n_neighbors, "n_neighbors", numbers.Integral, min_val=1)
        if n_neighbors > n_samples_fit:
            raise ValueError(
                f"n_neighbors = {n_neighbors} is more than the training samples, "
                f"n_samples = {n_samples_fit}: use n_neighbors <= {n_samples_fit}."
            )
        return int(n_neighbors)

    def _neighbors_and_weights(self, X):
        """Training-row indices (n_queries, k) of the neighbours of X and their weights."""
        distances, indices = self.kneighbors(X)
        return indices, neighbor_weights(distances, self.weights)


class KNeighborsClassifier(ClassifierMixin, _KNeighborsBase):
    """Vote of the k nearest training rows (Euclidean), uniform or weighted by 1 / distance.

    predict_proba[i, c] = Σ weights of the neighbours of class classes_[c] / Σ weights;
    predict takes the most probable class (the first in classes_ on a tie).

    Fitted attributes: classes_, fit_X_ (the training rows), fit_y_ (their class indices into
    classes_), n_samples_fit_, n_features_in_.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Check X and y and keep them: the training rows are the model."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, codes = encode_labels(self, y)
        self._store_training_data(X, codes)
        self.classes_ = classes
        return self

    def predict_proba(self, X):
        """Weighted share of each class among the neighbours, columns in classes_ order."""
        indices, weights = self._neighbors_and_weights(X)
        labels = self.fit_y_[indices]
        proba = np.zeros((labels.shape[0], len(self.classes_)))
        rows = np.arange(labels.shape[0])
        for j in range(labels.shape[1]):
            proba[rows, labels[:, j]] += weights[:, j]
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The class with the largest weighted vote among the k nearest training rows."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KNeighborsRegressor(RegressorMixin, _KNeighborsBase):
    """Mean of the targets of the k nearest training rows, uniform or weighted by 1 / distance.

    predict(x) = Σ w_j y_j / Σ w_j over the neighbours j; y may have several columns.

    Fitted attributes: fit_X_ (the training rows), fit_y_ (their float targets),
    n_samples_fit_, n_features_in_.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Check X and y (one target column or several) and keep them: they are the model."""
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True
        )
        return self._store_training_data(X, np.asarray(y, dtype=np.float64))

    def predict(self, X):
        """The weighted mean target of the k nearest training rows, shape like fit_y_'s rows."""
        indices, weights = self._neighbors_and_weights(X)
        targets = self.fit_y_[indices]
        weights = weights.reshape(weights.shape + (1,) * (targets.ndim - 2))
        return (targets * weights).sum(axis=1) / weights.sum(axis=1)
