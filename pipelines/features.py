"""Polars feature preparation: a seeded train/test split and scaling fitted on train rows only.

`prepare` turns a validated frame into the normalized frame (scaled feature columns, the
target and a `split` column holding "train" or "test") plus the fitted `FeatureTransform`,
which travels with the model so prediction scales new rows exactly as training did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

import numpy as np
import polars as pl

from pipelines import derived
from pipelines.drift import DriftProfile
from pipelines.spec import FeaturesSpec, PipelineSpec, SplitSpec
from pipelines.streaming.split import is_test, row_keys

SPLIT = "split"
Method = Literal["minmax", "zscore", "none"]
Part = Literal["train", "test", "all"]
_METHODS = ("minmax", "zscore", "none")


def add_split(df: pl.DataFrame, target: str, split: SplitSpec | None) -> pl.DataFrame:
    """Add a `split` column: round(test_fraction · n) seeded random rows "test", the rest "train".

    With `stratify` the count is taken per class of `target` (classes in sorted order, each
    permuted by one generator seeded with `split.seed`), so both parts keep the class shares.
    `round` is Python's (halves to even). `by: hash` instead marks a row "test" by the seeded
    hash of its row number or `key` (`pipelines.streaming.split`), as a streamed source does.
    `split=None` marks every row "train".
    """
    if split is None:
        return df.with_columns(pl.lit("train").alias(SPLIT))
    rng = np.random.default_rng(split.seed)
    n = df.height
    if split.by == "hash":
        test = np.flatnonzero(is_test(split_keys(df, split, 0), split.seed, split.test_fraction))
    elif split.stratify:
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
    in_test = np.zeros(n, dtype=bool)
    in_test[test] = True
    return df.with_columns(split_column(in_test))


def split_column(in_test: np.ndarray) -> pl.Expr:
    """The `split` column: "test" where `in_test` is true, else "train"."""
    # Chosen in polars from the boolean mask: a numpy array of strings converts ~8x slower.
    return pl.when(pl.Series(in_test)).then(pl.lit("test")).otherwise(pl.lit("train")).alias(SPLIT)


def split_keys(df: pl.DataFrame, split: SplitSpec, first_row: int) -> np.ndarray:
    """The hash keys of a hashed split's rows: the `key` column, or the row numbers counted
    from `first_row` (the frame's first row's number in the whole table)."""
    if split.key is None:
        return row_keys(first_row, df.height)
    _require_columns(df, [split.key], "split.key")
    keys = df.get_column(split.key)
    if not keys.dtype.is_integer() or keys.null_count():
        raise ValueError(
            f"split.key: column '{split.key}' must hold integers without nulls, got "
            f"{keys.dtype} with {keys.null_count()} null(s)"
        )
    return keys.to_numpy()


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
    """Derived columns, then per-column affine scaling x ↦ (x − offset) / scale.

    Derivation (see `pipelines.derived`): the numeric `inputs` expanded to monomials up to
    `degree` (degree 1: the inputs themselves), plus one count column per `vocabulary` token
    of `text_column`. Scaling — minmax: offset = min, scale = max − min; zscore: offset =
    mean, scale = population std; none: offset 0, scale 1. A constant column gets scale 1,
    so it maps to 0 (never x/0). `columns` are the resulting model features, in order.
    """

    method: Method
    columns: tuple[str, ...]
    offset: tuple[float, ...]
    scale: tuple[float, ...]
    inputs: tuple[str, ...] | None = None
    degree: int = 1
    text_column: str | None = None
    vocabulary: tuple[str, ...] = ()
    weighting: str = "counts"
    idf: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.inputs is None:  # a plain scaler: its inputs are its columns
            object.__setattr__(self, "inputs", self.columns)

    @classmethod
    def fit(
        cls, train_df: pl.DataFrame, columns: Sequence[str], method: Method
    ) -> FeatureTransform:
        """Fit offsets and scales of numeric `columns` on `train_df` (the train rows only)."""
        if method not in _METHODS:
            raise ValueError(f"unknown normalize method {method!r}; expected one of {_METHODS}")
        columns = tuple(columns)
        _require_columns(train_df, columns, "cannot fit the feature transform")
        _require_finite(train_df, columns)
        if train_df.height == 0:
            raise ValueError("cannot fit the feature transform on zero training rows")
        x = _matrix(train_df, columns)
        with np.errstate(over="ignore"):  # an overflow is refused, by column, just below
            if method == "minmax":
                offset, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
            elif method == "zscore":
                offset, scale = x.mean(axis=0), x.std(axis=0)
            else:
                offset, scale = np.zeros(len(columns)), np.ones(len(columns))
        _require_finite_scaling(columns, method, offset, scale, x)
        scale = np.where(scale == 0.0, 1.0, scale)
        return cls(method, columns, tuple(map(float, offset)), tuple(map(float, scale)))

    @classmethod
    def fit_features(cls, train_df: pl.DataFrame, features: FeaturesSpec) -> FeatureTransform:
        """Fit the spec's derivation (vocabulary) and then its scaling on the train rows."""
        text = features.text
        vocabulary, idf = (), ()
        if text is not None:
            vocabulary = derived.fit_vocabulary(train_df, text.column, text.min_df)
            if text.weighting == "tfidf":
                idf = derived.inverse_document_frequency(train_df, text.column, vocabulary)
        unscaled = cls(
            "none",
            (),
            (),
            (),
            tuple(features.columns),
            features.polynomial,
            text.column if text else None,
            vocabulary,
            text.weighting if text else "counts",
            idf,
        )
        expanded = unscaled.derive(train_df)
        scaler = cls.fit(expanded, unscaled.derived_columns(), features.normalize)
        return replace(
            unscaled,
            method=scaler.method,
            columns=scaler.columns,
            offset=scaler.offset,
            scale=scaler.scale,
        )

    def derived_columns(self) -> tuple[str, ...]:
        """Names of the derived columns, in model-feature order."""
        numeric = [derived.monomial_name(m) for m in derived.monomials(self.inputs, self.degree)]
        words = [derived.count_column(self.text_column, t) for t in self.vocabulary]
        return (*numeric, *words)

    def derive(self, df: pl.DataFrame) -> pl.DataFrame:
        """`df` with the derived columns added (numeric inputs cast to Float64)."""
        needed = [*self.inputs, *([self.text_column] if self.text_column else [])]
        _require_columns(df, needed, "cannot derive the features")
        _require_finite(df, self.inputs)
        exprs = derived.polynomial(self.inputs, self.degree)
        if self.text_column:
            exprs += derived.bag_of_words(self.text_column, self.vocabulary)
        words = [derived.count_column(self.text_column, t) for t in self.vocabulary]
        return derived.weigh(df.with_columns(exprs), words, self.weighting, self.idf)

    def apply(self, df: pl.DataFrame) -> pl.DataFrame:
        """Derive, then replace each feature column by its scaled Float64 value."""
        derived_df = self.derive(df)
        return derived_df.with_columns(
            ((pl.col(c).cast(pl.Float64) - o) / s).alias(c)
            for c, o, s in zip(self.columns, self.offset, self.scale, strict=True)
        )

    def to_array(self, df: pl.DataFrame) -> np.ndarray:
        """The model's feature matrix of a raw frame: float64, C order, columns in order."""
        return _matrix(self.apply(df), self.columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; `FeatureTransform.from_dict` inverts it exactly."""
        return {
            "method": self.method,
            "columns": list(self.columns),
            "offset": list(self.offset),
            "scale": list(self.scale),
            "inputs": list(self.inputs),
            "degree": self.degree,
            "text_column": self.text_column,
            "vocabulary": list(self.vocabulary),
            "weighting": self.weighting,
            "idf": list(self.idf),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureTransform:
        """Rebuild a transform from `to_dict` output; ValueError on a malformed mapping."""
        required = {"method", "columns", "offset", "scale"}
        optional = {"inputs", "degree", "text_column", "vocabulary", "weighting", "idf"}
        if not isinstance(data, dict) or not required <= set(data) <= required | optional:
            raise ValueError(
                f"feature transform: expected the keys {sorted(required)} "
                f"(and optionally {sorted(optional)}), got {data!r}"
            )
        if data["method"] not in _METHODS:
            raise ValueError(f"feature transform: unknown method {data['method']!r}")
        lengths = {len(data[key]) for key in ("columns", "offset", "scale")}
        if len(lengths) != 1:
            raise ValueError("feature transform: columns, offset and scale differ in length")
        inputs = data.get("inputs")
        return cls(
            data["method"],
            tuple(map(str, data["columns"])),
            tuple(map(float, data["offset"])),
            tuple(map(float, data["scale"])),
            None if inputs is None else tuple(map(str, inputs)),
            int(data.get("degree", 1)),
            data.get("text_column"),
            tuple(map(str, data.get("vocabulary", ()))),
            str(data.get("weighting", "counts")),
            tuple(map(float, data.get("idf", ()))),
        )


class PreparedFeatures(NamedTuple):
    """The normalized frame (scaled features, target, `split`), the transform fitted on it and
    the drift profile of the train rows' raw feature columns (what later batches are compared
    with; None for features stored before profiles existed)."""

    frame: pl.DataFrame
    transform: FeatureTransform
    reference: DriftProfile | None = None


def prepare(df: pl.DataFrame, spec: PipelineSpec) -> PreparedFeatures:
    """Split `df`, fit the derivation and scaling on the train rows only, transform every row.

    Returns the frame of the model's feature columns, the target and `split`, and the
    transform (which `ModelBundle.predict` applies again to new raw rows).
    """
    features = spec.features
    text = [features.text.column] if features.text else []
    inputs = [*features.columns, *text]
    _require_columns(df, [*inputs, spec.target], "cannot prepare features")
    _require_finite(df, features.columns)
    if nulls := df.get_column(spec.target).null_count():
        raise ValueError(f"target column '{spec.target}' has {nulls} null value(s)")
    key = [spec.split.key] if spec.split is not None and spec.split.key else []
    kept = list(dict.fromkeys([*inputs, spec.target, *key]))
    split = add_split(df.select(kept), spec.target, spec.split)
    train_rows = split.filter(pl.col(SPLIT) == "train")
    transform = FeatureTransform.fit_features(train_rows, features)
    frame = transform.apply(split).select(*transform.columns, spec.target, SPLIT)
    return PreparedFeatures(frame, transform, DriftProfile.of(train_rows, features.columns))


def feature_columns(normalized: pl.DataFrame, target: str) -> list[str]:
    """The model's feature columns of a normalized frame: all but the target and `split`."""
    return [c for c in normalized.columns if c not in (target, SPLIT)]


