"""Exhaustive grid search: cross-validate every combination of the listed parameter values
and refit the best one on all the data.

Candidates come from ParameterGrid (each dict's keys sorted, the first key varying slowest,
dicts in the given order, as in scikit-learn). The (candidate × fold) fits run in parallel
with joblib, unless they would all take under a second in one process (see
`evaluate_candidates`). A candidate's score is the mean of its fold scores; the best has
rank 1, the first one listed among equal means.
"""

import itertools
import math
import time
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags, indexable
from sklearn.utils.validation import check_is_fitted

from algorithms.model_selection._scoring import get_scorer
from algorithms.model_selection._validation import cv_splits, evaluate_candidates


def _check_values(name, values):
    """ValueError unless `values` is a non-empty list-like (not a string) of parameter values."""
    list_like = isinstance(values, Sequence) and not isinstance(values, str)
    if isinstance(values, np.ndarray):
        list_like = values.ndim == 1
    if not list_like:
        raise ValueError(
            f"the grid of parameter {name!r} must be a list of values, got {values!r}."
        )
    if len(values) == 0:
        raise ValueError(f"the grid of parameter {name!r} is an empty list.")


class ParameterGrid:
    """Every combination of the values in param_grid, a dict {name: list of values} or a list
    of such dicts: the product over each dict's sorted keys, dicts one after the other."""

    def __init__(self, param_grid):
        grids = [param_grid] if isinstance(param_grid, Mapping) else param_grid
        if not isinstance(grids, Sequence) or not all(isinstance(g, Mapping) for g in grids):
            raise ValueError(f"param_grid must be a dict or a list of dicts, got {param_grid!r}.")
        for grid in grids:
            for name, values in grid.items():
                if not isinstance(name, str):
                    raise ValueError(f"parameter names must be strings, got {name!r}.")
                _check_values(name, values)
        self.param_grid = [dict(grid) for grid in grids]

    def __iter__(self) -> Iterator[dict]:
        for grid in self.param_grid:
            names = sorted(grid)
            for values in itertools.product(*(grid[name] for name in names)):
                yield dict(zip(names, values, strict=True))

    def __len__(self) -> int:
        return sum(math.prod(len(values) for values in grid.values()) for grid in self.param_grid)


class GridSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Pick the ParameterGrid(param_grid) candidate of `estimator` with the best mean
    cross-validated score, then (refit=True) fit it on all of X, y.

    cv as in check_cv (an integer stratifies for classifiers), scoring as in get_scorer,
    n_jobs (candidate, fold) fits at a time in worker processes (−1: every core; a search
    that would take under SERIAL_BELOW_SECONDS in one process stays in this one).

    Fitted attributes: cv_results_ (dict of per-candidate arrays, as in scikit-learn:
    params, param_<name> (masked object arrays), split<k>_test_score, mean_test_score,
    std_test_score, rank_test_score, mean/std_fit_time, mean/std_score_time), best_index_,
    best_params_, best_score_, n_splits_, scorer_, and with refit=True best_estimator_ and
    refit_time_.
    """

    def __init__(self, estimator, param_grid, *, scoring=None, cv=5, n_jobs=-1, refit=True):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.refit = refit

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags

    def fit(self, X, y=None):
        """Cross-validate every candidate, store the results and refit the best."""
        candidates = self._candidates()
        scorer = get_scorer(self.scoring)
        X, y = indexable(X, y)
        splits = cv_splits(self.cv, X, y, self.estimator)
        results = evaluate_candidates(self.estimator, X, y, candidates, splits, scorer, self.n_jobs)
        self.cv_results_ = _cv_results(candidates, results)
        self.best_index_ = int(np.argmin(self.cv_results_["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        self.n_splits_ = len(splits)
        self.scorer_ = scorer
        if self.refit:
            started = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_).fit(X, y)
            self.refit_time_ = time.perf_counter() - started
        return self

    def predict(self, X):
        """best_estimator_.predict(X)."""
        return self._best_estimator().predict(X)

    def score(self, X, y):
        """scorer_(best_estimator_, X, y): the search's scoring on new data."""
        return self.scorer_(self._best_estimator(), X, y)

    @property
    def classes_(self):
        """The class labels of best_estimator_."""
        return self._best_estimator().classes_

    @property
    def n_features_in_(self):
        """The number of features best_estimator_ was fitted with."""
        return self._best_estimator().n_features_in_

    def _best_estimator(self):
        check_is_fitted(self, "cv_results_")
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                "this GridSearchCV was fitted with refit=False, so it has no best_estimator_ "
                "to predict with; use best_params_ or fit again with refit=True."
            )
        return self.best_estimator_

    def _candidates(self) -> list[dict]:
        """The grid's points; ValueError if it is empty or names an unknown parameter."""
        grid = ParameterGrid(self.param_grid)
        candidates = list(grid)
        if not any(candidates):
            raise ValueError(
                f"param_grid is empty ({self.param_grid!r}): give at least one parameter "
                "with a list of values to try."
            )
        known = self.estimator.get_params()
        unknown = sorted({name for params in candidates for name in params} - set(known))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {unknown} for {type(self.estimator).__name__}; "
                f"its parameters: {sorted(known)}"
            )
        return candidates


def _cv_results(candidates: list[dict], results: np.ndarray) -> dict:
    """scikit-learn's cv_results_ from results[candidate, split] = (score, fit s, score s)."""
    scores, fit_times, score_times = results[..., 0], results[..., 1], results[..., 2]
    cv_results = {}
    for name, times in (("fit_time", fit_times), ("score_time", score_times)):
        cv_results[f"mean_{name}"] = times.mean(axis=1)
        cv_results[f"std_{name}"] = times.std(axis=1)
    for name in sorted({name for params in candidates for name in params}):
        column = np.ma.masked_all(len(candidates), dtype=object)
        for i, params in enumerate(candidates):
            if name in params:
                column[i] = params[name]
        cv_results[f"param_{name}"] = column
    cv_results["params"] = candidates
    for split in range(scores.shape[1]):
        cv_results[f"split{split}_test_score"] = scores[:, split]
    mean = scores.mean(axis=1)
    cv_results["mean_test_score"] = mean
    cv_results["std_test_score"] = scores.std(axis=1)
    cv_results["rank_test_score"] = rankdata(-mean, method="min").astype(np.int32)
    return cv_results
