"""Turn pipeline specs into Dagster definitions: one asset group, job and schedule per spec.

`<p>/raw → <p>/validated (+ <p>/rejected) → <p>/normalized (→ <p>/tuning) → <p>/model →
<p>/evaluation → <p>/champion` for a table pipeline, `<p>/environment → <p>/model →
<p>/evaluation → <p>/champion` for a reinforcement one (`assets.reinforcement`); a job
`<p>_retrain` that materializes the group, and a schedule from the spec's cron, shipped
stopped (turn it on in the UI or with `dagster schedule start`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from upath import UPath

from assets.champion import champion_asset
from assets.evaluation import evaluation_asset
from assets.ingest import raw_asset, validated_assets
from assets.io_managers import io_managers
from assets.progress import progress_logger
from assets.reinforcement import reinforcement_assets
from assets.schedules import staggered_crons
from assets.training import model_assets, model_inputs, normalized_asset
from assets.tuning import TuningIOManager, tuning_asset
from pipelines.paths import artifacts_dir
from pipelines.reinforcement_spec import ReinforcementSpec
from pipelines.spec import PipelineSpec

AnySpec = PipelineSpec | ReinforcementSpec


def pipeline_assets(spec: AnySpec) -> list[dg.AssetsDefinition]:
    """The asset definitions of one pipeline, in graph order."""
    if isinstance(spec, ReinforcementSpec):
        return reinforcement_assets(spec)
    tuning = [tuning_asset(spec)] if spec.tuning is not None else []
    return [
        raw_asset(spec),
        validated_assets(spec),
        normalized_asset(spec),
        *tuning,
        *model_assets(spec),
        evaluation_asset(spec),
        champion_asset(spec, model_inputs(spec), "model_io"),
    ]


def retrain_job(spec: AnySpec) -> dg.UnresolvedAssetJobDefinition:
    """`<p>_retrain`: materialize every asset of the pipeline's group."""
    return dg.define_asset_job(
        f"{spec.name}_retrain",
        selection=dg.AssetSelection.groups(spec.name),
        description=f"Retrain {spec.name}: {spec.description.strip()}",
    )


def retrain_schedule(spec: AnySpec, job: dg.UnresolvedAssetJobDefinition, cron: str):
    """`cron` (the spec's, staggered) as a schedule on the retrain job, stopped until started."""
    spread = "" if cron == spec.schedule else f" (spec: '{spec.schedule}', spread by name)"
    return dg.ScheduleDefinition(
        name=f"{spec.name}_retrain_schedule",
        job=job,
        cron_schedule=cron,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"Retrain {spec.name} on '{cron}'{spread}.",
    )


def build_definitions(
    specs: Mapping[str, AnySpec], base_dir: str | Path | None = None
) -> dg.Definitions:
    """All pipelines as one code location; artifacts under `base_dir` (default: home)."""
    assets, jobs, schedules = [], [], []
    crons = staggered_crons((s.name, s.schedule) for s in specs.values() if s.schedule)
    for spec in specs.values():
        assets += pipeline_assets(spec)
        job = retrain_job(spec)
        jobs.append(job)
        if spec.schedule:
            schedules.append(retrain_schedule(spec, job, crons[spec.name]))
    return dg.Definitions(
        assets=assets,
        jobs=jobs,
        schedules=schedules,
        resources={
            **io_managers(base_dir or artifacts_dir()),
            "tuning_io": TuningIOManager(base_path=UPath(base_dir or artifacts_dir())),
            "specs": dg.ResourceDefinition.hardcoded_resource(dict(specs)),
        },
        loggers={"progress": progress_logger},
        # A pipeline's steps run one after another and take well under a second each; a
        # process per step would spend ~6 s importing on every step. Override per run if needed.
        executor=dg.in_process_executor,
    )
