"""RandomForestClassifier and RandomForestRegressor: bagged CART trees grown in parallel threads.

Tree t draws max_samples rows with replacement by np.random.default_rng(seed_t) (bootstrap;
all rows once without it) and grows on them, each row weighted by its number of draws (the
rows not drawn are left out, as in scikit-learn), trying max_features random features per node
(drawn by the same generator). The seeds come from np.random.default_rng(random_state),
so a fixed random_state gives the same forest for any n_jobs. The numba kernels release the
GIL, so a pool of n_jobs threads grows trees side by side on the shared X: no copies of the
data and no pickling of trees back, which processes would need.

Fitted state (plain arrays): all trees' node arrays (see `_builder`) concatenated as
tree_children_left_, …, tree_weighted_n_node_samples_ (child ids local to each tree) and
tree_offsets_ (n_estimators + 1), tree t owning nodes tree_offsets_[t]:tree_offsets_[t + 1];
n_features_in_; classes_ (classifier); with oob_score=True, oob_score_ and
oob_decision_function_ (classifier) or oob_prediction_ (regressor), from the trees that did
not draw each row.
"""

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, RealNotInt
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import POSITIVE_INT
from algorithms._kernel_args import feature_major, read_only, row_major
from algorithms._labels import encode_labels
from algorithms.metrics import accuracy, r2
from algorithms.tree._builder import build_tree
from algorithms.tree._classes import NODE_ARRAYS
from algorithms.tree._flat_tree import feature_importances, mean_leaf_value
from algorithms.tree._params import (
    CLASSIFICATION_CRITERIA,
    REGRESSION_CRITERIA,
    criterion_constraints,
    growth_params,
)

# Rows per prediction task: below this, threads cost more than they save.
_MIN_ROWS_PER_THREAD = 2_000


def bootstrap_weights(rng, n_samples, n_draws):
    """How often each row is among n_draws uniform draws by rng, as float64."""
    draws = rng.integers(0, n_samples, n_draws)
    return np.bincount(draws, minlength=n_samples).astype(np.float64)


