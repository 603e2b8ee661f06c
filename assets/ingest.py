"""The first assets of a pipeline: `<p>/raw` and `<p>/validated` (and `<p>/rejected`).

`raw` reads the spec's source and records a content hash as its data version.
`validated` runs the pandera schema lazily (all failures at once). With `on_invalid: fail`
any failure raises before an output is yielded, so nothing is stored, nothing downstream
runs, and earlier materializations stay readable. With `quarantine`, failing rows go to
`rejected` with a reason per row; the step fails when the rejected share exceeds
`max_rejected_fraction` or when a failure belongs to no row (a missing column, say).
Both report the `schema` asset check so the UI shows the result beside the asset: passed
when every row conforms, failed with WARN severity when rows were set aside and the run
goes on, failed with ERROR severity when the step stops.
A landing pipeline's raw, validated and rejected are partitioned by batch file
(`assets.landing`): each batch is read, hashed and validated on its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets.drift import drift_check_spec, drift_result
from assets.landing import batch_partitions
from assets.metadata import frame_preview, frame_schema, frame_table, table_schema
from assets.versions import code_version
from pipelines.landing import file_hash
from pipelines.quarantine import Quarantine
from pipelines.sources import content_hash, read_source, row_label, source_path
from pipelines.spec import LandingSource, PipelineSpec, resolve_schema
from pipelines.streaming.validation import MergedValidation
from pipelines.validation import (
    DataValidationError,
    ValidationReport,
    column_schema,
    validate_frame,
)

SCHEMA_CHECK = "schema"


def _versioned_output(frame: pl.DataFrame, digest: str, metadata: dict) -> dg.Output:
    # Output's data_version is beta in Dagster 1.13; it is the documented way to record one.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.Output(frame, data_version=dg.DataVersion(digest[:16]), metadata=metadata)


def raw_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/raw`: the source as a Polars frame, with rows, columns and a content hash (of a
    landing pipeline: one batch file per partition, its data version the file's SHA-256)."""
    partitions = batch_partitions(spec)
    read_from = (
        f"one batch file of {spec.source.landing} per partition"
        if partitions
        else f"read from {spec.source.model_dump()}"
    )

    @dg.asset(
        key=[spec.name, "raw"],
        group_name=spec.name,
        io_manager_key="parquet_io",
        code_version=_source_version(spec),
        description=f"Raw data of {spec.name}, {read_from}.",
        kinds={"polars"},
        partitions_def=partitions,
    )
    def raw(context) -> dg.Output[pl.DataFrame]:
        batch = context.partition_key if partitions else None
        frame = read_source(spec, batch)
        digest = file_hash(source_path(spec, batch)) if batch else content_hash(frame)
        return _versioned_output(
            frame,
            digest,
            {
                "dagster/row_count": frame.height,
                "columns": frame.width,
                "content_hash": digest,
                "dagster/column_schema": frame_schema(frame),
                "preview": frame_preview(frame, 10),
            },
        )

    return raw


def _source_version(spec: PipelineSpec) -> str:
    # What training reads (`train_on`) and when the sensor looks do not change a batch.
    if isinstance(spec.source, LandingSource):
        return code_version(spec.source.model_dump(exclude={"train_on", "settle_seconds"}))
    return code_version(spec.source)


def _check_result(
    report: ValidationReport, spec: PipelineSpec, stop: str | None
) -> dg.AssetCheckResult:
    """Passed when every row conforms. Rows set aside within `max_rejected_fraction` fail it
    with WARN severity (the run goes on); anything that stops the step (`stop`) with ERROR."""
    metadata = {
        "num_rows": report.n_rows,
        "num_failing_rows": report.n_rows - report.valid.height,
        "num_failures": report.failures.height,
        "frame_errors": dg.MetadataValue.json(list(report.frame_errors)),
        "failure_cases": frame_preview(report.failures, 20),
    }
    return schema_check(
        spec,
        metadata,
        stop=stop,
        ok=report.ok,
        summary=report.summary(),
        stopped=str(DataValidationError(report)),
        quarantined=_quarantine(spec, report).headline(),
        n_valid=report.valid.height,
    )


def schema_check(
    spec: PipelineSpec,
    metadata: dict[str, object],
    *,
    stop: str | None,
    ok: bool,
    summary: str,
    stopped: str,
    quarantined: str,
    n_valid: int,
) -> dg.AssetCheckResult:
    """The `schema` check of `<p>/validated` (one frame or all streamed batches): passed when
    every row conforms (`ok`), ERROR when the step stops (`stop`, then `stopped` says what
    failed), else WARN: `quarantined` rows set aside, the other `n_valid` go on."""
    if spec.on_invalid == "quarantine":
        metadata["max_rejected_fraction"] = dg.MetadataValue.float(spec.max_rejected_fraction)
    if ok:
        severity, description = dg.AssetCheckSeverity.ERROR, summary
    elif stop is not None:
        severity = dg.AssetCheckSeverity.ERROR
        description = f"{stop}: nothing was stored.\n{stopped}"
    else:
        severity = dg.AssetCheckSeverity.WARN
        description = (
            f"{quarantined}: set aside in {spec.name}/rejected; the other {n_valid} rows go "
            f"on.\n{summary}"
        )
    return dg.AssetCheckResult(
        check_name=SCHEMA_CHECK,
        asset_key=dg.AssetKey([spec.name, "validated"]),
        passed=ok,
        severity=severity,
        metadata=metadata,
        description=description,
    )


def _validate(spec: PipelineSpec, raw: pl.DataFrame, batch: str | None) -> ValidationReport:
    return validate_frame(raw, resolve_schema(spec.schema_), row_label(spec, batch))


