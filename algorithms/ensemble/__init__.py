"""Ensembles of trees: histogram gradient boosting."""

from algorithms.ensemble._gradient_boosting import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]