def design_matrix(
    normalized: pl.DataFrame, spec: PipelineSpec, part: Part = "all"
) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the normalized rows of one part: X float64 in feature order, y the target."""
    if part not in ("train", "test", "all"):
        raise ValueError(f"part must be 'train', 'test' or 'all', got {part!r}")
    _require_columns(normalized, [spec.target, SPLIT], "not a normalized frame")
    rows = normalized if part == "all" else normalized.filter(pl.col(SPLIT) == part)
    if rows.height == 0:
        raise ValueError(f"the normalized frame has no '{part}' rows")
    columns = feature_columns(normalized, spec.target)
    return _matrix(rows, columns), rows.get_column(spec.target).to_numpy()


def scored_rows(normalized: pl.DataFrame, spec: PipelineSpec) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) a model is scored on: the test rows, or the train rows when the spec has no split."""
    return design_matrix(normalized, spec, "train" if spec.split is None else "test")


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
    if not columns:
        return
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


def _require_finite_scaling(
    columns: Sequence[str], method: str, offset: np.ndarray, scale: np.ndarray, x: np.ndarray
) -> None:
    """ValueError naming each column whose offset or scale overflowed float64 (a zscore of
    values near 1e308 squares them; a minmax range from -1e308 to 1e308 is 2e308)."""
    bad = [
        f"{column} (largest |value| {np.abs(x[:, i]).max():.3g})"
        for i, column in enumerate(columns)
        if not (np.isfinite(offset[i]) and np.isfinite(scale[i]))
    ]
    if bad:
        raise ValueError(
            f"cannot scale feature column(s) {', '.join(bad)} with normalize: {method}: the "
            "values are too large for float64 arithmetic; rescale them (other units)"
        )


def _numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean
