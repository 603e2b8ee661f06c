"""Landing pipelines in Dagster: one dynamic partition per batch file, the ingest job, the
batches training reads, and the new-data sensor `<p>_new_data`.

A spec with `source: {landing: FOLDER}` has `<p>/raw`, `<p>/validated` (and `<p>/rejected`)
partitioned by `<p>__batches`, keyed by file name; each batch is read, hashed and validated
in its own run of `<p>_ingest`, so a bad batch fails alone. `<p>_retrain` is the
unpartitioned rest: `<p>/normalized` reads every batch whose latest validation succeeded
(or the last N by name, `train_on: {last: N}`) and records which, with their row counts.

The sensor looks at the folder (`pipelines.landing.scan`): each new or changed settled file
becomes a partition and an ingest run; on a later tick with no ingest run queued or running,
when some batch was validated after the latest `<p>/normalized`, it requests one retrain run
(run key: that validation's event id, so a tick never asks twice). A file that vanished is
logged and recorded as an observation of its `<p>/raw` partition; its validated rows stay
(training keeps reading them until the partition is deleted).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.landing import Scan, chosen_batches, scan
from pipelines.spec import LandingSource, PipelineSpec
from pipelines.spec_base import SpecBase

_UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
# A batch is trained on when its `<p>/validated` partition has this status; else _WHY_NOT.
_STORED = dg.AssetPartitionStatus.MATERIALIZED
_WHY_NOT = {
    dg.AssetPartitionStatus.FAILED: "its latest validation failed",
    dg.AssetPartitionStatus.IN_PROGRESS: "it is being validated",
    None: "it was never validated",
}
# What Dagster 1.13 refuses in a partition key (INVALID_PARTITION_SUBSTRINGS): a file named
# so is reported and skipped, rather than failing every tick and blocking the other files.
_NOT_IN_KEYS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")
# What the sensor and `trainyard run` tell the user to do with such a file.
RENAME = "rename it without '...' or control characters"
# Batch key → rows, in the order training concatenated them.
Batches = tuple[tuple[str, int], ...]


def is_landing(spec: SpecBase) -> bool:
    """Whether the pipeline reads batches from a landing folder."""
    return isinstance(getattr(spec, "source", None), LandingSource)


def batch_partitions(spec: SpecBase) -> dg.DynamicPartitionsDefinition | None:
    """`<p>__batches`, one partition per batch file name, for a landing pipeline; else None."""
    return (
        dg.DynamicPartitionsDefinition(name=f"{spec.name}__batches") if is_landing(spec) else None
    )


def refused_names(names: list[str]) -> list[str]:
    """The file names Dagster cannot take as partition keys ('...' or control characters)."""
    return [name for name in names if any(bad in name for bad in _NOT_IN_KEYS)]


def ingest_keys(spec: PipelineSpec) -> list[dg.AssetKey]:
    """The partitioned assets of a landing pipeline: raw, validated (and rejected)."""
    stages = ["raw", "validated", *(["rejected"] if spec.on_invalid == "quarantine" else [])]
    return [dg.AssetKey([spec.name, stage]) for stage in stages]


def ingest_job(spec: PipelineSpec) -> dg.UnresolvedAssetJobDefinition:
    """`<p>_ingest`: read, hash and validate one batch (run it with the batch's partition key)."""
    return dg.define_asset_job(
        f"{spec.name}_ingest",
        selection=dg.AssetSelection.assets(*ingest_keys(spec)),
        description=f"Read and validate one batch of {spec.name} (partition = file name).",
    )


def training_frame(
    context: dg.AssetExecutionContext, spec: PipelineSpec, loaded: dict[str, pl.DataFrame] | None
) -> tuple[pl.DataFrame, Batches, dict[str, str]]:
    """The validated rows training reads, the batches they came from, and the batches left
    out with why. A batch is read only when its latest validation succeeded (a batch whose new
    content failed keeps no say, not even its older rows); then all, or the last N by name."""
    loaded = loaded or {}
    partitions = batch_partitions(spec)
    every = context.instance.get_dynamic_partitions(partitions.name)
    key = dg.AssetKey([spec.name, "validated"])
    statuses = context.instance.get_status_by_partition(key, every, partitions) or {}
    good = [k for k in every if k in loaded and statuses.get(k) == _STORED]
    left_out = {
        k: _WHY_NOT.get(statuses.get(k), "its stored rows are missing")
        for k in every
        if k not in good
    }
    train_on = spec.source.train_on
    chosen = chosen_batches(good, train_on.last if train_on else None)
    left_out |= {k: f"older than the last {train_on.last}" for k in good if k not in chosen}
    if not chosen:
        raise ValueError(
            f"{spec.name}/normalized: no validated batch to train on; drop a file in "
            f"{spec.source.landing} and validate it (the sensor {spec.name}_new_data, or "
            f"`trainyard run {spec.name}`)" + (f"; left out: {left_out}" if left_out else "")
        )
    frames = [loaded[k] for k in chosen]
    batches = tuple((k, frame.height) for k, frame in zip(chosen, frames, strict=True))
    return pl.concat(frames, how="vertical_relaxed"), batches, left_out


def trained_batches(instance: dg.DagsterInstance, spec: PipelineSpec) -> Batches:
    """The batches (key, rows) the latest `<p>/normalized` was built from: within a run, the
    one its evaluation reads."""
    event = instance.get_latest_materialization_event(dg.AssetKey([spec.name, "normalized"]))
    if event is None or "batches" not in event.asset_materialization.metadata:
        return ()
    return tuple(event.asset_materialization.metadata["batches"].value.items())


def failed_batches(instance: dg.DagsterInstance, spec: PipelineSpec) -> list[str]:
    """The batches whose latest validation failed, in name order."""
    partitions = batch_partitions(spec)
    keys = instance.get_dynamic_partitions(partitions.name)
    key = dg.AssetKey([spec.name, "validated"])
    statuses = instance.get_status_by_partition(key, keys, partitions) or {}
    return sorted(k for k in keys if statuses.get(k) == dg.AssetPartitionStatus.FAILED)


def batches_metadata(batches: Batches, left_out: dict[str, str]) -> dict[str, dg.MetadataValue]:
    """`batches` (key → rows trained on) and, when any, `left_out_batches` (key → why)."""
    metadata = {"batches": dg.MetadataValue.json(dict(batches))}
    if left_out:
        metadata["left_out_batches"] = dg.MetadataValue.json(left_out)
    return metadata


def _read_cursor(text: str | None) -> dict:
    return json.loads(text) if text else {}


def retrain_due(instance: dg.DagsterInstance, spec: PipelineSpec) -> int | None:
    """The event id of the latest validation when it is newer than the latest
    `<p>/normalized` and no ingest run of the pipeline is queued or running; else None."""
    unfinished = instance.get_runs(
        filters=dg.RunsFilter(job_name=f"{spec.name}_ingest", statuses=_UNFINISHED), limit=1
    )
    if unfinished:
        return None
    validated = instance.fetch_materializations(dg.AssetKey([spec.name, "validated"]), limit=1)
    if not validated.records:
        return None
    latest = validated.records[0].storage_id
    trained = instance.fetch_materializations(dg.AssetKey([spec.name, "normalized"]), limit=1)
    if trained.records and trained.records[0].storage_id > latest:
        return None
    return latest


def _vanished_events(
    spec: PipelineSpec, found: Scan, cursor: dict, known: set[str]
) -> list[dg.AssetObservation]:
    """An observation of each vanished file's `<p>/raw` partition (while it exists)."""
    return [
        dg.AssetObservation(
            asset_key=[spec.name, "raw"],
            partition=name,
            metadata={
                "file_vanished": str(Path(spec.source.landing) / name),
                "last_seen_hash": cursor[name]["hash"],
            },
        )
        for name in found.vanished
        if name in known
    ]


def new_data_sensor(
    spec: PipelineSpec,
    ingest: dg.UnresolvedAssetJobDefinition,
    retrain: dg.UnresolvedAssetJobDefinition,
) -> dg.SensorDefinition:
    """`<p>_new_data`: ingest each new or changed settled batch file, then retrain (see the
    module docstring); shipped stopped, like the schedules."""
    source: LandingSource = spec.source
    partitions = batch_partitions(spec)

    @dg.sensor(
        name=f"{spec.name}_new_data",
        jobs=[ingest, retrain],
        default_status=dg.DefaultSensorStatus.STOPPED,
        minimum_interval_seconds=30,
        description=f"Validate each new or changed file of {source.landing}, then retrain "
        f"{spec.name}.",
    )
    def new_data(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        cursor = _read_cursor(context.cursor)
        found = scan(source.folder, source.suffix, cursor, time.time(), source.settle_seconds)
        for name in found.vanished:
            context.log.warning(
                f"{name} vanished from {source.landing}; its validated rows stay in training "
                f"until its partition of {partitions.name} is deleted"
            )
        refused = refused_names([f.name for f in found.ready])
        for name in refused:
            context.log.warning(f"batch file {name!r} skipped: {RENAME}")
        ready = [f for f in found.ready if f.name not in refused]
        known = set(context.instance.get_dynamic_partitions(partitions.name))
        requests = [
            dg.RunRequest(
                job_name=ingest.name,
                partition_key=f.name,
                run_key=f"{f.name}:{f.hash}:{f.mtime}",
                tags={"trainyard/batch_hash": f.hash},
            )
            for f in ready
        ]
        if not requests:
            latest = retrain_due(context.instance, spec)
            if latest is not None:
                requests.append(dg.RunRequest(job_name=retrain.name, run_key=f"retrain:{latest}"))
        added = [f.name for f in ready if f.name not in known]
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=[partitions.build_add_request(added)] if added else [],
            asset_events=_vanished_events(spec, found, cursor, known),
            cursor=json.dumps(found.cursor, sort_keys=True),
            skip_reason=None if requests else _skip_reason(found),
        )

    return new_data


def _skip_reason(found: Scan) -> str:
    parts = ["no new or changed batch file"]
    if found.unsettled:
        parts.append(f"not settled yet: {', '.join(found.unsettled)}")
    if found.vanished:
        parts.append(f"vanished: {', '.join(found.vanished)}")
    return "; ".join(parts)
