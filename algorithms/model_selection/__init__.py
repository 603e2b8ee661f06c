"""Model selection: cross-validation splitters, scorers, cross-validation and grid search,
with scikit-learn's names and behaviour, fits run in parallel with joblib."""

from algorithms.model_selection._scoring import SCORERS, Scorer, estimator_score, get_scorer
from algorithms.model_selection._search import GridSearchCV, ParameterGrid
from algorithms.model_selection._split import KFold, StratifiedKFold, check_cv
from algorithms.model_selection._validation import (
    FitFailedError,
    cross_val_score,
    cross_validate,
)

__all__ = [
    "SCORERS",
    "FitFailedError",
    "GridSearchCV",
    "KFold",
    "ParameterGrid",
    "Scorer",
    "StratifiedKFold",
    "check_cv",
    "cross_val_score",
    "cross_validate",
    "estimator_score",
    "get_scorer",
]
