"""Linear models: the viral-post threshold classifiers, least squares, ridge, SGD, …"""

from algorithms.linear.coordinate_descent import ElasticNet, Lasso, enet_path, lasso_path
from algorithms.linear.delta_rule import DeltaRuleClassifier
from algorithms.linear.least_squares import LinearRegression
from algorithms.linear.logistic import LogisticRegression
from algorithms.linear.random_weights import RandomWeightsClassifier
from algorithms.linear.ridge import Ridge
from algorithms.linear.sgd import SGDRegressor
from algorithms.linear.sgd_classifier import SGDClassifier

__all__ = [
    "DeltaRuleClassifier",
    "ElasticNet",
    "Lasso",
    "enet_path",
    "lasso_path",
    "LinearRegression",
    "LogisticRegression",
    "RandomWeightsClassifier",
    "Ridge",
    "SGDClassifier",
    "SGDRegressor",
]
