"""Histogram gradient boosting: GradientBoostingRegressor and GradientBoostingClassifier.

Boosting starts from the loss's best constant F₀ (see _loss) and for m = 1 … n_estimators adds
K trees (K = 1, or one per class for multiclass); tree k is grown on the gradients g_k and
hessians h_k of the loss at F_{m−1} and moves the raw score of each of its leaves by
learning_rate · −Σg/(Σh + λ), a shrunk Newton step. Features are binned once (_binning), trees
grown best first on histograms (_histogram, _splitting, _grower) and kept as flat arrays
(_predictor). This is scikit-learn's HistGradientBoostingRegressor/Classifier (loss
"squared_error" / "log_loss", scoring="loss") with the same parameters and objective, without
its missing-value, categorical, monotonic-constraint and sample-weight support.

Early stopping (early_stopping=True, or "auto" with more than 10,000 rows) holds out a seeded
validation_fraction of the rows (per class for classifiers; with validation_fraction=None the
training rows are scored) and stops once none of the last n_iter_no_change scores beats the
score n_iter_no_change iterations earlier by more than tol. A score is the negated mean loss.
"""

import math
import numbers

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import FRACTION, NON_NEGATIVE, POSITIVE, POSITIVE_INT, SEED
from algorithms._labels import encode_labels
from algorithms._threads import ROWS_PER_THREAD, parallel_loops
from algorithms.ensemble._binning import bin_features, fit_bin_thresholds, threshold_values
from algorithms.ensemble._grower import grow_tree
from algorithms.ensemble._histogram import bin_counts
from algorithms.ensemble._loss import log_loss, squared_error
from algorithms.ensemble._predictor import add_tree_predictions, concatenate_trees

AUTO_EARLY_STOPPING_ROWS = 10_000
UNLIMITED = np.iinfo(np.int64).max


def validation_split(y, fraction, stratify, rng):
    """(train, validation) sorted row indices: a seeded share `fraction` of the rows held out.

    With stratify, ⌊fraction·n_c⌋ rows of each class c are held out, so every class keeps a
    training row; otherwise ⌈fraction·n⌉ rows.
    """
    if stratify:
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
        sizes = [math.floor(fraction * len(rows)) for rows in groups]
    else:
        groups = [np.arange(len(y))]
        sizes = [math.ceil(fraction * len(y))]
    held_out = [rng.permutation(rows)[:size] for rows, size in zip(groups, sizes, strict=True)]
    validation = np.sort(np.concatenate(held_out))
    train = np.setdiff1d(np.arange(len(y)), validation)
    if len(validation) == 0 or len(train) == 0:
        raise ValueError(
            f"validation_fraction={fraction} of {len(y)} samples leaves an empty training or "
            "validation set; use more samples, another validation_fraction or "
            "early_stopping=False."
        )
    return train, validation


def should_stop(scores, n_iter_no_change, tol):
    """True when none of the last n_iter_no_change scores beats the one before them by > tol."""
    if len(scores) <= n_iter_no_change:
        return False
    reference = scores[-n_iter_no_change - 1] + tol
    return not any(score > reference for score in scores[-n_iter_no_change:])


