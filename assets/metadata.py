"""Small converters from trainyard's plain results to Dagster metadata values.

Float entries are rounded for display (`shown`): the UI prints a float as it is recorded.
Exact values stay in the stored objects (the evaluation JSON) and, for the promotion gate,
in the champion's `exact_metrics` entry.
"""

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


def frame_table(frame: pl.DataFrame) -> dg.MetadataValue:
    """A frame as a Dagster table (shown as a table in the UI, readable back as records):
    integer columns as integers, every other value as its text, so any dtype fits."""
    integer = {name for name, dtype in frame.schema.items() if dtype.is_integer()}
    columns = [
        dg.TableColumn(name, "int" if name in integer else "string") for name in frame.columns
    ]
    records = [
        dg.TableRecord({k: v if k in integer or v is None else str(v) for k, v in row.items()})
        for row in frame.iter_rows(named=True)
    ]
    return dg.MetadataValue.table(records, dg.TableSchema(columns=columns))


def shown(value: float) -> float:
    """`value` rounded for display: 4 decimals, or 4 significant digits below 1."""
    value = float(value)
    return round(value, 4) if abs(value) >= 1 else float(f"{value:.4g}")


def float_entries(values: Mapping[str, float], prefix: str = "") -> dict[str, dg.MetadataValue]:
    """One float entry per metric, rounded (`shown`), so the UI charts each across runs."""
    return {f"{prefix}{name}": dg.MetadataValue.float(shown(v)) for name, v in values.items()}


def evaluation_entries(result: Evaluation, report: Report) -> dict[str, object]:
    """What every kind's evaluation records: each metric and baseline metric as a float, and
    those of every candidate (`<candidate>/<metric>`, the chosen one named) and comparison
    algorithm (`compare_with/<algorithm>/<metric>`); the headline, what was scored, and the
    report (its path, and inline for the UI)."""
    entries: dict[str, object] = {
        **float_entries(result.metrics),
        **float_entries(result.baseline, prefix="baseline/"),
    }
    for name, values in result.candidates.items():
        entries |= float_entries(values, prefix=f"{name}/")
    for name, values in result.comparisons.items():
        entries |= float_entries(values, prefix=f"compare_with/{name}/")
    if result.candidate is not None:
        entries["chosen_candidate"] = result.candidate
    return entries | {
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
