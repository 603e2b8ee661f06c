"""Cross-validation: fit a fresh copy of an estimator on each fold's train rows and score it
on the fold's test rows, in parallel with joblib when the fits are worth it.

`fit_and_score` is the unit of work shared with the grid search: it clones the estimator
(sklearn.base.clone), sets the candidate's parameters, fits, scores and times both steps. A
fit that raises, or a score that is not finite, stops everything with a FitFailedError that
names the parameters and the fold — no fold is silently scored NaN.
"""

import math
import time

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone, is_classifier
from sklearn.utils import _safe_indexing, indexable

from algorithms.model_selection._scoring import get_scorer
from algorithms.model_selection._split import check_cv

# Searches whose fits take less than this in all, one after the other, are not worth sending
# to worker processes: starting them takes about a second, and on a machine with few cores
# fits of a few milliseconds run no faster in parallel than in one process.
SERIAL_BELOW_SECONDS = 1.0


class FitFailedError(ValueError):
    """Fitting or scoring one (parameters, fold) pair of a cross-validation failed."""


def _rows(data, index):
    """The rows `index` of X or y (None stays None)."""
    return None if data is None else _safe_indexing(data, index)


def fit_and_score(estimator, X, y, scorer, params, fold, train, test) -> tuple[float, float, float]:
    """(score, fit seconds, score seconds) of clone(estimator) with `params`, fitted on the
    rows `train` and scored by scorer(fitted, X[test], y[test])."""
    where = f"with parameters {params} on fold {fold}" if params else f"on fold {fold}"
    model = clone(estimator).set_params(**params)
    X_train, y_train = _rows(X, train), _rows(y, train)
    started = time.perf_counter()
    try:
        model.fit(X_train, y_train)
    except Exception as error:
        raise FitFailedError(
            f"{type(estimator).__name__} fit failed {where}: {type(error).__name__}: {error}"
        ) from error
    fitted = time.perf_counter()
    score = scorer(model, _rows(X, test), _rows(y, test))
    scored = time.perf_counter()
    if not math.isfinite(score):
        raise FitFailedError(f"{type(estimator).__name__} scored {score} {where}.")
    return float(score), fitted - started, scored - fitted


def evaluate_candidates(estimator, X, y, candidates, splits, scorer, n_jobs) -> np.ndarray:
    """Array (n_candidates, n_splits, 3) of fit_and_score for every candidate and split.

    The first two fits run here and are timed (the first may pay for warm-up). When all the
    fits would take SERIAL_BELOW_SECONDS or more one after the other at the faster one's
    pace, the rest run n_jobs at a time in joblib's loky processes, else here too; n_jobs=1
    runs everything here.
    """
    tasks = [
        (params, fold, train, test)
        for params in candidates
        for fold, (train, test) in enumerate(splits)
    ]
    results, seconds = [], []
    for task in tasks[:2]:
        started = time.perf_counter()
        results.append(fit_and_score(estimator, X, y, scorer, *task))
        seconds.append(time.perf_counter() - started)
    rest = tasks[2:]
    if effective_n_jobs(n_jobs) > 1 and min(seconds) * len(tasks) >= SERIAL_BELOW_SECONDS:
        results += Parallel(n_jobs=n_jobs)(
            delayed(fit_and_score)(estimator, X, y, scorer, *task) for task in rest
        )
    else:
        results += [fit_and_score(estimator, X, y, scorer, *task) for task in rest]
    return np.array(results, dtype=np.float64).reshape(len(candidates), len(splits), 3)


def cv_splits(cv, X, y, estimator) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train_idx, test_idx) pairs of check_cv(cv, y, is_classifier(estimator)), listed
    once so that every candidate sees the same folds."""
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    return list(splitter.split(X, y))


def cross_validate(estimator, X, y, *, cv=5, scoring=None, n_jobs=None) -> dict:
    """Scores of `estimator` refitted on each fold: {"test_score", "fit_time", "score_time"},
    each an array with one value per fold.

    cv as in check_cv (an integer stratifies for classifiers); scoring as in get_scorer;
    n_jobs folds fit at once (None: one, −1: every core).
    """
    X, y = indexable(X, y)
    splits = cv_splits(cv, X, y, estimator)
    results = evaluate_candidates(estimator, X, y, [{}], splits, get_scorer(scoring), n_jobs)[0]
    return {
        "test_score": results[:, 0],
        "fit_time": results[:, 1],
        "score_time": results[:, 2],
    }


def cross_val_score(estimator, X, y, *, cv=5, scoring=None, n_jobs=None) -> np.ndarray:
    """The test score of each fold: cross_validate(...)["test_score"]."""
    return cross_validate(estimator, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs)["test_score"]
