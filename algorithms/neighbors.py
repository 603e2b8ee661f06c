"""k-nearest neighbours (Euclidean, brute force): a vote or a mean over the k closest rows.

The squared distance from a query a to a training row b is ‖a‖² − 2a·b + ‖b‖². Queries go
in batches of `_BATCH_ROWS` rows and training rows in blocks of `_BLOCK_ROWS`, as in
scikit-learn's search: the products a·b of a batch and a block come from one small matrix
product (BLAS, into the worker's own 512 KiB buffer, which stays in the core's L2 cache), and
the numba kernel `merge_nearest` streams over them keeping, per query, the k smallest
‖b‖² − 2a·b in a sorted buffer (‖a‖² does not change the ranking; on equal scores the lower
training index comes first). Each distance is read once while in cache (np.argpartition over
the distance rows alone took longer than scikit-learn's whole prediction). The batches run in
parallel (numba prange, `algorithms._threads.parallel_loops`: BLAS on one thread inside each);
a query's result depends only on its own batch, so not on the number of threads. The k
distances returned are then summed directly as ‖a − b‖ (`exact_distances`), so a query equal
to a training row is at distance exactly 0, which the rounding of the expansion does not
guarantee, and the k are sorted by them (stably).

Weights: "uniform" (each of the k neighbours counts 1) or "distance" (1 / distance; a query
at distance 0 from some training rows gives those rows weight 1 and the others 0), as in
scikit-learn.

A neighbours model is its training data: where scikit-learn's KNN keeps private `_fit_X` and
`_y`, these keep public fitted arrays `fit_X_` and `fit_y_`, so `algorithms.persistence`
saves them like any other fitted state.
"""

import numbers

import numpy as np
from numba import njit, prange
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import POSITIVE_INT
from algorithms._kernel_args import read_only
from algorithms._labels import encode_labels
from algorithms._threads import parallel_loops

WEIGHTS = ("uniform", "distance")
# Query rows per batch (scikit-learn's chunk size) and training rows per block: one product is
# 256 × 256 float64 = 512 KiB, half a core's L2 cache (AMD EPYC), so the merge reads it there.
# 4 MiB products (256 × 2,048), spilling to L3, took about 1.1 times as long on one core.
_BATCH_ROWS = 256
_BLOCK_ROWS = 256


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
    fit_X to X[i], closest first. batch_size (default `_BATCH_ROWS`) query rows go through
    each matrix product. Callers run it under `algorithms._threads.numba_owns_the_cores`.
    """
    X, fit_X = read_only(X), read_only(fit_X)
    fit_sq_norms = read_only(np.einsum("ij,ij->i", fit_X, fit_X))
    _, indices = nearest_scores(
        X, fit_X, fit_sq_norms, n_neighbors, batch_size or _BATCH_ROWS, _BLOCK_ROWS
    )
    distances = exact_distances(X, fit_X, indices)
    order = np.argsort(distances, axis=1, kind="stable")
    return np.take_along_axis(distances, order, 1), np.take_along_axis(indices, order, 1)


@njit(cache=True, parallel=True)
def nearest_scores(X, fit_X, fit_sq_norms, n_neighbors, batch, block):
    """(scores, indices), each (n_queries, n_neighbors): per query, the smallest
    ‖b‖² − 2a·b over the training rows b, increasing (equal scores: lower index first).

    Batches of `batch` queries run in parallel; each multiplies its queries by `block`
    training rows at a time into a buffer of its own and merges the products.
    """
    n_queries = X.shape[0]
    n_fit = fit_X.shape[0]
    block = min(block, n_fit)
    best_scores = np.full((n_queries, n_neighbors), np.inf)
    best_indices = np.full((n_queries, n_neighbors), -1, dtype=np.int64)
    for b in prange((n_queries + batch - 1) // batch):
        start = b * batch
        stop = min(n_queries, start + batch)
        buffer = np.empty(min(batch, n_queries) * block)
        for offset in range(0, n_fit, block):
            end = min(n_fit, offset + block)
            products = buffer[: (stop - start) * (end - offset)].reshape(
                (stop - start, end - offset)
            )
            np.dot(X[start:stop], fit_X[offset:end].T, products)
            merge_nearest(
                products,
                fit_sq_norms[offset:end],
                offset,
                best_scores[start:stop],
                best_indices[start:stop],
            )
    return best_scores, best_indices


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

    @parallel_loops
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
