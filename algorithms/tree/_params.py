"""The growth parameters shared by trees and forests: their constraints, and their values
resolved against the data as scikit-learn resolves them."""

import math
import numbers
from dataclasses import dataclass

from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from algorithms._constraints import NON_NEGATIVE, POSITIVE_INT, SEED
from algorithms.tree._splitter import ENTROPY, GINI, SQUARED_ERROR

CLASSIFICATION_CRITERIA = {"gini": GINI, "entropy": ENTROPY, "log_loss": ENTROPY}
REGRESSION_CRITERIA = {"squared_error": SQUARED_ERROR}
_UNLIMITED_DEPTH = 2**31 - 1

# The `_parameter_constraints` entries of every tree and forest but criterion: a count is an
# int, a share of the rows or features a float (scikit-learn's table).
GROWTH_CONSTRAINTS = {
    "max_depth": [*POSITIVE_INT, None],
    "min_samples_split": [
        Interval(numbers.Integral, 2, None, closed="left"),
        Interval(RealNotInt, 0, 1, closed="right"),
    ],
    "min_samples_leaf": [*POSITIVE_INT, Interval(RealNotInt, 0, 1, closed="neither")],
    "max_features": [
        *POSITIVE_INT,
        Interval(RealNotInt, 0, 1, closed="right"),
        StrOptions({"sqrt", "log2"}),
        None,
    ],
    "random_state": SEED,
    "min_impurity_decrease": NON_NEGATIVE,
}


def criterion_constraints(criteria: dict) -> dict:
    """The `_parameter_constraints` of a tree or forest splitting on one of `criteria`."""
    return {**GROWTH_CONSTRAINTS, "criterion": [StrOptions(set(criteria))]}


@dataclass(frozen=True)
class GrowthParams:
    """Resolved integers and codes `build_tree` takes, in its argument order."""

    criterion: int
    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    max_features: int
    min_impurity_decrease: float


def _count_or_fraction(value, n_samples):
    """An int count as is, or a fraction of n_samples rounded up (at least 1)."""
    if isinstance(value, numbers.Integral):
        return int(value)
    return max(1, math.ceil(value * n_samples))


def resolve_max_features(max_features, n_features):
    """None → all, int k, float share ⌊share·n⌋, "sqrt" ⌊√n⌋ or "log2" ⌊log2 n⌋, at least 1."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(math.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(math.log2(n_features)))
    if isinstance(max_features, numbers.Integral):
        if max_features > n_features:
            raise ValueError(
                f"max_features={max_features} exceeds the number of features, {n_features}."
            )
        return int(max_features)
    return max(1, int(max_features * n_features))


def growth_params(estimator, criteria, n_samples, n_features) -> GrowthParams:
    """The estimator's criterion, max_depth, min_samples_*, max_features, min_impurity_decrease.

    The values have passed GROWTH_CONSTRAINTS; min_samples_split is raised to
    2·min_samples_leaf as in scikit-learn.
    """
    max_depth = _UNLIMITED_DEPTH if estimator.max_depth is None else estimator.max_depth
    min_samples_leaf = _count_or_fraction(estimator.min_samples_leaf, n_samples)
    min_samples_split = _count_or_fraction(estimator.min_samples_split, n_samples)
    return GrowthParams(
        criteria[estimator.criterion],
        int(max_depth),
        max(min_samples_split, 2 * min_samples_leaf, 2),
        min_samples_leaf,
        resolve_max_features(estimator.max_features, n_features),
        float(estimator.min_impurity_decrease),
    )
