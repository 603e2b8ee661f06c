"""The `drift` check of a landing pipeline's `<p>/validated`: each batch against the rows the
current champion was trained on (`pipelines.drift`).

It runs in the batch's validation step, after the batch is stored, and never stops the run:
it passes when every feature is stable, fails with WARN severity when one shifted (PSI at or
above `warn_psi`) and with ERROR severity when one drifted (at or above `fail_psi`). With no
champion yet, or a champion saved before models carried a drift profile, there is nothing to
compare with: the check is not run (Dagster shows it as skipped) and the log says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dagster as dg
import polars as pl
from upath import UPath

from assets.metadata import frame_table, shown
from pipelines.champions import load_champion
from pipelines.drift import DriftReport, DriftThresholds, compare, moved_shares
from pipelines.spec import PipelineSpec

DRIFT_CHECK = "drift"
_PARTITION_TAG = "dagster/partition"
_SEVERITY = {"shifted": dg.AssetCheckSeverity.WARN, "drifted": dg.AssetCheckSeverity.ERROR}


def drift_check_spec(spec: PipelineSpec) -> dg.AssetCheckSpec:
    """The check's declaration on `<p>/validated`, with the spec's PSI levels."""
    levels = spec.drift_levels
    return dg.AssetCheckSpec(
        DRIFT_CHECK,
        asset=dg.AssetKey([spec.name, "validated"]),
        description=(
            f"Each feature of the batch against the champion's training rows: PSI ≥ "
            f"{levels.warn_psi} warns, ≥ {levels.fail_psi} fails (ERROR); never stops a run."
        ),
    )


def drift_result(
    context: dg.AssetExecutionContext, spec: PipelineSpec, batch: pl.DataFrame, artifacts: UPath
) -> dg.AssetCheckResult | None:
    """The check's result for `batch` (the valid rows), or None when there is no champion
    profile to compare with (logged)."""
    champion = load_champion(artifacts / spec.name)
    reference = None if champion is None else champion.bundle.reference
    if reference is None:
        why = "no champion yet" if champion is None else "the champion has no drift profile"
        context.log.info(f"{spec.name}/validated: drift not checked: {why}")
        return None
    levels = spec.drift_levels
    report = compare(reference, batch, DriftThresholds(levels.warn_psi, levels.fail_psi))
    version = champion.record.version
    return dg.AssetCheckResult(
        check_name=DRIFT_CHECK,
        asset_key=dg.AssetKey([spec.name, "validated"]),
        passed=report.status == "stable",
        severity=_SEVERITY.get(report.status, dg.AssetCheckSeverity.WARN),
        description=(
            f"{report.summary()}; against the {report.n_reference} training rows of champion "
            f"{version}"
        ),
        metadata=_metadata(report, version),
    )


def _metadata(report: DriftReport, version: str) -> dict[str, object]:
    table = report.table.with_columns(
        pl.col("psi").map_elements(shown, return_dtype=pl.Float64),
        pl.col("ks").map_elements(shown, return_dtype=pl.Float64),
    )
    return {
        "features": frame_table(table),
        "max_psi": dg.MetadataValue.float(shown(report.table["psi"].max() or 0.0)),
        "champion_version": version,
        "batch_rows": report.n_rows,
        "reference_rows": report.n_reference,
        "moved_shares": dg.MetadataValue.json(moved_shares(report)),
    }


def batch_drift(
    instance: dg.DagsterInstance, spec: PipelineSpec, batches: Iterable[str]
) -> dict[str, dict[str, Any] | None]:
    """Batch → what its latest drift check found (status, description, champion version,
    max PSI, the moved features' shares), or None when the batch was never checked."""
    key = dg.AssetCheckKey(dg.AssetKey([spec.name, "validated"]), DRIFT_CHECK)
    found: dict[str, dict[str, Any]] = {}
    # Newest first: the first record seen of a batch is its latest check.
    for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=10_000):
        evaluation = _evaluation(record)
        run = instance.get_run_by_id(record.run_id)
        batch = run.tags.get(_PARTITION_TAG) if run else None
        if evaluation is None or batch is None or batch in found:
            continue
        metadata = {name: value.value for name, value in evaluation.metadata.items()}
        found[batch] = {
            "passed": evaluation.passed,
            "severity": evaluation.severity.value,
            "description": evaluation.description,
            **metadata,
        }
    return {batch: found.get(batch) for batch in batches}


def _evaluation(record) -> dg.AssetCheckEvaluation | None:
    event = record.event
    if event is None or event.dagster_event is None:
        return None
    data = event.dagster_event.event_specific_data
    return data if isinstance(data, dg.AssetCheckEvaluation) else None
