"""What each estimator's fitted arrays look like: dtype, shape and index range per attribute.

`algorithms.persistence` checks every array of a stored estimator against its class's entry
before the estimator is built, so a tampered or damaged file is refused when it loads rather
than failing (or reading out of bounds in a numba kernel) at predict time.

An entry reads `dtype[dim, dim, …]`, alternatives separated by `|`; an index array adds
`from LO below HI` (every value v has LO ≤ v < HI) or `from LO to HI` (LO ≤ v ≤ HI). dtypes:
`f8` (float64), `int` (int32 or int64), `label` (bool, integer, float or unicode class
labels). A dimension is a number, `*` (any), a fitted scalar attribute (a name ending in `_`,
e.g. `n_features_in_`), or a name (`n_classes`, `n_nodes`) that must take the same size
wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

_LINEAR = {
    "coef_": "f8[n_features_in_] | f8[n_targets, n_features_in_]",
    "intercept_": "f8[n_targets]",
    "loss_curve_": "f8[*]",
}
_BINARY_LINEAR = {
    "classes_": "label[2]",
    "coef_": "f8[n_features_in_]",
    "loss_curve_": "f8[*]",
}
_TREE = {
    "tree_children_left_": "int[n_nodes] from -1 below n_nodes",
    "tree_children_right_": "int[n_nodes] from -1 below n_nodes",
    "tree_feature_": "int[n_nodes] from -2 below n_features_in_",
    "tree_impurity_": "f8[n_nodes]",
    "tree_n_node_samples_": "int[n_nodes]",
    "tree_threshold_": "f8[n_nodes]",
    "tree_weighted_n_node_samples_": "f8[n_nodes]",
}
_TREE_CLASSIFIER = _TREE | {"classes_": "label[n_classes]", "tree_value_": "f8[n_nodes, n_classes]"}
_TREE_REGRESSOR = _TREE | {"tree_value_": "f8[n_nodes, *]"}
_FOREST = {"tree_offsets_": "int[*] from 0 to n_nodes"}
_FOREST_CLASSIFIER = _TREE_CLASSIFIER | _FOREST | {"oob_decision_function_": "f8[*, n_classes]"}
_FOREST_REGRESSOR = _TREE_REGRESSOR | _FOREST | {"oob_prediction_": "f8[*]"}
_BOOSTING = {
    "baseline_prediction_": "f8[n_trees_per_iteration_]",
    "bin_threshold_offsets_": "int[*]",
    "bin_thresholds_": "f8[*]",
    "nodes_feature_": "int[n_nodes] from -1 below n_features_in_",
    "nodes_left_": "int[n_nodes] from -1 below n_nodes",
    "nodes_right_": "int[n_nodes] from -1 below n_nodes",
    "nodes_threshold_": "f8[n_nodes]",
    "nodes_value_": "f8[n_nodes]",
    "train_score_": "f8[*]",
    "tree_offsets_": "int[*]",
    "validation_score_": "f8[*]",
}
_MLP = {"layer_shapes_": "int[*, 2]", "packed_coefs_": "f8[*]", "loss_curve_": "f8[*]"}
_CLASSES = {"classes_": "label[n_classes]"}

LAYOUTS: dict[str, dict[str, str]] = {
    "DeltaRuleClassifier": _BINARY_LINEAR,
    "RandomWeightsClassifier": _BINARY_LINEAR,
    "LinearRegression": _LINEAR,
    "Ridge": _LINEAR,
    "Lasso": _LINEAR,
    "ElasticNet": _LINEAR,
    "SGDRegressor": {"coef_": "f8[n_features_in_]", "loss_curve_": "f8[*]", "intercept_": "f8[1]"},
    "LogisticRegression": _CLASSES
    | {
        "coef_": "f8[n_rows, n_features_in_]",
        "intercept_": "f8[n_rows]",
        "n_iter_": "int[*]",
    },
    "SGDClassifier": _CLASSES | {"coef_": "f8[n_rows, n_features_in_]", "intercept_": "f8[n_rows]"},
    "LinearSVC": _CLASSES | {"coef_": "f8[n_rows, n_features_in_]", "intercept_": "f8[n_rows]"},
    "SVC": _CLASSES
    | {
        "dual_coef_": "f8[*, n_support]",
        "intercept_": "f8[*]",
        "n_iter_": "int[*]",
        "n_support_": "int[n_classes]",
        "support_": "int[n_support]",
        "support_vectors_": "f8[n_support, n_features_in_]",
    },
    "GaussianNB": _CLASSES
    | {
        "class_count_": "f8[n_classes]",
        "class_prior_": "f8[n_classes]",
        "theta_": "f8[n_classes, n_features_in_]",
        "var_": "f8[n_classes, n_features_in_]",
    },
    "MultinomialNB": _CLASSES
    | {
        "class_count_": "f8[n_classes]",
        "class_log_prior_": "f8[n_classes]",
        "feature_count_": "f8[n_classes, n_features_in_]",
        "feature_log_prob_": "f8[n_classes, n_features_in_]",
    },
    "KNeighborsClassifier": _CLASSES
    | {
        "fit_X_": "f8[n_samples_fit_, n_features_in_]",
        "fit_y_": "int[n_samples_fit_] from 0 below n_classes",
    },
    "KNeighborsRegressor": {
        "fit_X_": "f8[n_samples_fit_, n_features_in_]",
        "fit_y_": "f8[n_samples_fit_] | f8[n_samples_fit_, *]",
    },
    "DecisionTreeClassifier": _TREE_CLASSIFIER,
    "DecisionTreeRegressor": _TREE_REGRESSOR,
    "RandomForestClassifier": _FOREST_CLASSIFIER,
    "RandomForestRegressor": _FOREST_REGRESSOR,
    "GradientBoostingClassifier": _BOOSTING | _CLASSES,
    "GradientBoostingRegressor": _BOOSTING,
    "MLPClassifier": _MLP | _CLASSES,
    "MLPRegressor": _MLP,
    "Autoencoder": _MLP,
    "CNNClassifier": _CLASSES
    | {"loss_curve_": "f8[*]", "packed_params_": "f8[*]", "param_shapes_": "int[*, 4]"},
    "KMeans": {"cluster_centers_": "f8[*, n_features_in_]", "labels_": "int[*]"},
    "MiniBatchKMeans": {
        "cluster_centers_": "f8[n_clusters, n_features_in_]",
        "counts_": "f8[n_clusters]",
        "labels_": "int[*] from 0 below n_clusters",
    },
    "PCA": {
        "components_": "f8[n_components_, n_features_in_]",
        "explained_variance_": "f8[n_components_]",
        "explained_variance_ratio_": "f8[n_components_]",
        "mean_": "f8[n_features_in_]",
        "singular_values_": "f8[n_components_]",
    },
    "QLearningAgent": {
        "episode_epsilons_": "f8[n_episodes]",
        "episode_lengths_": "int[n_episodes]",
        "episode_rewards_": "f8[n_episodes]",
        "q_table_": "f8[*, *]",
    },
}

_ENTRY = re.compile(r"^(\w+)\[([^\]]*)\](?: from (-?\d+) (below|to) (\w+))?$")
_DTYPES = {
    "f8": lambda dtype: dtype == np.float64,
    "int": lambda dtype: dtype.kind == "i" and dtype.itemsize in (4, 8),
    "label": lambda dtype: dtype.kind in "biufU",
}


def _describe(array: np.ndarray) -> str:
    return f"{array.dtype} array of shape {array.shape}"


def _match(entry: str, array: np.ndarray, sizes: dict[str, int]) -> str | None:
    """None when `array` fits one alternative of `entry` (binding new sizes), else why not."""
    problems = []
    for alternative in entry.split("|"):
        dtype, dims, low, bound_kind, high = _ENTRY.match(alternative.strip()).groups()
        names = [d.strip() for d in dims.split(",")]
        if not _DTYPES[dtype](array.dtype):
            problems.append(f"expected dtype {dtype}")
            continue
        if array.ndim != len(names):
            problems.append(f"expected {len(names)} dimension(s) [{dims}]")
            continue
        bound = dict(sizes)
        pairs = zip(names, array.shape, strict=True)
        clash = next((n for n, size in pairs if not _fits(n, size, bound)), None)
        if clash is not None:
            problems.append(f"expected {clash} = {bound.get(clash, clash)} in [{dims}]")
            continue
        limit = bound.get(high)
        if low is not None and array.size and not _within(array, int(low), limit, bound_kind):
            relation = "<" if bound_kind == "below" else "≤"
            problems.append(f"values outside {low} ≤ v {relation} {high} = {limit}")
            continue
        sizes.update(bound)
        return None
    return f"{_describe(array)}; {' or '.join(problems)}"


def _fits(name: str, size: int, sizes: dict[str, int]) -> bool:
    """Whether dimension `name` may have `size`, binding it when it is still free."""
    if name == "*":
        return True
    if name.isdigit():
        return size == int(name)
    sizes.setdefault(name, size)
    return sizes[name] == size


def _within(array: np.ndarray, low: int, high: int | None, kind: str) -> bool:
    """Whether every value v has low ≤ v < high (`below`) or low ≤ v ≤ high (`to`)."""
    if high is None:
        return False
    top = int(array.max())
    return int(array.min()) >= low and (top < high if kind == "below" else top <= high)


def layout_problem(
    class_name: str, attributes: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> tuple[str, str] | None:
    """(field, what is wrong) for the first array of a `class_name` estimator that does not
    fit its layout, or for a count attribute (`n_…_`) that is not a non-negative integer;
    None when everything fits. Raises KeyError for a class without a layout."""
    layout = LAYOUTS[class_name]
    sizes: dict[str, int] = {}
    for name, value in attributes.items():
        if name.startswith("n_") and value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return name, f"a count must be a non-negative integer, got {value!r}"
            sizes[name] = value
    for name in sorted(arrays, key=lambda n: (n != "classes_", n)):
        if name not in layout:
            return name, f"{class_name} has no fitted array {name!r}"
        problem = _match(layout[name], np.asarray(arrays[name]), sizes)
        if problem is not None:
            return name, problem
    return None
