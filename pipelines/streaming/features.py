"""The features of a streamed table: one pass over its validated parts splits each row by
the hashed rule, fits the feature transform from the train rows' running moments, and counts
what training and the baseline need (train targets, class labels, part sizes).

Nothing is materialized: `<p>/normalized` of a streamed pipeline stores this plan
(`StreamedFeatures`), and training and evaluation apply it to one part at a time. The
transform is the same `FeatureTransform` the in-memory pipeline fits (min–max from running
min and max, z-score from the running mean and population variance), so a streamed model
scores new rows like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from algorithms.tasks import CLASSIFICATION, CLUSTERING, REGRESSION
from pipelines.features import SPLIT, FeatureTransform, split_column, split_keys
from pipelines.spec import PipelineSpec, SplitSpec
from pipelines.streaming.batches import part_rows
from pipelines.streaming.moments import Moments
from pipelines.streaming.split import is_test


@dataclass(frozen=True)
class StreamedFeatures:
    """The plan of a streamed pipeline's features: the validated `parts` (paths, in order,
    with their row counts), the `split` rule, the fitted `transform`, the train and test row
    counts, and the train targets' `class_counts` (label → rows; classification) or `mean`
    (regression)."""

    parts: tuple[str, ...]
    part_rows: tuple[int, ...]
    split: SplitSpec | None
    transform: FeatureTransform
    n_train: int
    n_test: int
    class_counts: tuple[tuple[Any, int], ...] = ()
    target_mean: float | None = None

    @property
    def classes(self) -> np.ndarray:
        """The train rows' class labels, sorted (what partial_fit is told on its first call)."""
        return np.array([label for label, _ in self.class_counts])

    def first_rows(self) -> list[int]:
        """The table row number of each part's first row."""
        return np.concatenate([[0], np.cumsum(self.part_rows)[:-1]]).astype(int).tolist()

    def part(self, index: int, target: str | None = None) -> pl.DataFrame:
        """Stored part `index` with its `split` column ("train" or "test"); given the
        `target`, only the columns the features, the target and the split read."""
        columns = None
        if target is not None:
            key = [self.split.key] if self.split is not None and self.split.key else []
            columns = list(dict.fromkeys([*self.transform.inputs, target, *key]))
        frame = pl.read_parquet(self.parts[index], columns=columns)
        return with_split(frame, self.split, self.first_rows()[index])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; `from_dict` inverts it."""
        return {
            "parts": list(self.parts),
            "part_rows": list(self.part_rows),
            "split": None if self.split is None else self.split.model_dump(),
            "transform": self.transform.to_dict(),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "class_counts": [list(pair) for pair in self.class_counts],
            "target_mean": self.target_mean,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StreamedFeatures:
        """Rebuild the plan from `to_dict` output."""
        split = data["split"]
        return cls(
            parts=tuple(data["parts"]),
            part_rows=tuple(data["part_rows"]),
            split=None if split is None else SplitSpec.model_validate(split),
            transform=FeatureTransform.from_dict(data["transform"]),
            n_train=int(data["n_train"]),
            n_test=int(data["n_test"]),
            class_counts=tuple((label, int(n)) for label, n in data["class_counts"]),
            target_mean=data["target_mean"],
        )


def with_split(frame: pl.DataFrame, split: SplitSpec | None, first_row: int) -> pl.DataFrame:
    """`frame` (rows numbered from `first_row` in the table) with its hashed `split` column."""
    if split is None:
        return frame.with_columns(pl.lit("train").alias(SPLIT))
    test = is_test(split_keys(frame, split, first_row), split.seed, split.test_fraction)
    return frame.with_columns(split_column(test))


def prepare_stream(parts: Sequence[Path | str], spec: PipelineSpec) -> StreamedFeatures:
    """One pass over the validated parts: split each, fit the transform from the train rows'
    running moments of the derived columns, count the train targets."""
    features, task = spec.features, spec.task
    paths = tuple(str(p) for p in parts)
    rows = tuple(part_rows([Path(p) for p in paths]))
    unscaled = FeatureTransform("none", (), (), (), tuple(features.columns), features.polynomial)
    columns = unscaled.derived_columns()
    moments, targets = Moments.empty(len(columns)), Moments.empty(1)
    counts: Counter = Counter()
    n_train = n_test = 0
    plan = StreamedFeatures(paths, rows, spec.split, unscaled, 0, 0)
    for frame in _parts(plan, spec.target):
        train = frame.filter(pl.col(SPLIT) == "train")
        n_train += train.height
        n_test += frame.height - train.height
        if train.height == 0:
            continue
        x = unscaled.derive(train).select(pl.col(c).cast(pl.Float64) for c in columns)
        moments = moments.update(x.to_numpy())
        y = train.get_column(spec.target)
        if y.null_count():
            raise ValueError(f"target column '{spec.target}' has {y.null_count()} null value(s)")
        if task is REGRESSION:
            targets = targets.update(y.cast(pl.Float64).to_numpy()[:, np.newaxis])
        elif task in (CLASSIFICATION, CLUSTERING):
            counts.update(dict(y.value_counts().iter_rows()))
    _require_both_parts(n_train, n_test, spec.split)
    offset, scale = _scaling(moments, features.normalize, columns)
    transform = replace(
        unscaled, method=features.normalize, columns=columns, offset=offset, scale=scale
    )
    return replace(
        plan,
        transform=transform,
        n_train=n_train,
        n_test=n_test,
        class_counts=tuple(sorted(counts.items())),
        target_mean=float(targets.mean[0]) if targets.n else None,
    )


def _parts(plan: StreamedFeatures, target: str) -> Iterator[pl.DataFrame]:
    for index in range(len(plan.parts)):
        yield plan.part(index, target)


def _scaling(moments: Moments, method: str, columns: Sequence[str]):
    """(offset, scale) of each column as `FeatureTransform.fit` computes them."""
    if method == "none":
        return (0.0,) * len(columns), (1.0,) * len(columns)
    if method == "minmax":
        offset, scale = moments.low, moments.high - moments.low
    else:
        offset, scale = moments.mean, moments.std
    bad = [c for c, o, s in zip(columns, offset, scale, strict=True) if not np.isfinite(o + s)]
    if bad:
        raise ValueError(
            f"cannot scale feature column(s) {', '.join(bad)} with normalize: {method}: the "
            "values are too large for float64 arithmetic; rescale them (other units)"
        )
    scale = np.where(scale == 0.0, 1.0, scale)
    return tuple(map(float, offset)), tuple(map(float, scale))


def _require_both_parts(n_train: int, n_test: int, split: SplitSpec | None) -> None:
    if n_train == 0:
        raise ValueError("cannot fit the feature transform on zero training rows")
    if split is not None and n_test == 0:
        raise ValueError(
            f"split: test_fraction {split.test_fraction} of {n_train} rows leaves the test "
            "part empty"
        )


def baseline_value(task, plan: StreamedFeatures) -> Any:
    """The task's constant baseline from the train targets' counts: the majority class (ties
    → smallest label), their mean, or cluster 0."""
    if task is REGRESSION:
        return plan.target_mean
    if task is CLASSIFICATION:
        labels = [label for label, _ in plan.class_counts]
        return labels[int(np.argmax([n for _, n in plan.class_counts]))]
    return task.constant_baseline(np.empty(0))
