"""trainyard algorithms."""

from algorithms.linear import (
    ConvergenceWarning,
    DeltaRuleClassifier,
    ElasticNet,
    Lasso,
    LinearRegression,
    RandomWeightsClassifier,
    Ridge,
    SGDRegressor,
    enet_path,
    lasso_path,
)

__all__ = [
    "ConvergenceWarning",
    "DeltaRuleClassifier",
    "ElasticNet",
    "Lasso",
    "enet_path",
    "lasso_path",
    "LinearRegression",
    "RandomWeightsClassifier",
    "Ridge",
    "SGDRegressor",
]