class BaseForest(BaseEstimator):
    """Growing (`_fit`), averaging and reading the trees; subclasses validate X and y."""

    # The forest's own parameters; the trees' come from `criterion_constraints`.
    _FOREST_CONSTRAINTS = {
        "n_estimators": POSITIVE_INT,
        "bootstrap": ["boolean"],
        "oob_score": ["boolean"],
        "n_jobs": [numbers.Integral, None],
        "max_samples": [None, *POSITIVE_INT, Interval(RealNotInt, 0, 1, closed="right")],
    }

    def _n_draws(self, n_samples):
        """Bootstrap sample size: n_samples, an int ≤ n_samples, or a share of it (≥ 1)."""
        if self.max_samples is None:
            return n_samples
        if not self.bootstrap:
            raise ValueError(
                "max_samples needs bootstrap=True: without it every tree sees all rows."
            )
        if isinstance(self.max_samples, numbers.Integral):
            if self.max_samples > n_samples:
                raise ValueError(
                    f"max_samples={self.max_samples} exceeds the number of rows, {n_samples}."
                )
            return int(self.max_samples)
        return max(1, round(self.max_samples * n_samples))

    def _n_threads(self, n_tasks):
        return max(1, min(effective_n_jobs(self.n_jobs), n_tasks))

    def _fit(self, X, y, n_outputs, criteria):
        """Grow n_estimators trees in parallel, concatenate their nodes; return the seeds."""
        if self.oob_score and not self.bootstrap:
            raise ValueError(
                "oob_score=True needs bootstrap=True: without it no row is out of bag."
            )
        for stale in ("oob_score_", "oob_decision_function_", "oob_prediction_"):
            vars(self).pop(stale, None)
        n_samples = X.shape[0]
        params = growth_params(self, criteria, *X.shape)
        n_draws = self._n_draws(n_samples)
        seeds = np.random.default_rng(self.random_state).integers(2**63, size=self.n_estimators)
        XT, y = feature_major(X, np.float32), read_only(y)

        def grow(seed):
            rng = np.random.default_rng(seed)
            if self.bootstrap:
                weights = bootstrap_weights(rng, n_samples, n_draws)
                samples = np.flatnonzero(weights)
            else:
                weights, samples = np.ones(n_samples), np.arange(n_samples)
            return build_tree(
                XT,
                y,
                weights,
                samples,
                n_outputs,
                params.criterion,
                params.max_depth,
                params.min_samples_split,
                params.min_samples_leaf,
                params.max_features,
                params.min_impurity_decrease,
                rng,
            )

        with ThreadPoolExecutor(self._n_threads(len(seeds))) as pool:
            trees = list(pool.map(grow, seeds))
        for name, parts in zip(NODE_ARRAYS, zip(*trees, strict=True), strict=True):
            setattr(self, name, np.concatenate(parts))
        self.tree_offsets_ = np.concatenate([[0], np.cumsum([len(tree[0]) for tree in trees])])
        return seeds

    def _mean_value(self, X):
        """(n_rows, n_outputs) mean leaf value over the trees, rows split over n_jobs threads."""
        check_is_fitted(self)
        X = row_major(validate_data(self, X, reset=False, dtype=np.float32), np.float32)
        n_threads = self._n_threads(X.shape[0] // _MIN_ROWS_PER_THREAD)
        bounds = np.linspace(0, X.shape[0], n_threads + 1).astype(np.int64)
        with ThreadPoolExecutor(n_threads) as pool:
            parts = pool.map(
                lambda start, end: self._tree_mean(X[start:end], self.tree_offsets_),
                bounds[:-1],
                bounds[1:],
            )
            return np.concatenate(list(parts))

    def _tree_mean(self, X, offsets):
        """Mean leaf value of the rows of X (float32, C order) over the trees `offsets` delimit."""
        return mean_leaf_value(
            read_only(X),
            read_only(self.tree_children_left_),
            read_only(self.tree_children_right_),
            read_only(self.tree_feature_),
            read_only(self.tree_threshold_),
            read_only(self.tree_value_),
            read_only(offsets),
        )

    def _oob_mean(self, X, seeds):
        """Each row's mean leaf value over the trees that did not draw it (0 if all drew it)."""
        X = row_major(X, np.float32)
        total = np.zeros((X.shape[0], self.tree_value_.shape[1]))
        count = np.zeros(X.shape[0])
        n_draws = self._n_draws(X.shape[0])
        for t, seed in enumerate(seeds):
            weights = bootstrap_weights(np.random.default_rng(seed), X.shape[0], n_draws)
            rows = np.flatnonzero(weights == 0)
            total[rows] += self._tree_mean(X[rows], self.tree_offsets_[t : t + 2])
            count[rows] += 1
        if (count == 0).any():
            warnings.warn(
                "Some rows were drawn by every tree and have no out-of-bag prediction (left at "
                "0); use more trees for a reliable oob_score_.",
                UserWarning,
                stacklevel=3,
            )
        return total / np.maximum(count, 1)[:, np.newaxis]

    @property
    def feature_importances_(self):
        """Mean over the trees with a split of their normalised importances, normalised again."""
        check_is_fitted(self)
        offsets = self.tree_offsets_
        per_tree = [
            feature_importances(
                self.tree_children_left_[start:end],
                self.tree_children_right_[start:end],
                self.tree_feature_[start:end],
                self.tree_impurity_[start:end],
                self.tree_weighted_n_node_samples_[start:end],
                self.n_features_in_,
            )
            for start, end in zip(offsets[:-1], offsets[1:], strict=True)
            if end - start > 1
        ]
        if not per_tree:
            return np.zeros(self.n_features_in_)
        mean = np.mean(per_tree, axis=0)
        return mean / mean.sum()


class RandomForestClassifier(ClassifierMixin, BaseForest):
    """Random forest of CART classifiers (module docstring); probabilities are tree means.

    Parameters as scikit-learn's: n_estimators, criterion ("gini", "entropy", "log_loss"),
    max_depth, min_samples_split, min_samples_leaf, max_features (default "sqrt"), bootstrap,
    oob_score, n_jobs (threads; None 1, −1 all cores), random_state, max_samples (None all
    rows, an int, or a share), min_impurity_decrease.
    """

    _parameter_constraints = {
        **criterion_constraints(CLASSIFICATION_CRITERIA),
        **BaseForest._FOREST_CONSTRAINTS,
    }

    def __init__(
        self,
        n_estimators=100,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features="sqrt",
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        max_samples=None,
        min_impurity_decrease=0.0,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.max_samples = max_samples
        self.min_impurity_decrease = min_impurity_decrease

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow the forest on (X, y); y holds class labels (at least two distinct)."""
        X, y = validate_data(self, X, y, dtype=np.float32, order="F")
        classes, codes = encode_labels(self, y)
        encoded = codes.astype(np.float64)
        seeds = self._fit(X, encoded, len(classes), CLASSIFICATION_CRITERIA)
        self.classes_ = classes
        if self.oob_score:
            self.oob_decision_function_ = self._oob_mean(X, seeds)
            self.oob_score_ = accuracy(encoded, np.argmax(self.oob_decision_function_, axis=1))
        return self

    def predict_proba(self, X):
        """Mean over the trees of the leaf class fractions, (n_samples, n_classes)."""
        return self._mean_value(X)

    def predict(self, X):
        """The class of highest mean probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class RandomForestRegressor(RegressorMixin, BaseForest):
    """Random forest of CART regressors (module docstring); predict is the mean of the trees.

    Parameters as RandomForestClassifier's, with criterion "squared_error" and max_features
    1.0 (all features, scikit-learn's default).
    """

    _parameter_constraints = {
        **criterion_constraints(REGRESSION_CRITERIA),
        **BaseForest._FOREST_CONSTRAINTS,
    }

    def __init__(
        self,
        n_estimators=100,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features=1.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        max_samples=None,
        min_impurity_decrease=0.0,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.max_samples = max_samples
        self.min_impurity_decrease = min_impurity_decrease

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow the forest on (X, y); y numeric."""
        X, y = validate_data(self, X, y, dtype=np.float32, order="F", y_numeric=True)
        y = np.ascontiguousarray(y, dtype=np.float64)
        seeds = self._fit(X, y, 1, REGRESSION_CRITERIA)
        if self.oob_score:
            self.oob_prediction_ = self._oob_mean(X, seeds)[:, 0]
            self.oob_score_ = r2(y, self.oob_prediction_)
        return self

    def predict(self, X):
        """Mean over the trees of the leaf means."""
        return self._mean_value(X)[:, 0]
