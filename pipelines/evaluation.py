"""Score a trained bundle of a table pipeline: its metrics beside its task's baseline and the
spec's comparison algorithms, all on the same rows (the held-out split, or the training rows
when the spec declares no split), plus the loss curves of the spec's parameter sweep.

The result is the `Evaluation` every kind shares; its `details` hold `n_train`, `n_test`
(0 without a split), `loss_curves` and `sweep_scores`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from algorithms.metrics import get_metric
from algorithms.registry import param_names
from pipelines.bundle import ModelBundle
from pipelines.evaluation_result import Evaluation
from pipelines.features import design_matrix, scored_rows
from pipelines.spec import ModelSpec, PipelineSpec
from pipelines.studies.context import PipelineData
from pipelines.training import build_estimator, fit_variant

HELD_OUT = "held-out test split"
TRAINING = "training data"


def evaluate(spec: PipelineSpec, bundle: ModelBundle, normalized: pl.DataFrame) -> Evaluation:
    """Score `bundle` on the normalized frame's test rows (all rows when `spec.split` is None).

    Baseline: the task's constant prediction from the train targets (the majority class,
    ties → smallest label; their mean; one cluster holding every row) for every scored row.
    A clustering model is fitted without the target; the target is the reference partition
    its clusters are scored against.
    """
    task = spec.task
    names = spec.metric_names()
    X_train, y_train = design_matrix(normalized, spec, "train")
    X, y = scored_rows(normalized, spec)

    def score(estimator) -> dict[str, float]:
        return _score_all(names, y, estimator.predict(X), lambda: class_scores(estimator, X))

    metrics = score(bundle.estimator)
    comparisons = {
        name: score(_comparison(name, bundle).fit(X_train, y_train))
        for name in spec.evaluation.compare_with
    }
    headline = spec.headline
    curves, sweep_scores = loss_curves(spec, normalized, X, y)
    baseline_pred = np.full(y.shape, task.constant_baseline(y_train))
    return Evaluation(
        task=task.name,
        scored_on=TRAINING if spec.split is None else HELD_OUT,
        n_scored=len(y),
        metrics=metrics,
        baseline=_score_all(names, y, baseline_pred, lambda: _constant_scores(bundle, len(y))),
        headline=headline,
        headline_value=metrics[headline],
        comparisons=comparisons,
        details={
            "n_train": len(y_train),
            "n_test": 0 if spec.split is None else len(y),
            "loss_curves": curves,
            "sweep_scores": sweep_scores,
        },
        y_true=y,
        y_pred=bundle.estimator.predict(X),
    )


def pipeline_data(
    spec: PipelineSpec, bundle: ModelBundle, normalized: pl.DataFrame
) -> PipelineData:
    """The rows `evaluate` trains on and scores, with the fitted model, for data studies."""
    X_train, y_train = design_matrix(normalized, spec, "train")
    X, y = scored_rows(normalized, spec)
    return PipelineData(
        X_train=X_train,
        y_train=y_train,
        X_scored=X,
        y_scored=y,
        feature_names=bundle.feature_names,
        target=spec.target,
        estimator=bundle.estimator,
        params=bundle.params,
    )


def class_scores(estimator, X: np.ndarray) -> np.ndarray:
    """Scores for ROC AUC: P(classes_[1]) (binary) or P per class; else decision_function."""
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(X)
        return proba[:, 1] if proba.shape[1] == 2 else proba
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function(X)
    raise ValueError(
        f"{type(estimator).__name__} has neither predict_proba nor decision_function, so "
        "score-based metrics such as roc_auc cannot be computed for it"
    )


def _constant_scores(bundle: ModelBundle, n: int) -> np.ndarray:
    classes = getattr(bundle.estimator, "classes_", np.arange(2))
    return np.zeros(n) if len(classes) == 2 else np.zeros((n, len(classes)))


def _score_all(names, y, y_pred, scores) -> dict[str, float]:
    """Every named metric; label metrics on y_pred, score metrics on `scores()` (lazily)."""
    computed, cached = {}, []
    for name in names:
        metric = get_metric(name)
        if metric.needs_scores:
            cached = cached or [scores()]
            computed[name] = float(metric.function(y, cached[0]))
        else:
            computed[name] = float(metric.function(y, y_pred))
    return computed


def loss_curves(
    spec: PipelineSpec, normalized: pl.DataFrame, X: np.ndarray, y: np.ndarray
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Refit once per value of `evaluation.loss_curves.param`: each `loss_curve_`, and the
    headline metric of each refit on the scored rows (X, y)."""
    sweep = spec.evaluation.loss_curves
    if sweep is None:
        return {}, {}
    headline = get_metric(spec.headline)
    curves, scores = {}, {}
    for value in sweep.values:
        estimator = fit_variant(spec, normalized, **{sweep.param: value})
        if not hasattr(estimator, "loss_curve_"):
            raise ValueError(
                f"evaluation.loss_curves: algorithm '{spec.algorithm}' records no loss_curve_"
            )
        curves[str(value)] = [float(v) for v in estimator.loss_curve_]
        scores[str(value)] = float(headline.function(y, estimator.predict(X)))
    return curves, scores


def _comparison(name: str, bundle: ModelBundle):
    """Algorithm `name` with default params, sharing the model's `random_state` if both have one."""
    shared = "random_state" in bundle.params and "random_state" in param_names(name)
    overrides = {"random_state": bundle.params["random_state"]} if shared else None
    return build_estimator(ModelSpec(algorithm=name), overrides)
