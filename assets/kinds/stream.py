"""The assets of a streamed table pipeline (a spec whose parquet, CSV or generator source
has `stream:`).

The same keys as a table pipeline (after `<p>/generated`, the parts a streamed generator
source writes), stored so that no step holds the whole table: `<p>/raw` is what one
streamed pass found (files, rows, schema, content hash: a `StreamSource`, JSON);
`<p>/validated` (and `<p>/rejected`) the valid (rejected) rows as parquet parts, one per
batch, moved into place whole (`PartsIOManager`), with the `schema` check over all batches;
`<p>/normalized` the features plan (split rule, fitted transform, counts:
`StreamedFeatures`, JSON); `<p>/model` an incremental learner fed the train parts for the
spec's epochs; `<p>/evaluation` metrics accumulated over the test parts; then the champion
gate every kind shares. The model is a plain asset rather than a `train_<name>` op graph:
those ops take an in-memory `PreparedFeatures`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl

from algorithms.atomic_files import remove_tree
from assets.champion import champion_asset
from assets.ingest import SCHEMA_CHECK, schema_check, stop_reason
from assets.io_managers import staging_folder
from assets.keys import model_key
from assets.metadata import (
    evaluation_entries,
    frame_preview,
    frame_table,
    params_config,
    training_entries,
)
from assets.retries import TRAINING_RETRY
from assets.training import model_inputs
from assets.versions import code_version
from pipelines.bundle import ModelBundle
from pipelines.evaluation_result import Evaluation
from pipelines.paths import reports_dir
from pipelines.quarantine import Quarantine, quarantine_headline
from pipelines.report import write_report
from pipelines.spec import GeneratorSource, PipelineSpec, resolve_schema
from pipelines.streaming.batches import StoredParts
from pipelines.streaming.evaluation import evaluate_stream
from pipelines.streaming.features import StreamedFeatures, prepare_stream
from pipelines.streaming.report import report_sections
from pipelines.streaming.source import (
    StreamSource,
    describe_source,
    generate_parts,
    source_batches,
)
from pipelines.streaming.training import train_stream
from pipelines.streaming.validation import MergedValidation, validate_stream
from pipelines.validation import REASON, WHERE


def stream_assets(spec: PipelineSpec) -> list[dg.AssetsDefinition]:
    """The asset definitions of one streamed table pipeline, in graph order."""
    generated = [generated_asset(spec)] if _generated(spec) else []
    return [
        *generated,
        raw_asset(spec),
        validated_assets(spec),
        normalized_asset(spec),
        model_asset(spec),
        evaluation_asset(spec),
        champion_asset(spec, model_inputs(spec)),
    ]


def _generated(spec: PipelineSpec) -> bool:
    return isinstance(spec.source, GeneratorSource)


def generated_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/generated`: a streamed generator source's rows written as parquet parts under the
    artifacts folder, one part in memory at a time."""
    source = spec.source

    @dg.asset(
        key=[spec.name, "generated"],
        group_name=spec.name,
        io_manager_key="parts_io",
        code_version=code_version(source),
        description=f"{source.rows} rows of the generator {source.generator} (seed "
        f"{source.seed}) as parquet parts of {spec.stream.batch_rows} rows.",
        kinds={"polars"},
        required_resource_keys={"artifacts"},
    )
    def generated(context) -> dg.Output[StoredParts]:
        folder = staging_folder(context.resources.artifacts, spec.name, "generated")
        try:
            n_parts = generate_parts(spec, folder)
        except BaseException:
            _remove(folder)
            raise
        return dg.Output(
            StoredParts(folder), metadata={"dagster/row_count": source.rows, "parts": n_parts}
        )

    return generated


def raw_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/raw`: one streamed pass over the source (of a generator source: over the parts
    `<p>/generated` wrote): its files, rows, schema and content hash (the data version); the
    rows themselves stay where they are."""
    ins = {"generated": dg.AssetIn(key=[spec.name, "generated"])} if _generated(spec) else {}

    @dg.asset(
        key=[spec.name, "raw"],
        group_name=spec.name,
        ins=ins,
        io_manager_key="stream_source_io",
        code_version=code_version(spec.source),
        description=f"The streamed source of {spec.name} ({spec.source.model_dump()}): files, "
        "rows, schema and content hash from one pass in batches.",
        kinds={"polars"},
    )
    def raw(**generated: StoredParts) -> dg.Output[StreamSource]:
        parts = generated.get("generated")
        found = describe_source(spec, None if parts is None else parts.paths())
        metadata = {
            "dagster/row_count": found.rows,
            "columns": len(found.schema),
            "files": len(found.files),
            "content_hash": found.content_hash,
            "schema": dg.MetadataValue.json(found.schema),
        }
        # Output's data_version is beta in Dagster 1.13; it is the documented way to record one.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dg.BetaWarning)
            version = dg.DataVersion(found.content_hash[:16])
            return dg.Output(found, data_version=version, metadata=metadata)

    return raw


def _check_result(
    spec: PipelineSpec, merged: MergedValidation, stop: str | None
) -> dg.AssetCheckResult:
    """The `schema` check over all batches: passed, WARN (rows set aside, the run goes on) or
    ERROR (the step stops)."""
    metadata = {
        "num_rows": merged.n_rows,
        "num_failing_rows": merged.n_rejected,
        "num_batches": merged.n_batches,
        "frame_errors": dg.MetadataValue.json(list(merged.frame_errors)),
        "failure_cases": frame_preview(merged.failures, 20),
    }
    return schema_check(
        spec,
        metadata,
        stop=stop,
        ok=merged.ok,
        summary=merged.summary(),
        stopped=f"{merged.headline()}\n{merged.summary()}",
        quarantined=merged.headline(),
        n_valid=merged.n_valid,
    )


def validated_assets(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/validated` (and `<p>/rejected` in quarantine mode) as parquet parts, every batch
    through the pandera schema, with the `schema` check over all of them."""
    schema = resolve_schema(spec.schema_)
    version = code_version(spec.schema_, spec.on_invalid, spec.max_rejected_fraction)
    quarantine = spec.on_invalid == "quarantine"
    names = {"validated": f"{spec.name}__validated", "rejected": f"{spec.name}__rejected"}
    outs = {
        names["validated"]: dg.AssetOut(
            key=[spec.name, "validated"],
            io_manager_key="parts_io",
            group_name=spec.name,
            code_version=version,
            description=f"Rows of {spec.name}/raw that conform to {spec.schema_}, as parquet "
            f"parts of at most {spec.stream.batch_rows} rows.",
            kinds={"pandera"},
        )
    }
    if quarantine:
        outs[names["rejected"]] = dg.AssetOut(
            key=[spec.name, "rejected"],
            io_manager_key="parts_io",
            group_name=spec.name,
            code_version=version,
            description="Rows that failed validation, batch by batch: `row`, `where`, the row "
            "as read and the checks it failed.",
            kinds={"polars"},
        )
    check = dg.AssetCheckSpec(
        SCHEMA_CHECK,
        asset=dg.AssetKey([spec.name, "validated"]),
        description=f"Every batch of {spec.name}/raw conforms to {spec.schema_}.",
    )

    @dg.multi_asset(
        name=f"{spec.name}__validate",
        outs=outs,
        check_specs=[check],
        ins={"raw": dg.AssetIn(key=[spec.name, "raw"])},
        required_resource_keys={"artifacts"},
    )
    def validate(context, raw: StreamSource) -> Iterator[dg.Output | dg.AssetCheckResult]:
        artifacts = context.resources.artifacts
        valid = staging_folder(artifacts, spec.name, "validated")
        rejected = staging_folder(artifacts, spec.name, "rejected") if quarantine else None
        try:
            files = [Path(f) for f in raw.files]
            merged = validate_stream(source_batches(spec, files), schema, valid, rejected)
            stop = stop_reason(spec, merged)
        except BaseException:
            _remove(valid, rejected)
            raise
        check_result = _check_result(spec, merged, stop)
        if stop is not None:
            _remove(valid, rejected)
            # Nothing is materialized: Dagster links the check to the stored (earlier) one.
            yield check_result
            raise dg.Failure(
                description=f"{spec.name}/validated: {stop}\n{merged.headline()}\n"
                f"{merged.summary()}",
                metadata={"num_failing_rows": merged.n_rejected},
            )
        if quarantine:
            yield dg.Output(
                StoredParts(rejected),
                output_name=names["rejected"],
                metadata=_rejected_metadata(spec, merged, StoredParts(rejected)),
            )
        yield dg.Output(
            StoredParts(valid),
            output_name=names["validated"],
            metadata={
                "dagster/row_count": merged.n_valid,
                "num_rejected": merged.n_rejected,
                "num_batches": merged.n_batches,
            },
        )
        yield check_result

    return validate


def _rejected_metadata(
    spec: PipelineSpec, merged: MergedValidation, rejected: StoredParts
) -> dict[str, object]:
    """Counts over all batches and the first rejected rows (of the first rejected part), as
    `<p>/rejected` of a table pipeline records them."""
    first = rejected.paths()[:1]
    sample = pl.DataFrame(schema={WHERE: pl.String, REASON: pl.String})
    if first:
        rows = pl.read_parquet(first[0])
        sample = Quarantine(merged.n_rows, rows, spec.max_rejected_fraction).sample()
    return {
        "dagster/row_count": merged.n_rejected,
        "num_rows_read": merged.n_rows,
        "max_rejected_fraction": dg.MetadataValue.float(spec.max_rejected_fraction),
        "summary": quarantine_headline(
            merged.n_rejected, merged.n_rows, spec.max_rejected_fraction
        ),
        "preview": frame_table(sample),
    }


def _remove(*folders: Path | None) -> None:
    for folder in folders:
        if folder is not None:
            remove_tree(folder)


def normalized_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/normalized`: the features plan: the hashed split of every validated part, the
    transform fitted from the train rows' running moments, and the train targets' counts."""

    @dg.asset(
        key=[spec.name, "normalized"],
        group_name=spec.name,
        ins={"validated": dg.AssetIn(key=[spec.name, "validated"])},
        io_manager_key="stream_features_io",
        code_version=code_version(spec.features, spec.target, spec.split),
        description=f"The features plan of {spec.name}: a hashed split and "
        f"{spec.features.normalize} scaling fitted on the train rows, in one streamed pass.",
        kinds={"polars"},
    )
    def normalized(validated: StoredParts) -> dg.Output[StreamedFeatures]:
        plan = prepare_stream(validated.paths(), spec)
        return dg.Output(
            plan,
            metadata={
                "dagster/row_count": plan.n_train + plan.n_test,
                "train_rows": plan.n_train,
                "test_rows": plan.n_test,
                "parts": len(plan.parts),
                "transform": dg.MetadataValue.json(plan.transform.to_dict()),
            },
        )

    return normalized


def model_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/model`: the spec's incremental learner fed the train parts, epoch after epoch,
    each in a fresh seeded order of parts; config `params` overrides the spec's for one run."""

    @dg.asset(
        key=model_key(spec.name),
        group_name=spec.name,
        ins={"normalized": dg.AssetIn(key=[spec.name, "normalized"])},
        io_manager_key="model_io",
        code_version=code_version(spec.model, spec.stream),
        config_schema=params_config(),
        description=f"{spec.algorithm} learned batch by batch (partial_fit) over "
        f"{spec.stream.epochs} epoch(s) of {spec.name}'s train parts.",
        kinds={"numpy"},
        retry_policy=TRAINING_RETRY,
    )
    def model(context, normalized: StreamedFeatures) -> dg.Output[ModelBundle]:
        overrides = dict(context.op_execution_context.op_config["params"])
        started = time.perf_counter()
        bundle = train_stream(spec, normalized, overrides or None)
        seconds = time.perf_counter() - started
        metadata = training_entries(
            bundle.algorithm, bundle.params, seconds, overrides, bundle.spec_hash
        )
        metadata["epochs"] = spec.stream.epochs
        metadata["train_rows_per_second"] = dg.MetadataValue.float(
            round(normalized.n_train * spec.stream.epochs / max(seconds, 1e-9), 1)
        )
        return dg.Output(bundle, metadata=metadata)

    return model


def evaluation_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/evaluation`: metrics over the test parts beside the baseline, and the report."""
    scored = "the held-out split" if spec.split else "the training data (the spec has no split)"

    @dg.asset(
        key=[spec.name, "evaluation"],
        group_name=spec.name,
        ins={
            "raw": dg.AssetIn(key=[spec.name, "raw"]),
            "normalized": dg.AssetIn(key=[spec.name, "normalized"]),
            "model": dg.AssetIn(key=model_key(spec.name)),
        },
        io_manager_key="evaluation_io",
        code_version=code_version(spec.evaluation, spec.split),
        description=f"Metrics of {spec.name}'s model on {scored}, accumulated batch by batch, "
        f"beside a baseline; the report is written to reports/{spec.name}/report.md.",
        kinds={"matplotlib"},
    )
    def evaluation(
        raw: StreamSource, normalized: StreamedFeatures, model: ModelBundle
    ) -> dg.Output[Evaluation]:
        result = evaluate_stream(spec, model, normalized)
        kept = sum(normalized.part_rows)
        sections = report_sections(spec, model, result, raw.rows, raw.rows - kept)
        report = write_report(reports_dir(spec.name), sections)
        return dg.Output(result, metadata=evaluation_entries(result, report))

    return evaluation
