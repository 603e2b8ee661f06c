"""Decision trees and random forests grown into flat node arrays (numba split search)."""

from algorithms.tree._classes import DecisionTreeClassifier, DecisionTreeRegressor
from algorithms.tree._forest import RandomForestClassifier, RandomForestRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
]
