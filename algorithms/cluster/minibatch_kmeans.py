"""MiniBatchKMeans: k-means by mini-batch steps (Sculley 2010), as scikit-learn's MiniBatchKMeans.

A step assigns each row of a batch B to its nearest centre (the fused kernel of
`_lloyd.assign_and_accumulate`) and moves every centre j that received rows to the mean of all the
rows it has ever received: with n_j rows so far and the batch's rows B_j,

    c_j ← (n_j·c_j + Σ_{x ∈ B_j} x) / (n_j + |B_j|),   n_j ← n_j + |B_j|,

a gradient step of per-centre learning rate 1/count. Reassignment (as scikit-learn): after a
step that follows a centre without rows or 10·n_clusters rows since the last reassignment,
every centre whose count is below reassignment_ratio × the largest count (at most half the
batch's size of them, the lowest counts first) moves to a distinct row of the batch drawn
uniformly, and its count becomes the smallest count among the others, so it keeps a
moderate learning rate.

fit seeds n_init times ("k-means++" or "random" on init_size rows drawn with replacement, or
the init array) and keeps the seeding of lowest inertia on another init_size rows, then runs
up to (max_iter · n) // batch_size steps on batches drawn with replacement. It stops when
Σ‖c_new − c_old‖² ≤ tol · mean per-feature variance of X (tol > 0), or when the batch inertia
per row, smoothed by an exponentially weighted average of weight 2·batch_size/(n + 1), has
not reached a new minimum for max_no_improvement steps in a row.
"""

import math
import warnings

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE_INT
from algorithms._threads import parallel_loops
from algorithms.cluster._kmeans import INITS, NearestCenterMixin, init_array, kmeans_plusplus
from algorithms.cluster._lloyd import assign_and_accumulate


def _assign(X, centers):
    """(labels, squared distances) of X's rows to their nearest centre (parallel kernel)."""
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    distances = np.empty(X.shape[0])
    assign_and_accumulate(X, centers, labels, distances)
    return labels, distances


@njit(cache=True)
def _batch_update(X, centers, counts, new_centers):
    """Assign each row of the batch X to its nearest centre as `_lloyd.assign_and_accumulate` does,
    then move each centre that received rows to the count-weighted mean (module docstring):
    new_centers and counts in place. Returns the batch inertia.

    Serial: a batch is small, and a parallel launch per step costs more than it saves (and
    stalls when another process holds the other core).
    """
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    center_sq_norms = np.zeros(n_clusters)
    for j in range(n_clusters):
        for f in range(n_features):
            center_sq_norms[j] += centers[j, f] * centers[j, f]
    sums = np.zeros((n_clusters, n_features))
    batch_counts = np.zeros(n_clusters)
    inertia = 0.0
    for i in range(n_samples):
        best = 0
        best_score = np.inf
        for j in range(n_clusters):
            score = center_sq_norms[j]
            for f in range(n_features):
                score -= 2.0 * X[i, f] * centers[j, f]
            if score < best_score:
                best_score = score
                best = j
        distance = 0.0
        for f in range(n_features):
            diff = X[i, f] - centers[best, f]
            distance += diff * diff
            sums[best, f] += X[i, f]
        inertia += distance
        batch_counts[best] += 1.0
    for j in range(n_clusters):
        if batch_counts[j] > 0:
            total = counts[j] + batch_counts[j]
            for f in range(n_features):
                new_centers[j, f] = (centers[j, f] * counts[j] + sums[j, f]) / total
            counts[j] = total
        else:
            for f in range(n_features):
                new_centers[j, f] = centers[j, f]
    return inertia


