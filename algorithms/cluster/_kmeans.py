"""KMeans: minimise the inertia Σᵢ ‖xᵢ − c_{label(i)}‖² by Lloyd's iterations, as scikit-learn does.

Seeding ("k-means++", Arthur and Vassilvitskii 2007, greedy like scikit-learn's): the first
centre is a uniformly drawn row; each next one is the best, by the resulting potential
Σᵢ minⱼ ‖xᵢ − cⱼ‖², of 2 + ⌊ln k⌋ rows drawn with probability ∝ their squared distance to the
nearest centre so far (their distances by one matrix product).
"random" takes k distinct rows; an array gives the centres. Both draw from the RandomState as
scikit-learn's do (`choice` with uniform probabilities), so with the same random_state they
pick the same rows as scikit-learn's KMeans.

Lloyd iteration: assign each row to its nearest centre and sum the rows per centre in one
fused numba pass over chunks of rows on every usable core (`_lloyd.assign_and_accumulate`,
as scikit-learn's chunked OpenMP loop), then move each centre to its rows' mean. A
centre left without rows moves to the row farthest from its own centre (the farthest for the
first empty one, and so on), which leaves its old cluster, as in scikit-learn. Stop when no
label changes (the new centres then equal the old ones) or when Σⱼ ‖cⱼ_new − cⱼ_old‖² ≤
tol · mean per-feature variance of X; one more assignment pass, which also sums the squared
distances directly, makes labels_ and inertia_ those of the final centres. The data
are centred on their mean during the fit (as scikit-learn does) so ‖c‖² − 2x·c loses no
precision to a far-away origin.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE_INT
from algorithms._threads import ROWS_PER_THREAD, parallel_loops
from algorithms.cluster._lloyd import assign_and_accumulate

INITS = ("k-means++", "random")


def squared_distances(centers, X, x_sq_norms):
    """‖x − c‖², shape (n_centers, n_rows), by ‖x‖² − 2c·x + ‖c‖² clipped at 0 (‖x‖² given)."""
    sq = (-2.0 * centers) @ X.T
    sq += x_sq_norms
    sq += np.einsum("ij,ij->i", centers, centers)[:, np.newaxis]
    return np.maximum(sq, 0.0, out=sq)


def kmeans_plusplus(X, n_clusters, random_state):
    """Greedy k-means++ centres (module docstring): k rows of X, drawn with random_state."""
    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))
    x_sq_norms = np.einsum("ij,ij->i", X, X)
    centers = np.empty((n_clusters, X.shape[1]))
    centers[0] = X[random_state.choice(n_samples, p=np.full(n_samples, 1.0 / n_samples))]
    closest = squared_distances(centers[:1], X, x_sq_norms)[0]
    potential = closest.sum()
    for c in range(1, n_clusters):
        targets = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(closest), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        to_candidates = squared_distances(X[candidates], X, x_sq_norms)
        np.minimum(closest, to_candidates, out=to_candidates)
        best = int(np.argmin(to_candidates.sum(axis=1)))
        closest = to_candidates[best]
        potential = closest.sum()
        centers[c] = X[candidates[best]]
    return centers


def random_rows(X, n_clusters, random_state):
    """k distinct rows of X drawn uniformly, as scikit-learn's init="random" draws them."""
    n_samples = X.shape[0]
    return X[
        random_state.choice(
            n_samples, size=n_clusters, replace=False, p=np.full(n_samples, 1.0 / n_samples)
        )
    ]


def init_array(init, n_clusters, n_features):
    """init as a float array of shape (n_clusters, n_features), None for a named init;
    ValueError if its shape is wrong or it holds NaN or infinity."""
    if isinstance(init, str):
        return None
    centers = np.array(init, dtype=np.float64)
    if centers.shape != (n_clusters, n_features):
        raise ValueError(
            f"init array has shape {centers.shape}; it must be (n_clusters, n_features) = "
            f"{(n_clusters, n_features)}."
        )
    if not np.isfinite(centers).all():
        raise ValueError("init array contains NaN or infinity.")
    return centers


def relocate_empty_clusters(X, centers, sums, counts, labels):
    """Give each centre without rows the next-farthest row from its own centre, in place."""
    empty = np.flatnonzero(counts == 0)
    distances = ((X - centers[labels]) ** 2).sum(axis=1)
    farthest = np.argsort(-distances, kind="stable")[: len(empty)]
    for cluster, row in zip(empty, farthest, strict=True):
        old = labels[row]
        sums[old] -= X[row]
        counts[old] -= 1
        sums[cluster] = X[row]
        counts[cluster] = 1


