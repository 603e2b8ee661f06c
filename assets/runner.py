"""Materialize one pipeline on the persistent instance and print its evaluation summary and
what became of the champion (promoted, or not promoted and why)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import dagster as dg
from upath import UPath

from assets.champion import GATE_CHECK
from assets.distributed import execute_out_of_process
from assets.engine import executor_name
from assets.instance import instance_dir, persistent_instance
from assets.landing import RENAME, batch_partitions, failed_batches, is_landing, refused_names
from assets.predictions import scores, to_score_partitions
from assets.recovery import recover, run_tags
from pipelines.evaluation_result import Evaluation
from pipelines.landing import batch_files
from pipelines.paths import artifacts_root, reports_dir, reports_root
from pipelines.spec_base import SpecBase

# Built definitions by (artifacts root, pipeline, spec hash), for `_definitions`.
_BUILT: dict[tuple[str, str, str], dg.Definitions] = {}
# Opened instances by directory, for `_instance`.
_OPENED: dict[Path, dg.DagsterInstance] = {}


def _instance() -> dg.DagsterInstance:
    """The persistent instance, opened once per directory in this process: `run --all` and a
    pipeline's several reads of it share one (each opening costs ~60 ms, the first a second)."""
    home = instance_dir()
    if home not in _OPENED:
        _OPENED[home] = persistent_instance()
    os.environ["DAGSTER_HOME"] = str(home)  # as `persistent_instance` sets it, for what reads it
    return _OPENED[home]


def _definitions(artifacts: str, spec: SpecBase) -> dg.Definitions:
    """The definitions of the pipeline `spec` alone, its artifacts under `artifacts`: the root
    of the run being started (not of the first call in this process, which tests with several
    homes would reuse). Built once per root and spec; no other spec or estimator is loaded."""
    from assets.factory import build_definitions

    key = (artifacts, spec.name, spec.spec_hash())
    if key not in _BUILT:
        _BUILT[key] = build_definitions({spec.name: spec}, base_dir=artifacts)
    return _BUILT[key]


def materialize_pipeline(spec: SpecBase) -> dg.ExecuteInProcessResult | dg.JobExecutionResult:
    """Run `<p>_retrain` with progress lines, recorded in the persistent instance, after
    cleaning up what killed runs left (`assets.recovery`); a landing pipeline first ingests
    every batch file of its folder (`ingest_batches`, in process). The retrain run is in
    process by default, else on the executor `TRAINYARD_EXECUTOR` names (`assets.engine`)."""
    definitions = _definitions(artifacts_root(), spec)
    instance = _instance()
    for line in recover(instance, [artifacts_root(), reports_root()]):
        print(f"  {line}", file=sys.stderr, flush=True)
    if is_landing(spec):
        ingest_batches(spec, definitions, instance)
    if executor_name() != "in_process":
        tags = {"trainyard/source": "cli", **run_tags()}
        return execute_out_of_process(f"{spec.name}_retrain", instance, tags)
    return _execute(definitions.resolve_job_def(f"{spec.name}_retrain"), instance)


def stored_evaluation(spec: SpecBase) -> Evaluation:
    """The pipeline's evaluation as its IO manager stored it (wherever the step ran)."""
    path = UPath(artifacts_root()) / spec.name / "evaluation.json"
    return Evaluation.from_dict(json.loads(path.read_text()))


def _execute(
    job: dg.JobDefinition, instance: dg.DagsterInstance, partition_key: str | None = None
) -> dg.ExecuteInProcessResult:
    return job.execute_in_process(
        instance=instance,
        run_config={"loggers": {"progress": {}}},
        raise_on_error=False,
        tags={"trainyard/source": "cli", **run_tags()},
        partition_key=partition_key,
    )


