"""Polars feature preparation: a seeded train/test split and scaling fitted on train rows only.

`prepare` turns a validated frame into the normalized frame (scaled feature columns, the
target and a `split` column holding "train" or "test") plus the fitted `FeatureTransform`,
which travels with the model so prediction scales new rows exactly as training did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import polars as pl

from pipelines.spec import PipelineSpec, SplitSpec

SPLIT = "split"
Method = Literal["minmax", "zscore", "none"]
Part = Literal["train", "test", "all"]
_METHODS = ("minmax", "zscore", "none")


def add_split(df: pl.DataFrame, target: str, split: SplitSpec | None) -> pl.DataFrame:
    """Add a `split` column: round(test_fraction · n) seeded random rows "test", the rest "train".

    With `stratify` the count is taken per class of `target` (classes in sorted order, each
    permuted by one generator seeded with `split.seed`), so both parts keep the class shares.
    `round` is Python's (halves to even). `split=None` marks every row "train".
    """
    if split is None:
        return df.with_columns(pl.lit("train").alias(SPLIT))
    rng = np.random.default_rng(split.seed)
    n = df.height
    if split.stratify:
        test = np.concatenate(
            [
                _class_test_rows(label, rows, split.test_fraction, rng, target)
                for label, rows in _class_rows(df, target)
            ]
        )
    else:
        test = rng.permutation(n)[: round(split.test_fraction * n)]
    if test.size == 0:
        raise ValueError(
            f"split: test_fraction {split.test_fraction} of {n} rows leaves the test part empty"
        )
    if test.size == n:
        raise ValueError(
            f"split: test_fraction {split.test_fraction} of {n} rows leaves no training rows"
        )
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    return df.with_columns(pl.Series(SPLIT, np.where(is_test, "test", "train"), pl.String))


def _class_rows(df: pl.DataFrame, target: str) -> list[tuple[Any, np.ndarray]]:
    _require_columns(df, [target], "split.stratify needs the target column")
    values = df.get_column(target)
    if values.null_count():
        raise ValueError(
            f"split.stratify: target '{target}' has {values.null_count()} null value(s)"
        )
    labels, inverse = np.unique(values.to_numpy(), return_inverse=True)
    return [(label, np.flatnonzero(inverse == k)) for k, label in enumerate(labels.tolist())]


def _class_test_rows(
    label: Any, rows: np.ndarray, fraction: float, rng: np.random.Generator, target: str
) -> np.ndarray:
    if rows.size < 2:
        raise ValueError(
            f"split.stratify: class {label!r} of '{target}' has only {rows.size} row; "
            "stratifying needs at least 2 rows per class"
        )
    k = round(fraction * rows.size)
    if k == rows.size:
        raise ValueError(
            f"split.stratify: test_fraction {fraction} puts all {rows.size} rows of class "
            f"{label!r} of '{target}' in the test part, leaving none to train on"
        )
    return rng.permutation(rows)[:k]


@dataclass(frozen=True)
class FeatureTransform:
    """Per-column affine scaling x ↦ (x − offset) / scale, fitted once and reused for prediction.

    minmax: offset = min, scale = max − min; zscore: offset = mean, scale = population std;
    none: offset 0, scale 1. A constant column gets scale 1, so it maps to 0 (never x/0).
    """

    method: Method
    columns: tuple[str, ...]
    offset: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(
        cls, train_df: pl.DataFrame, columns: Sequence[str], method: Method
    ) -> FeatureTransform:
        """Fit offsets and scales on `train_df` (the train rows only)."""
        if method not in _METHODS:
            raise ValueError(f"unknown normalize method {method!r}; expected one of {_METHODS}")
        columns = tuple(columns)
        _require_columns(train_df, columns, "cannot fit the feature transform")
        _require_finite(train_df, columns)
        if train_df.height == 0:
            raise ValueError("cannot fit the feature transform on zero training rows")
        x = _matrix(train_df, columns)
        if method == "minmax":
            offset, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        elif method == "zscore":
            offset, scale = x.mean(axis=0), x.std(axis=0)
        else:
            offset, scale = np.zeros(len(columns)), np.ones(len(columns))
        scale = np.where(scale == 0.0, 1.0, scale)
        return cls(method, columns, tuple(map(float, offset)), tuple(map(float, scale)))

    def apply(self, df: pl.DataFrame) -> pl.DataFrame:
        """Replace each transform column by its scaled Float64 value; other columns untouched."""
        _require_columns(df, self.columns, "cannot apply the feature transform")
        return df.with_columns(
            ((pl.col(c).cast(pl.Float64) - o) / s).alias(c)
            for c, o, s in zip(self.columns, self.offset, self.scale, strict=True)
        )

    def to_array(self, df: pl.DataFrame) -> np.ndarray:
        """The scaled feature matrix of an unscaled frame: float64, C order, columns in order."""
        return _matrix(self.apply(df), self.columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; `FeatureTransform.from_dict` inverts it exactly."""
        return {
            "method": self.method,
            "columns": list(self.columns),
            "offset": list(self.offset),
            "scale": list(self.scale),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureTransform:
        """Rebuild a transform from `to_dict` output; ValueError on a malformed mapping."""
        expected = {"method", "columns", "offset", "scale"}
        if not isinstance(data, dict) or set(data) != expected:
            raise ValueError(
                f"feature transform: expected the keys {sorted(expected)}, got {data!r}"
            )
        if data["method"] not in _METHODS:
            raise ValueError(f"feature transform: unknown method {data['method']!r}")
        lengths = {len(data[key]) for key in ("columns", "offset", "scale")}
        if len(lengths) != 1:
            raise ValueError("feature transform: columns, offset and scale differ in length")
        return cls(
            data["method"],
            tuple(map(str, data["columns"])),
            tuple(map(float, data["offset"])),
            tuple(map(float, data["scale"])),
        )


class PreparedFeatures(NamedTuple):
    """The normalized frame (scaled features, target, `split`) and the transform fitted on it."""

    frame: pl.DataFrame
    transform: FeatureTransform


def prepare(df: pl.DataFrame, spec: PipelineSpec) -> PreparedFeatures:
    """Split `df`, fit the spec's scaling on the train rows only, and scale every row.

    Returns the frame of the scaled feature columns, the target and `split`, and the transform.
    """
    columns = spec.features.columns
    _require_columns(df, [*columns, spec.target], "cannot prepare features")
    _require_finite(df, columns)
    if nulls := df.get_column(spec.target).null_count():
        raise ValueError(f"target column '{spec.target}' has {nulls} null value(s)")
    split = add_split(df.select(*columns, spec.target), spec.target, spec.split)
    transform = FeatureTransform.fit(
        split.filter(pl.col(SPLIT) == "train"), columns, spec.features.normalize
    )
    return PreparedFeatures(transform.apply(split), transform)


def design_matrix(
    normalized: pl.DataFrame, spec: PipelineSpec, part: Part = "all"
) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the normalized rows of one part: X float64 in feature order, y the target."""
    if part not in ("train", "test", "all"):
        raise ValueError(f"part must be 'train', 'test' or 'all', got {part!r}")
    columns = spec.features.columns
    _require_columns(normalized, [*columns, spec.target, SPLIT], "not a normalized frame")
    rows = normalized if part == "all" else normalized.filter(pl.col(SPLIT) == part)
    if rows.height == 0:
        raise ValueError(f"the normalized frame has no '{part}' rows")
    return _matrix(rows, columns), rows.get_column(spec.target).to_numpy()


def _matrix(df: pl.DataFrame, columns: Sequence[str]) -> np.ndarray:
    x = df.select(pl.col(c).cast(pl.Float64) for c in columns).to_numpy()
    return np.ascontiguousarray(x, dtype=np.float64)


def _require_columns(df: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: missing column(s) {', '.join(missing)}; the frame has {', '.join(df.columns)}"
        )


def _require_finite(df: pl.DataFrame, columns: Sequence[str]) -> None:
    """ValueError naming each non-numeric feature column and each one with null/NaN/inf values."""
    bad_type = [f"{c} ({df.schema[c]})" for c in columns if not _numeric(df.schema[c])]
    if bad_type:
        raise ValueError(f"feature column(s) must be numeric: {', '.join(bad_type)}")
    counts = df.select(
        (pl.col(c).is_null() | ~pl.col(c).cast(pl.Float64).is_finite()).sum().alias(c)
        for c in columns
    ).row(0, named=True)
    bad = [f"{c} ({n} null/NaN/inf)" for c, n in counts.items() if n]
    if bad:
        raise ValueError(
            f"feature column(s) with missing or non-finite values: {', '.join(bad)}; "
            "impute or drop them before training"
        )


def _numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean
