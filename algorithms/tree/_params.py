"""The growth parameters shared by trees and forests, checked and resolved as scikit-learn does."""

import math
import numbers
from dataclasses import dataclass

from sklearn.utils import check_scalar

from algorithms.tree._splitter import ENTROPY, GINI, SQUARED_ERROR

CLASSIFICATION_CRITERIA = {"gini": GINI, "entropy": ENTROPY, "log_loss": ENTROPY}
REGRESSION_CRITERIA = {"squared_error": SQUARED_ERROR}
_UNLIMITED_DEPTH = 2**31 - 1


@dataclass(frozen=True)
class GrowthParams:
    """Resolved integers and codes `build_tree` takes, in its argument order."""

    criterion: int
    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    max_features: int
    min_impurity_decrease: float


def _count_or_fraction(value, name, n_samples, min_count, fraction_max_inclusive):
    """An int ≥ min_count as is, or a fraction of n_samples rounded up (at least 1)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        check_scalar(value, name, numbers.Integral, min_val=min_count)
        return int(value)
    check_scalar(
        value,
        name,
        numbers.Real,
        min_val=0.0,
        max_val=1.0,
        include_boundaries="right" if fraction_max_inclusive else "neither",
    )
    return max(1, math.ceil(value * n_samples))


def resolve_max_features(max_features, n_features):
    """None → all, int k, float share ⌊share·n⌋, "sqrt" ⌊√n⌋ or "log2" ⌊log2 n⌋, at least 1."""
    if max_features is None:
        return n_features
    if isinstance(max_features, str):
        if max_features == "sqrt":
            return max(1, int(math.sqrt(n_features)))
        if max_features == "log2":
            return max(1, int(math.log2(n_features)))
        raise ValueError(
            f"max_features must be an int, a float, 'sqrt', 'log2' or None, got {max_features!r}."
        )
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        check_scalar(max_features, "max_features", numbers.Integral, min_val=1)
        if max_features > n_features:
            raise ValueError(
                f"max_features={max_features} exceeds the number of features, {n_features}."
            )
        return int(max_features)
    check_scalar(
        max_features,
        "max_features",
        numbers.Real,
        min_val=0.0,
        max_val=1.0,
        include_boundaries="right",
    )
    return max(1, int(max_features * n_features))


def growth_params(estimator, criteria, n_samples, n_features) -> GrowthParams:
    """The estimator's criterion, max_depth, min_samples_*, max_features, min_impurity_decrease.

    ValueError (TypeError for a wrong type) on an invalid value; min_samples_split is raised to
    2·min_samples_leaf as in scikit-learn.
    """
    if estimator.criterion not in criteria:
        raise ValueError(
            f"criterion must be one of {sorted(criteria)}, got {estimator.criterion!r}."
        )
    max_depth = estimator.max_depth
    if max_depth is None:
        max_depth = _UNLIMITED_DEPTH
    else:
        check_scalar(max_depth, "max_depth", numbers.Integral, min_val=1)
    min_samples_leaf = _count_or_fraction(
        estimator.min_samples_leaf, "min_samples_leaf", n_samples, 1, False
    )
    min_samples_split = _count_or_fraction(
        estimator.min_samples_split, "min_samples_split", n_samples, 2, True
    )
    check_scalar(
        estimator.min_impurity_decrease, "min_impurity_decrease", numbers.Real, min_val=0.0
    )
    return GrowthParams(
        criteria[estimator.criterion],
        int(max_depth),
        max(min_samples_split, 2 * min_samples_leaf, 2),
        min_samples_leaf,
        resolve_max_features(estimator.max_features, n_features),
        float(estimator.min_impurity_decrease),
    )