def ingest_batches(
    spec: SpecBase, definitions: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    """Add a partition per batch file of the landing folder and validate each batch in its own
    `<p>_ingest` run (a bad batch fails alone). Batches whose file is gone are named: their
    last validated rows are still trained on."""
    partitions = batch_partitions(spec)
    names = [path.name for path in batch_files(spec.source.folder, spec.source.suffix)]
    refused = refused_names(names)
    for name in refused:
        print(f"  batch file {name!r} skipped: {RENAME}", file=sys.stderr, flush=True)
    files = [name for name in names if name not in refused]
    known = instance.get_dynamic_partitions(partitions.name)
    instance.add_dynamic_partitions(partitions.name, [f for f in files if f not in known])
    for name in sorted(set(known) - set(files)):
        print(
            f"  batch {name}: file gone from {spec.source.landing}; its last validated rows "
            "are kept",
            file=sys.stderr,
            flush=True,
        )
    job = definitions.resolve_job_def(f"{spec.name}_ingest")
    for name in files:
        print(f"  batch {name}", file=sys.stderr, flush=True)
        _execute(job, instance, name)


def score_files(spec: SpecBase) -> bool:
    """Score every file of the spec's `score:` folder with the champion of now, each in its
    own `<p>_score` run, and say what became of each; False when one failed."""
    definitions = _definitions(artifacts_root(), spec)
    instance = _instance()
    partitions = to_score_partitions(spec)
    names = [path.name for path in batch_files(spec.score.folder, spec.score.suffix)]
    known = instance.get_dynamic_partitions(partitions.name)
    instance.add_dynamic_partitions(partitions.name, [n for n in names if n not in known])
    job = definitions.resolve_job_def(f"{spec.name}_score")
    ok = True
    for name in names:
        result = _execute(job, instance, name)
        ok &= result.success
        print(f"  {_scored_line(spec, name, result)}", flush=True)
    return ok


def _scored_line(spec: SpecBase, name: str, result: dg.ExecuteInProcessResult) -> str:
    if not result.success:
        return f"scoring {name} failed (the error is above); nothing was written for it"
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    return (
        f"scored {name}: {metadata['dagster/row_count'].value} rows by champion "
        f"{metadata['champion_version'].value} ({spec.name}/predictions, partition {name})"
    )


def format_summary(spec: SpecBase, evaluation: Evaluation) -> str:
    """The evaluation as a small text table: the model (or every candidate, the chosen one
    starred) beside the baseline and the comparisons, then the kind's notes."""
    if evaluation.candidates:
        columns = {
            (f"*{name}" if name == evaluation.candidate else name): values
            for name, values in evaluation.candidates.items()
        }
        title = f"{len(columns)} candidates, chosen (*): {evaluation.candidate}"
    else:
        columns = {spec.model_label: evaluation.metrics}
        title = spec.algorithm
    columns |= {spec.baseline_label: evaluation.baseline} | evaluation.comparisons
    width = max(16, *(len(c) + 2 for c in columns))
    # The spec's order: the stored evaluation's JSON has its keys sorted.
    listed = [m for m in spec.metric_names() if m in evaluation.metrics]
    metrics = listed + [m for m in evaluation.metrics if m not in listed]
    first = max(12, *(len(m) + 2 for m in metrics))
    lines = [
        f"{spec.name}: {title}, {spec.scoring_words(evaluation)}",
        "  " + f"{'metric':<{first}}" + "".join(f"{c:>{width}}" for c in columns),
    ]
    for metric in metrics:
        cells = "".join(
            f"{values.get(metric, float('nan')):>{width}.4f}" for values in columns.values()
        )
        lines.append(f"  {metric:<{first}}{cells}")
    lines += [f"  {note}" for note in spec.summary_notes(evaluation)]
    lines += [f"  {line}" for line in evaluation.details.get("choice", [])]
    lines.append(f"  report: {reports_dir(spec.name) / 'report.md'}")
    return "\n".join(lines)


def failed_gate(result: dg.ExecuteInProcessResult | dg.JobExecutionResult) -> str | None:
    """The reasons of a failed promotion gate in the run, or None when it passed or never ran."""
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        data = event.asset_check_evaluation_data
        if data.asset_check_key.name == GATE_CHECK and not data.passed:
            # The first line says what became of the champion, the last the conditions.
            return (data.description or "the promotion gate failed").splitlines()[-1]
    return None


def run_pipeline(spec: SpecBase) -> bool:
    """Materialize and print; False (with the error or the gate's reasons already shown) when
    the run failed, the model was not promoted, or a landing batch failed validation."""
    print(f"▶ {spec.name}", file=sys.stderr, flush=True)
    result = materialize_pipeline(spec)
    evaluation_key = dg.AssetKey([spec.name, "evaluation"])
    if any(e.asset_key == evaluation_key for e in result.get_asset_materialization_events()):
        print(format_summary(spec, stored_evaluation(spec)), flush=True)
    failed = failed_batches(_instance(), spec) if is_landing(spec) else []
    if failed:
        print(
            f"  batches whose latest validation failed (left out of training): {', '.join(failed)}",
            flush=True,
        )
    promoted = result.success
    reasons = None if promoted else failed_gate(result)
    if promoted:
        print(f"  champion: promoted ({spec.name}/champion updated)", flush=True)
    elif reasons is not None:
        listed = "\n".join(f"    {reason}" for reason in reasons.split("; "))
        print(
            f"  champion: not promoted ({spec.name}/champion unchanged); the gate:\n{listed}",
            flush=True,
        )
    else:
        print(f"  run {result.run_id} failed; see `trainyard ui` for the full log", flush=True)
    # Whatever is champion now scores the files waiting, the kept one after a failed gate.
    scored = score_files(spec) if scores(spec) and (promoted or reasons is not None) else True
    print(flush=True)
    return promoted and not failed and scored