class _BaseGradientBoosting(BaseEstimator):
    """Parameters, their constraints, the boosting loop and raw prediction of both estimators."""

    _parameter_constraints = {
        "learning_rate": POSITIVE,
        "n_estimators": POSITIVE_INT,
        "max_depth": [*POSITIVE_INT, None],
        "max_leaf_nodes": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "min_samples_leaf": POSITIVE_INT,
        "l2_regularization": NON_NEGATIVE,
        "max_bins": [Interval(numbers.Integral, 2, 255, closed="both")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [*FRACTION, None],
        "n_iter_no_change": POSITIVE_INT,
        "tol": NON_NEGATIVE,
        "random_state": SEED,
    }

    def __init__(
        self,
        learning_rate=0.1,
        n_estimators=100,
        max_depth=None,
        max_leaf_nodes=31,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_bins=255,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    def _boost(self, X, y, make_loss, stratify):
        """Fit the trees to float64 X and y (class indices for classifiers); store the state."""
        rng = np.random.default_rng(self.random_state)
        if self.early_stopping == "auto":
            early_stopping = X.shape[0] > AUTO_EARLY_STOPPING_ROWS
        else:
            early_stopping = bool(self.early_stopping)
        validate = early_stopping and self.validation_fraction is not None
        if validate:
            train, validation = validation_split(y, self.validation_fraction, stratify, rng)
            X, X_val, y, y_val = X[train], X[validation], y[train], y[validation]
        thresholds, offsets = fit_bin_thresholds(X, self.max_bins, rng)
        X_binned = bin_features(X, thresholds, offsets)
        n_bins_non_missing = np.diff(offsets) + 1
        loss = make_loss(y)
        n_outputs = len(loss.baseline)
        raw = np.repeat(loss.baseline[:, np.newaxis], X.shape[0], axis=1)
        gradients, hessians = np.empty_like(raw), np.empty_like(raw)
        train_scores = [-loss.gradients(y, raw, gradients, hessians)]
        validation_scores = []
        if validate:
            raw_val = np.repeat(loss.baseline[:, np.newaxis], X_val.shape[0], axis=1)
            scratch = np.empty_like(raw_val), np.empty_like(raw_val)
            validation_scores.append(-loss.gradients(y_val, raw_val, *scratch))
        trees = []
        n_bins = int(n_bins_non_missing.max())
        histograms = np.empty((0, X.shape[1], n_bins, 3))
        counts = bin_counts(X_binned.T, n_bins)
        for iteration in range(self.n_estimators):
            for k in range(n_outputs):
                feature, bins, left, right, value, histograms = grow_tree(
                    X_binned.T,
                    gradients[k],
                    hessians[k],
                    loss.constant_hessian,
                    counts,
                    n_bins_non_missing,
                    UNLIMITED if self.max_leaf_nodes is None else int(self.max_leaf_nodes),
                    UNLIMITED if self.max_depth is None else int(self.max_depth),
                    int(self.min_samples_leaf),
                    float(self.l2_regularization),
                    float(self.learning_rate),
                    raw[k],
                    histograms,
                )
                threshold = threshold_values(feature, bins, thresholds, offsets)
                trees.append((feature, threshold, left, right, value))
            train_scores.append(-loss.gradients(y, raw, gradients, hessians))
            self._check_divergence(train_scores, iteration)
            if validate:
                *nodes, tree_offsets = concatenate_trees(trees[-n_outputs:])
                add_tree_predictions(X_val, *nodes, tree_offsets[:-1], raw_val)
                validation_scores.append(-loss.gradients(y_val, raw_val, *scratch))
            scores = validation_scores if validate else train_scores
            if early_stopping and should_stop(scores, self.n_iter_no_change, self.tol):
                break
        (
            self.nodes_feature_,
            self.nodes_threshold_,
            self.nodes_left_,
            self.nodes_right_,
            self.nodes_value_,
            self.tree_offsets_,
        ) = concatenate_trees(trees)
        self.baseline_prediction_ = loss.baseline
        self.bin_thresholds_ = thresholds
        self.bin_threshold_offsets_ = offsets
        self.n_trees_per_iteration_ = n_outputs
        self.n_iter_ = len(trees) // n_outputs
        self.do_early_stopping_ = early_stopping
        self.train_score_ = np.array(train_scores)
        self.validation_score_ = np.array(validation_scores)
        return self

    def _check_divergence(self, train_scores, iteration):
        """ValueError naming the learning rate once the training loss is NaN/inf or has doubled."""
        start, loss = -train_scores[0], -train_scores[-1]
        if not loss <= 2.0 * start:
            raise ValueError(
                f"gradient boosting diverged at iteration {iteration + 1} with learning_rate="
                f"{self.learning_rate}: the training loss went from {start:.4g} to {loss:.4g}; "
                "try a smaller learning_rate."
            )

    def _raw_predict(self, X):
        """Raw scores F(X), shape (n_trees_per_iteration_, n_samples)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, order="C")
        raw = np.repeat(self.baseline_prediction_[:, np.newaxis], X.shape[0], axis=1)
        add_tree_predictions(
            X,
            self.nodes_feature_,
            self.nodes_threshold_,
            self.nodes_left_,
            self.nodes_right_,
            self.nodes_value_,
            self.tree_offsets_[:-1],
            raw,
        )
        return raw


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    """Histogram gradient boosting of regression trees on the squared error ½(y − F)².

    predict(X) = F₀ + Σ tree values: mean(y) plus the shrunk Newton steps of every tree.

    Fitted attributes: n_features_in_, n_iter_ (iterations run), n_trees_per_iteration_ (K = 1),
    baseline_prediction_ (F₀, shape (K,)), train_score_ (−mean training loss before the first
    and after each iteration: n_iter_ + 1 entries, recorded with or without early stopping),
    validation_score_ (the same on the held-out rows; empty unless early stopping holds rows
    out), do_early_stopping_, bin_thresholds_ and bin_threshold_offsets_ (see _binning), and
    the trees as flat node arrays nodes_feature_, nodes_threshold_, nodes_left_, nodes_right_,
    nodes_value_ with tree_offsets_ (see _predictor; tree t belongs to iteration t // K).
    """

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow up to n_estimators trees on X (n_samples, n_features) and y (n_samples,)."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", y_numeric=True)
        return self._boost(X, y.astype(np.float64), squared_error, stratify=False)

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def predict(self, X):
        """The predicted targets, shape (n_samples,)."""
        return self._raw_predict(X)[0]


class GradientBoostingClassifier(ClassifierMixin, _BaseGradientBoosting):
    """Histogram gradient boosting on the log-loss, binary (one tree per iteration) or
    multiclass (one tree per class per iteration, softmax of the K raw scores).

    Fitted attributes: classes_ (sorted labels), K = n_trees_per_iteration_ (1 for two
    classes, else n_classes) and all those of GradientBoostingRegressor.
    """

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow up to n_estimators iterations of trees on X and the labels y."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, encoded = encode_labels(self, y)
        self._boost(
            X,
            encoded.astype(np.float64),
            lambda labels: log_loss(labels, len(classes)),
            stratify=True,
        )
        self.classes_ = classes
        return self

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def decision_function(self, X):
        """Raw scores: log-odds of classes_[1], shape (n_samples,), or (n_samples, n_classes)."""
        raw = self._raw_predict(X)
        return raw[0] if raw.shape[0] == 1 else raw.T

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def predict_proba(self, X):
        """Class probabilities σ(F) (binary) or softmax(F), shape (n_samples, n_classes)."""
        raw = self._raw_predict(X)
        if raw.shape[0] == 1:
            positive = expit(raw[0])
            return np.column_stack([1.0 - positive, positive])
        return softmax(raw, axis=0).T

    @parallel_loops(rows_per_thread=ROWS_PER_THREAD)
    def predict(self, X):
        """The most probable class of each row."""
        raw = self._raw_predict(X)
        if raw.shape[0] == 1:
            return self.classes_[(raw[0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=0)]
