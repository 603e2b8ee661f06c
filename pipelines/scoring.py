"""Score new rows with a pipeline's champion: the same scoring in a run and outside one.

`score_frame` checks the rows against the pipeline's schema without its target column,
applies the champion's stored feature transform, predicts, and returns the input's own
columns (as given) plus `prediction`, one `proba_<class>` column per class when the model
has `predict_proba`, and `champion_version`. `predict_with_champion` does it with the
current champion of a pipeline, loaded from the artifacts root:

    import polars as pl
    from pipelines.scoring import predict_with_champion

    scored = predict_with_champion("viral_posts_seed", pl.read_csv("data/viral_posts_seed.csv"))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandera.polars as pa
import polars as pl
from upath import UPath

from pipelines.bundle import ModelBundle
from pipelines.champions import Champion, load_champion
from pipelines.paths import SPECS_DIR, artifacts_root
from pipelines.spec import PipelineSpec, load_spec, resolve_schema
from pipelines.spec_base import SpecBase
from pipelines.validation import DataValidationError, frame_row, validate_frame

PREDICTION = "prediction"
PROBA_PREFIX = "proba_"
VERSION_COLUMN = "champion_version"


class NoChampionError(ValueError):
    """The pipeline has no champion to score with."""


def scoring_schema(spec: PipelineSpec) -> pa.DataFrameSchema:
    """The pipeline's schema without its target column. Dataframe-level checks are left out:
    they describe a training set (both classes present), not a batch of rows to score."""
    schema = resolve_schema(spec.schema_).to_schema().remove_columns([spec.target])
    schema.checks = []
    return schema


def score_frame(
    spec: SpecBase,
    bundle: ModelBundle,
    version: str,
    frame: pl.DataFrame,
    row_label: Callable[[int], str] = frame_row,
) -> pl.DataFrame:
    """`frame`'s columns + prediction (+ proba_<class>) + champion_version, scored by `bundle`;
    DataValidationError naming each failing column and row (by `row_label`), ValueError for
    an environment pipeline, an empty frame or a column name the output would reuse."""
    spec = table_spec(spec)
    if frame.height == 0:
        raise ValueError(f"no rows to score (columns: {', '.join(frame.columns) or 'none'})")
    estimator = bundle.estimator
    classes = list(getattr(estimator, "classes_", [])) if _has_proba(estimator) else []
    added = [PREDICTION, *(f"{PROBA_PREFIX}{c}" for c in classes), VERSION_COLUMN]
    clash = [name for name in added if name in frame.columns]
    if clash:
        raise ValueError(
            f"the rows already have column(s) {', '.join(clash)}, which the predictions add; "
            "rename or drop them first"
        )
    # A labelled file scores too: its target column is kept in the output, not checked.
    report = validate_frame(frame.drop(spec.target, strict=False), scoring_schema(spec), row_label)
    if not report.ok:
        raise DataValidationError(report)
    features = bundle.transform.to_array(report.valid)
    columns = [pl.Series(PREDICTION, estimator.predict(features))]
    if classes:
        probabilities = np.asarray(estimator.predict_proba(features), dtype=np.float64)
        columns += [
            pl.Series(f"{PROBA_PREFIX}{label}", probabilities[:, k])
            for k, label in enumerate(classes)
        ]
    columns.append(pl.Series(VERSION_COLUMN, [version] * frame.height, dtype=pl.String))
    return frame.with_columns(columns)


def table_spec(spec: SpecBase) -> PipelineSpec:
    """`spec` when its pipeline learns from rows; ValueError for an environment pipeline."""
    if not isinstance(spec, PipelineSpec):
        raise ValueError(
            f"pipeline '{spec.name}' is an environment (reinforcement learning) pipeline: its "
            "champion is an agent that acts in its grid world; it has no rows to score"
        )
    return spec


def _has_proba(estimator: object) -> bool:
    return callable(getattr(estimator, "predict_proba", None)) and hasattr(estimator, "classes_")


def pipeline_spec(pipeline: str) -> SpecBase:
    """The spec of `pipeline` (its data part only: no estimator is imported); ValueError
    listing the pipelines when there is no such spec."""
    path = SPECS_DIR / f"{pipeline}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(SPECS_DIR.glob("*.yaml")))
        raise ValueError(f"unknown pipeline {pipeline}; pipelines: {known}")
    return load_spec(path, data_only=True)


def current_champion(pipeline: str) -> Champion:
    """The current champion of `pipeline` under the artifacts root, with its record;
    NoChampionError when there is none, DamagedModelError when it cannot be loaded."""
    champion = load_champion(UPath(artifacts_root()) / pipeline)
    if champion is None:
        raise NoChampionError(
            f"pipeline '{pipeline}' has no champion yet; run `trainyard run {pipeline}` first"
        )
    return champion


def predict_with_champion(
    pipeline: str, frame: pl.DataFrame, row_label: Callable[[int], str] = frame_row
) -> pl.DataFrame:
    """Score `frame` with the current champion of `pipeline` (see `score_frame`): the rows'
    columns plus `prediction`, `proba_<class>` when the model has probabilities, and the
    `champion_version` that produced them. Raises NoChampionError when the pipeline has no
    champion, DataValidationError when rows do not conform to its schema."""
    spec = table_spec(pipeline_spec(pipeline))
    champion = current_champion(pipeline)
    return score_frame(spec, champion.bundle, champion.version, frame, row_label)
