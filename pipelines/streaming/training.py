"""Train an incremental learner on a streamed table: `epochs` passes over the stored parts,
each pass in a fresh order of parts drawn from `default_rng([seed, epoch])`, every part's
train rows scaled by the plan's transform and handed to `partial_fit`.

One epoch over the parts in order makes the same updates as the in-memory fit of one epoch
over the same rows in that order (for SGDRegressor when batch_size divides each part's train
rows, for the delta rule always), which the tests check.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from pipelines.bundle import ModelBundle
from pipelines.features import SPLIT
from pipelines.spec import PipelineSpec
from pipelines.streaming.features import StreamedFeatures
from pipelines.training import build_estimator


def part_order(n_parts: int, seed: int, epoch: int) -> np.ndarray:
    """The order epoch `epoch` visits the parts in: a permutation seeded by (seed, epoch)."""
    return np.random.default_rng([seed, epoch]).permutation(n_parts)


def train_batches(
    plan: StreamedFeatures, target: str, seed: int, epochs: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(X, y) of each part's train rows (X scaled by the plan's transform), epoch after
    epoch, each epoch in its seeded part order; parts without train rows are skipped."""
    for epoch in range(epochs):
        for index in part_order(len(plan.parts), seed, epoch):
            rows = plan.part(int(index), target).filter(pl.col(SPLIT) == "train")
            if rows.height:
                yield plan.transform.to_array(rows), rows.get_column(target).to_numpy()


def fit_incrementally(estimator: Any, batches, classes: np.ndarray) -> Any:
    """`estimator.partial_fit` on each (X, y) batch in turn (with `classes` when it takes
    them); returns the estimator. ValueError when there is no batch."""
    takes_classes = "classes" in inspect.signature(estimator.partial_fit).parameters
    fitted = False
    for X, y in batches:
        if takes_classes:
            estimator.partial_fit(X, y, classes=classes)
        else:
            estimator.partial_fit(X, y)
        fitted = True
    if not fitted:
        raise ValueError("no train rows to learn from: every stored part is empty")
    return estimator


def train_stream(
    spec: PipelineSpec, plan: StreamedFeatures, overrides: dict[str, Any] | None = None
) -> ModelBundle:
    """Fit the spec's incremental model on the plan's train rows, batch by batch, for the
    source's `stream.epochs`, and bundle it with the plan's transform (no drift reference:
    a streamed table has no in-memory train rows to profile)."""
    stream = spec.stream
    if stream is None:
        raise ValueError(f"pipeline {spec.name} does not stream its source")
    estimator = build_estimator(spec.model, overrides)
    batches = train_batches(plan, spec.target, stream.seed, stream.epochs)
    fit_incrementally(estimator, batches, plan.classes)
    return ModelBundle(
        pipeline=spec.name,
        algorithm=spec.algorithm,
        estimator=estimator,
        transform=plan.transform,
        feature_names=plan.transform.columns,
        target=spec.target,
        spec_hash=spec.spec_hash(),
        params=estimator.get_params(deep=False),
        reference=None,
    )
