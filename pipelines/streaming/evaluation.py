"""Score a streamed model batch by batch: metrics accumulated over the test rows of every
stored part (the train rows when the spec has no split) beside the task's constant baseline,
equal to `pipelines.evaluation.evaluate` of the same rows in memory.

The per-row targets and predictions are not kept (`Evaluation.y_true`/`y_pred` stay
empty): there may be more of them than memory holds.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.bundle import ModelBundle
from pipelines.evaluation import HELD_OUT, TRAINING
from pipelines.evaluation_result import Evaluation
from pipelines.features import SPLIT
from pipelines.spec import PipelineSpec
from pipelines.streaming.features import StreamedFeatures, baseline_value
from pipelines.streaming.metrics import StreamedScores


def evaluate_stream(spec: PipelineSpec, bundle: ModelBundle, plan: StreamedFeatures) -> Evaluation:
    """The model's metrics and the baseline's over the scored rows, one part at a time."""
    task, names = spec.task, spec.metric_names()
    part = "train" if spec.split is None else "test"
    model, baseline = StreamedScores(names), StreamedScores(names)
    constant = baseline_value(task, plan)
    n_scored = 0
    for index in range(len(plan.parts)):
        rows = plan.part(index, spec.target).filter(pl.col(SPLIT) == part)
        if rows.height == 0:
            continue
        y = rows.get_column(spec.target).to_numpy()
        model.update(y, bundle.estimator.predict(plan.transform.to_array(rows)))
        baseline.update(y, np.full(y.shape, constant))
        n_scored += rows.height
    if n_scored == 0:
        raise ValueError(f"the stored parts have no '{part}' rows to score")
    metrics = model.scores()
    return Evaluation(
        task=task.name,
        scored_on=TRAINING if spec.split is None else HELD_OUT,
        n_scored=n_scored,
        metrics=metrics,
        baseline=baseline.scores(),
        headline=spec.headline,
        headline_value=metrics[spec.headline],
        details={
            "n_train": plan.n_train,
            "n_test": plan.n_test,
            "loss_curves": {},
            "sweep_scores": {},
            "parts": len(plan.parts),
        },
    )
