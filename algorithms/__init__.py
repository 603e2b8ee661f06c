"""trainyard algorithms."""

from algorithms.exceptions import ConvergenceWarning
from algorithms.linear import (
    DeltaRuleClassifier,
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
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
    "LogisticRegression",
    "RandomWeightsClassifier",
    "Ridge",
    "SGDRegressor",
]
