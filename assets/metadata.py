"""Small converters from trainyard's plain results to Dagster metadata values."""

from __future__ import annotations

import json
from collections.abc import Mapping

import dagster as dg
import polars as pl

from pipelines.evaluation_result import Evaluation
from pipelines.report import Report, markdown_with_inline_images
from pipelines.sections import markdown_table
from pipelines.validation import ColumnInfo


def table_schema(columns: list[ColumnInfo]) -> dg.TableSchema:
    """The pandera schema as a Dagster table schema (shown as the column list in the UI)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=col.name,
                type=col.dtype,
                description=col.description,
                constraints=dg.TableColumnConstraints(
                    nullable=col.nullable, other=list(col.checks)
                ),
            )
            for col in columns
        ]
    )


def frame_schema(frame: pl.DataFrame) -> dg.TableSchema:
    """The actual columns and dtypes of a Polars frame."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name=n, type=str(t)) for n, t in frame.schema.items()]
    )


def frame_preview(frame: pl.DataFrame, limit: int = 20) -> dg.MetadataValue:
    """The first rows of a frame as a Markdown table (every column left-aligned)."""
    head = frame.head(limit)
    table = markdown_table(head.columns, list(head.iter_rows()), align="l" * head.width)
    return dg.MetadataValue.md(table)


def float_entries(values: Mapping[str, float], prefix: str = "") -> dict[str, dg.MetadataValue]:
    """One float entry per metric, so the UI charts each across runs."""
    return {f"{prefix}{name}": dg.MetadataValue.float(float(v)) for name, v in values.items()}


def evaluation_entries(result: Evaluation, report: Report) -> dict[str, object]:
    """What every kind's evaluation records: each metric and baseline metric as a float, the
    headline, what was scored, and the report (its path, and inline for the UI)."""
    return {
        **float_entries(result.metrics),
        **float_entries(result.baseline, prefix="baseline/"),
        "headline": result.headline,
        "scored_on": result.scored_on,
        "report_path": dg.MetadataValue.path(str(report.path)),
        "report": dg.MetadataValue.md(markdown_with_inline_images(report)),
    }


def training_entries(
    algorithm: str, params: dict, seconds: float, overrides: dict, spec_hash: str
) -> dict[str, object]:
    """What every training op records: algorithm, fitted params, time, run overrides, spec."""
    return {
        "algorithm": algorithm,
        "training_time_s": dg.MetadataValue.float(round(seconds, 4)),
        "params": dg.MetadataValue.json(json.loads(json.dumps(params, default=str))),
        "overrides": dg.MetadataValue.json(overrides),
        "spec_hash": spec_hash,
    }


def params_config() -> dict[str, dg.Field]:
    """The run config of every training op: `params`, overrides of the spec's parameters."""
    return {
        "params": dg.Field(
            dg.Permissive(),
            default_value={},
            description="Parameter overrides for this run; the spec's params otherwise.",
        )
    }