def minibatch_step(X, centers, counts, random_state, reassign, reassignment_ratio):
    """One step on the batch X (module docstring): (new centres, batch inertia); counts is
    updated in place."""
    new_centers = np.empty_like(centers)
    inertia = _batch_update(X, centers, counts, new_centers)
    if reassign and reassignment_ratio > 0:
        to_reassign = counts < reassignment_ratio * counts.max()
        if to_reassign.sum() > 0.5 * X.shape[0]:
            to_reassign[np.argsort(counts, kind="stable")[int(0.5 * X.shape[0]) :]] = False
        n_reassign = int(to_reassign.sum())
        if n_reassign:
            rows = random_state.choice(X.shape[0], size=n_reassign, replace=False)
            new_centers[to_reassign] = X[rows]
            counts[to_reassign] = counts[~to_reassign].min()
    return new_centers, inertia


class MiniBatchKMeans(NearestCenterMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """k-means by mini-batch steps with per-centre learning rates 1/count (module docstring).

    partial_fit makes one step with its whole X as the batch, continuing from the current
    centres and counts; its first call seeds the centres from that batch (which needs at
    least n_clusters rows), as scikit-learn's. With an integer random_state the draws of the
    step counted n_steps_ come from a generator seeded by (random_state, n_steps_), so a
    saved and reloaded model continues exactly as the original would. n_init="auto" means 1
    seeding for "k-means++" or an array, 3 for "random" (scikit-learn's). No sample_weight.

    Fitted attributes: cluster_centers_ (n_clusters, n_features), counts_ (rows each centre
    has received, as float64, reset by reassignment), labels_ and inertia_ (of the training
    rows for fit; of the last batch for partial_fit), n_steps_ (mini-batch steps), n_iter_
    (fit only: epochs, ⌈n_steps_ · batch_size / n⌉), n_since_last_reassign_ (rows seen since
    the last reassignment check fired), n_features_in_.
    """

    _parameter_constraints = {
        "n_clusters": POSITIVE_INT,
        "init": [StrOptions(set(INITS)), "array-like"],
        "max_iter": POSITIVE_INT,
        "batch_size": POSITIVE_INT,
        "tol": NON_NEGATIVE,
        "max_no_improvement": [*POSITIVE_INT, None],
        "init_size": [*POSITIVE_INT, None],
        "n_init": [StrOptions({"auto"}), *POSITIVE_INT],
        "reassignment_ratio": NON_NEGATIVE,
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        max_iter=100,
        batch_size=1024,
        tol=0.0,
        max_no_improvement=10,
        init_size=None,
        n_init="auto",
        reassignment_ratio=0.01,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.random_state = random_state

    @parallel_loops
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Seed, then run mini-batch steps on batches drawn from X until a stopping rule;
        labels_ and inertia_ are those of X for the final centres. y is ignored."""
        X = validate_data(self, X, dtype=np.float64, order="C")
        n_samples = X.shape[0]
        self._check_enough_rows(n_samples, "X")
        batch_size = min(self.batch_size, n_samples)
        init_size = self._init_size(batch_size, n_samples)
        init_centers = init_array(self.init, self.n_clusters, X.shape[1])
        random_state = check_random_state(self.random_state)
        validation = X[random_state.randint(0, n_samples, init_size)]
        best_inertia, centers = np.inf, None
        for _ in range(self._n_runs(init_centers)):
            candidate = self._seed(X, init_centers, init_size, random_state)
            inertia = _assign(validation, candidate)[1].sum()
            if centers is None or inertia < best_inertia:
                centers, best_inertia = candidate, inertia
        counts = np.zeros(self.n_clusters)
        self.n_since_last_reassign_ = 0
        tol = float(np.mean(np.var(X, axis=0)) * self.tol)
        smoothing = min(batch_size * 2.0 / (n_samples + 1), 1.0)
        ewa, ewa_min, no_improvement = None, None, 0
        n_steps = (self.max_iter * n_samples) // batch_size
        for step in range(1, n_steps + 1):
            batch = X[random_state.randint(0, n_samples, batch_size)]
            reassign = self._reassign_due(counts, batch_size)
            new_centers, batch_inertia = minibatch_step(
                batch, centers, counts, random_state, reassign, self.reassignment_ratio
            )
            shift = float(((new_centers - centers) ** 2).sum()) if tol > 0 else 0.0
            centers = new_centers
            if step == 1:
                continue  # its inertia measures the seeding, not a step
            batch_inertia /= batch_size
            ewa = (
                batch_inertia if ewa is None else ewa * (1 - smoothing) + batch_inertia * smoothing
            )
            if tol > 0 and shift <= tol:
                break
            if ewa_min is None or ewa < ewa_min:
                no_improvement, ewa_min = 0, ewa
            else:
                no_improvement += 1
            if self.max_no_improvement is not None and no_improvement >= self.max_no_improvement:
                break
        self.cluster_centers_ = centers
        self.counts_ = counts
        self.n_steps_ = step
        self.n_iter_ = math.ceil(step * batch_size / n_samples)
        labels, distances = _assign(X, centers)
        self.labels_, self.inertia_ = labels, float(distances.sum())
        return self

    @parallel_loops
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One mini-batch step on all of X; the first call seeds the centres from X. y is
        ignored. Returns self."""
        first_call = not hasattr(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, order="C", reset=first_call)
        random_state = self._step_random_state(0 if first_call else self.n_steps_)
        if first_call:
            self._check_enough_rows(X.shape[0], "the first batch given to partial_fit")
            init_size = self._init_size(min(self.batch_size, X.shape[0]), X.shape[0])
            init_centers = init_array(self.init, self.n_clusters, X.shape[1])
            self.cluster_centers_ = self._seed(X, init_centers, init_size, random_state)
            self.counts_ = np.zeros(self.n_clusters)
            self.n_steps_ = 0
            self.n_since_last_reassign_ = 0
        reassign = self._reassign_due(self.counts_, X.shape[0])
        self.cluster_centers_, _ = minibatch_step(
            X, self.cluster_centers_, self.counts_, random_state, reassign, self.reassignment_ratio
        )
        labels, distances = _assign(X, self.cluster_centers_)
        self.labels_, self.inertia_ = labels, float(distances.sum())
        self.n_steps_ += 1
        return self

    def _check_enough_rows(self, n_samples, what):
        if n_samples < self.n_clusters:
            raise ValueError(
                f"{what} has {n_samples} rows; seeding n_clusters={self.n_clusters} centres "
                "needs at least that many."
            )

    def _init_size(self, batch_size, n_samples):
        """How many rows the seeding (and, in fit, its validation) draws: scikit-learn's rule."""
        size = 3 * batch_size if self.init_size is None else self.init_size
        if size < self.n_clusters:
            if self.init_size is not None:
                warnings.warn(
                    f"init_size={self.init_size} is below n_clusters={self.n_clusters}; "
                    f"seeding on 3 * n_clusters = {3 * self.n_clusters} rows instead.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            size = 3 * self.n_clusters
        return min(size, n_samples)

    def _n_runs(self, init_centers):
        if init_centers is not None:
            return 1
        if self.n_init == "auto":
            return 3 if self.init == "random" else 1
        return self.n_init

    def _seed(self, X, init_centers, init_size, random_state):
        """Centres from the init array, or seeded on init_size rows of X drawn with replacement."""
        if init_centers is not None:
            return init_centers.copy()
        if init_size < X.shape[0]:
            X = X[random_state.randint(0, X.shape[0], init_size)]
        if self.init == "random":
            return X[random_state.choice(X.shape[0], size=self.n_clusters, replace=False)]
        return kmeans_plusplus(X, self.n_clusters, random_state)

    def _reassign_due(self, counts, n_rows):
        """Whether this step reassigns (module docstring); counts rows toward the next one."""
        self.n_since_last_reassign_ += n_rows
        if (counts == 0).any() or self.n_since_last_reassign_ >= 10 * self.n_clusters:
            self.n_since_last_reassign_ = 0
            return True
        return False

    def _step_random_state(self, step):
        """The RandomState of partial_fit's step counted `step` (class docstring)."""
        if isinstance(self.random_state, int | np.integer):
            seed = np.random.SeedSequence([int(self.random_state), int(step)])
            return np.random.RandomState(np.random.MT19937(seed))
        return check_random_state(self.random_state)
