"""DecisionTreeClassifier and DecisionTreeRegressor: CART with scikit-learn's splits and names.

Each node takes the split of best impurity decrease among max_features features drawn at random
(all by default), with thresholds at midpoints between consecutive distinct float32 values, as
scikit-learn does; with max_features=None and no ties between candidate splits the tree is
scikit-learn's, node for node. X is used as float32, as scikit-learn's trees do.

Fitted state (plain arrays, saved by `algorithms.persistence`): the node arrays of `_builder`
as tree_children_left_, tree_children_right_, tree_feature_, tree_threshold_, tree_value_
(n_nodes, n_classes) class fractions or (n_nodes, 1) means, tree_impurity_,
tree_n_node_samples_, tree_weighted_n_node_samples_; max_features_, n_features_in_ and, for
the classifier, classes_.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._kernel_args import feature_major, read_only, row_major
from algorithms._labels import encode_labels
from algorithms.tree._builder import LEAF, build_tree
from algorithms.tree._flat_tree import apply_tree, feature_importances, tree_depth
from algorithms.tree._params import (
    CLASSIFICATION_CRITERIA,
    REGRESSION_CRITERIA,
    criterion_constraints,
    growth_params,
)

NODE_ARRAYS = (
    "tree_children_left_",
    "tree_children_right_",
    "tree_feature_",
    "tree_threshold_",
    "tree_value_",
    "tree_impurity_",
    "tree_n_node_samples_",
    "tree_weighted_n_node_samples_",
)


class BaseDecisionTree(BaseEstimator):
    """Growing (`_fit`) and reading the flat-array tree; subclasses validate X and y."""

    def _fit(self, X, y, n_outputs, criteria):
        """Grow the tree on all rows (weight 1) and store its node arrays."""
        params = growth_params(self, criteria, *X.shape)
        nodes = build_tree(
            feature_major(X, np.float32),
            read_only(y),
            np.ones(X.shape[0]),
            np.arange(X.shape[0]),
            n_outputs,
            params.criterion,
            params.max_depth,
            params.min_samples_split,
            params.min_samples_leaf,
            params.max_features,
            params.min_impurity_decrease,
            np.random.default_rng(self.random_state),
        )
        for name, array in zip(NODE_ARRAYS, nodes, strict=True):
            setattr(self, name, array)
        self.max_features_ = params.max_features
        return self

    def apply(self, X):
        """The id of the leaf each row ends in, shape (n_samples,)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        return apply_tree(
            row_major(X, np.float32),
            read_only(self.tree_children_left_),
            read_only(self.tree_children_right_),
            read_only(self.tree_feature_),
            read_only(self.tree_threshold_),
            0,
        )

    def get_depth(self):
        """Edges on the longest root-to-leaf path."""
        check_is_fitted(self)
        return tree_depth(self.tree_children_left_, self.tree_children_right_)

    def get_n_leaves(self):
        """Number of leaves."""
        check_is_fitted(self)
        return int(np.count_nonzero(self.tree_children_left_ == LEAF))

    @property
    def feature_importances_(self):
        """Total weighted impurity decrease per feature, normalised to sum 1 (scikit-learn's)."""
        check_is_fitted(self)
        return feature_importances(
            self.tree_children_left_,
            self.tree_children_right_,
            self.tree_feature_,
            self.tree_impurity_,
            self.tree_weighted_n_node_samples_,
            self.n_features_in_,
        )


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """CART classifier (module docstring): splits minimise gini or entropy (log_loss) impurity.

    predict_proba is the class fractions of the row's leaf; predict the most frequent class
    there (the first of equals). max_features: None (all), an int, a float share, "sqrt" or
    "log2"; random_state seeds the features drawn at each node (only their order when all are
    tried, which decides between equally good splits).
    """

    _parameter_constraints = criterion_constraints(CLASSIFICATION_CRITERIA)

    def __init__(
        self,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features=None,
        random_state=None,
        min_impurity_decrease=0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow the tree on (X, y); y holds class labels (at least two distinct)."""
        X, y = validate_data(self, X, y, dtype=np.float32, order="F")
        classes, codes = encode_labels(self, y)
        self._fit(X, codes.astype(np.float64), len(classes), CLASSIFICATION_CRITERIA)
        self.classes_ = classes
        return self

    def predict_proba(self, X):
        """Class fractions of each row's leaf, shape (n_samples, n_classes), columns classes_."""
        leaves = self.apply(X)
        return self.tree_value_[leaves]

    def predict(self, X):
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """CART regressor (module docstring): splits minimise the weighted variance (squared error).

    predict is the mean target of the row's leaf. Parameters as DecisionTreeClassifier's.
    """

    _parameter_constraints = criterion_constraints(REGRESSION_CRITERIA)

    def __init__(
        self,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features=None,
        random_state=None,
        min_impurity_decrease=0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow the tree on (X, y); y numeric."""
        X, y = validate_data(self, X, y, dtype=np.float32, order="F", y_numeric=True)
        self._fit(X, np.ascontiguousarray(y, dtype=np.float64), 1, REGRESSION_CRITERIA)
        return self

    def predict(self, X):
        """Mean target of each row's leaf."""
        leaves = self.apply(X)
        return self.tree_value_[leaves, 0]