def _quarantine(spec: PipelineSpec, report: ValidationReport) -> Quarantine:
    return Quarantine(report.n_rows, report.rejected, spec.max_rejected_fraction)


def stop_reason(spec: PipelineSpec, report: ValidationReport | MergedValidation) -> str | None:
    """Why the step stops without storing anything, or None when its outputs go on (of one
    frame's report, or of a streamed table's report merged over its batches)."""
    if report.ok:
        return None
    if spec.on_invalid == "fail":
        return "data does not match the schema (on_invalid: fail)"
    if report.frame_errors:
        return "failures that belong to no row cannot be quarantined"
    if report.rejected_fraction > spec.max_rejected_fraction:
        return (
            f"rejected fraction {report.rejected_fraction:.3f} exceeds "
            f"max_rejected_fraction {spec.max_rejected_fraction}"
        )
    return None


def _fail(spec: PipelineSpec, report: ValidationReport, reason: str) -> dg.Failure:
    error = DataValidationError(report)
    return dg.Failure(
        description=f"{spec.name}/validated: {reason}\n{error}",
        metadata={"num_failing_rows": report.n_rows - report.valid.height},
    )


def _rejected_metadata(quarantine: Quarantine) -> dict[str, object]:
    """Counts, rows per failing check and the first rejected rows (tables in the UI)."""
    return {
        "dagster/row_count": quarantine.n_rejected,
        "num_rows_read": quarantine.n_rows,
        "max_rejected_fraction": dg.MetadataValue.float(quarantine.max_rejected_fraction),
        "summary": quarantine.headline(),
        "reasons": frame_table(quarantine.reason_counts()),
        "preview": frame_table(quarantine.sample()),
    }


def validated_assets(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/validated` (and `<p>/rejected` in quarantine mode), with the `schema` check."""
    schema_cls = resolve_schema(spec.schema_)
    validated_key = dg.AssetKey([spec.name, "validated"])
    check = dg.AssetCheckSpec(
        SCHEMA_CHECK,
        asset=validated_key,
        description=f"Rows of {spec.name}/raw conform to {spec.schema_}.",
    )
    validated_spec = dg.AssetSpec(
        validated_key,
        deps=[dg.AssetKey([spec.name, "raw"])],
        group_name=spec.name,
        code_version=code_version(spec.schema_, spec.on_invalid, spec.max_rejected_fraction),
        description=f"{spec.name}/raw validated against the pandera schema {spec.schema_} "
        f"(on_invalid: {spec.on_invalid}).",
        metadata={"dagster/column_schema": table_schema(column_schema(schema_cls))},
        kinds={"pandera"},
    ).with_io_manager_key("parquet_io")
    specs = [validated_spec]
    if spec.on_invalid == "quarantine":
        specs.append(
            dg.AssetSpec(
                [spec.name, "rejected"],
                deps=[dg.AssetKey([spec.name, "raw"])],
                group_name=spec.name,
                code_version=validated_spec.code_version,
                description="Rows that failed validation, set aside: where each is (`line N` "
                "of a CSV), the row as read, and the checks it failed.",
                kinds={"polars"},
            ).with_io_manager_key("parquet_io")
        )

    partitions = batch_partitions(spec)
    drift = spec.drift_levels is not None

    @dg.multi_asset(
        name=f"{spec.name}__validate",
        specs=specs,
        check_specs=[check, *([drift_check_spec(spec)] if drift else [])],
        ins={"raw": dg.AssetIn(key=[spec.name, "raw"])},
        partitions_def=partitions,
        required_resource_keys={"artifacts"} if drift else set(),
        # Subsettable, so that a check with nothing to judge against (drift before the first
        # champion) is left unrun, which Dagster shows as not executed rather than passed.
        can_subset=True,
    )
    def validate(context, raw: pl.DataFrame) -> Iterator[dg.Output | dg.AssetCheckResult]:
        yield from _selected(context, _validation_events(context, raw))

    def _validation_events(context, raw: pl.DataFrame) -> Iterator[dg.Output | dg.AssetCheckResult]:
        report = _validate(spec, raw, context.partition_key if partitions else None)
        stop = stop_reason(spec, report)
        check = _check_result(report, spec, stop)
        if stop is not None:
            # Nothing is materialized: Dagster links the check to the stored (earlier) one.
            yield check
            raise _fail(spec, report, stop)
        if spec.on_invalid == "quarantine":
            yield dg.Output(
                report.rejected,
                output_name=_output_name(spec, "rejected"),
                metadata=_rejected_metadata(_quarantine(spec, report)),
            )
        yield dg.Output(
            report.valid,
            output_name=_output_name(spec, "validated"),
            metadata={
                "dagster/row_count": report.valid.height,
                "num_rejected": report.n_rows - report.valid.height,
            },
        )
        # After the outputs: Dagster links a check to the latest materialization, this one.
        yield check
        if drift:
            result = drift_result(context, spec, report.valid, context.resources.artifacts)
            if result is not None:
                yield result

    return validate


def _selected(
    context: dg.AssetExecutionContext, events: Iterator[dg.Output | dg.AssetCheckResult]
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """The outputs and check results of the assets and checks this run selected."""
    outputs = context.op_execution_context.selected_output_names
    checks = context.selected_asset_check_keys
    for event in events:
        if isinstance(event, dg.Output) and event.output_name not in outputs:
            continue
        if isinstance(event, dg.AssetCheckResult):
            key = dg.AssetCheckKey(event.asset_key, event.check_name)
            if key not in checks:
                continue
        yield event


def _output_name(spec: PipelineSpec, asset: str) -> str:
    return f"{spec.name}__{asset}"
