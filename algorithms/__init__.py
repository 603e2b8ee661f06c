"""trainyard algorithms."""

from algorithms.linear import (
    DeltaRuleClassifier,
    LinearRegression,
    RandomWeightsClassifier,
    Ridge,
    SGDRegressor,
)

__all__ = [
    "DeltaRuleClassifier",
    "LinearRegression",
    "RandomWeightsClassifier",
    "Ridge",
    "SGDRegressor",
]