def lloyd(X, centers, max_iter, tol):
    """(centers, labels, inertia, n_iter) of Lloyd's iterations from the given centres.

    Runs numba-parallel passes: call it with BLAS on one thread (`numba_owns_the_cores`).
    """
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        sums, counts, n_changed, _ = assign_and_accumulate(X, centers, labels)
        if counts.min() == 0:
            relocate_empty_clusters(X, centers, sums, counts, labels)
        new_centers = np.where(
            counts[:, np.newaxis] > 0, sums / np.maximum(counts, 1)[:, np.newaxis], centers
        )
        shift = ((new_centers - centers) ** 2).sum()
        centers = new_centers
        if n_changed == 0 or shift <= tol:
            break
    inertia = assign_and_accumulate(X, centers, labels, np.empty(X.shape[0]))[3]
    return centers, labels, float(inertia), n_iter


class NearestCenterMixin:
    """predict, transform, score and fit_predict of an estimator fitted to cluster_centers_."""

    def fit_predict(self, X, y=None):
        """Fit, then return labels_."""
        return self.fit(X).labels_

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def predict(self, X):
        """Index of the nearest centre of each row of X."""
        return self._assign(X)[0]

    def transform(self, X):
        """Euclidean distance of each row of X to each centre, shape (n_samples, n_clusters)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, order="C", reset=False)
        x_sq_norms = np.einsum("ij,ij->i", X, X)
        return np.sqrt(squared_distances(self.cluster_centers_, X, x_sq_norms).T)

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def score(self, X, y=None):
        """Minus the inertia of X: −Σ squared distances to the nearest centre."""
        return -float(self._assign(X)[1].sum())

    def _assign(self, X):
        """(labels, squared distances) of X's rows to their nearest fitted centre."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, order="C", reset=False)
        labels = np.full(X.shape[0], -1, dtype=np.int32)
        distances = np.empty(X.shape[0])
        assign_and_accumulate(X, self.cluster_centers_, labels, distances)
        return labels, distances


class KMeans(NearestCenterMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """k-means clustering by Lloyd's algorithm with k-means++ seeding (module docstring).

    n_init: the number of seedings run, the lowest inertia kept. It defaults to 1, which is
    what scikit-learn's n_init="auto" means for k-means++; "auto" is accepted (1, or 10 for
    init="random"); an array init runs once. random_state seeds a numpy RandomState used by
    all the runs in turn.

    Fitted attributes: cluster_centers_ (n_clusters, n_features), labels_ (int32, the nearest
    centre of each training row), inertia_ (Σ squared distances to the nearest centre),
    n_iter_ (Lloyd iterations of the kept run), n_features_in_.
    """

    _parameter_constraints = {
        "n_clusters": POSITIVE_INT,
        "init": [StrOptions(set(INITS)), "array-like"],
        "n_init": [StrOptions({"auto"}), *POSITIVE_INT],
        "max_iter": POSITIVE_INT,
        "tol": NON_NEGATIVE,
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_clusters=8, *, init="k-means++", n_init=1, max_iter=300, tol=1e-4, random_state=None
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster the rows of X; y is ignored."""
        X = validate_data(self, X, dtype=np.float64, order="C")
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        init_centers = init_array(self.init, self.n_clusters, X.shape[1])
        mean = X.mean(axis=0)
        X = X - mean
        tol = float(np.mean(np.var(X, axis=0)) * self.tol)
        random_state = check_random_state(self.random_state)
        best = None
        for _ in range(self._n_runs(init_centers)):
            if init_centers is not None:
                centers = init_centers - mean
            elif self.init == "random":
                centers = random_rows(X, self.n_clusters, random_state)
            else:
                centers = kmeans_plusplus(X, self.n_clusters, random_state)
            run = lloyd(X, centers, self.max_iter, tol)
            if best is None or run[2] < best[2]:
                best = run
        centers, self.labels_, self.inertia_, self.n_iter_ = best
        self.cluster_centers_ = centers + mean
        return self

    def _n_runs(self, init_centers):
        """How many seedings to run (class docstring)."""
        if init_centers is not None:
            return 1
        if self.n_init == "auto":
            return 10 if self.init == "random" else 1
        return self.n_init
