"""Turn pipeline specs into Dagster definitions: one asset group, job and schedule per spec.

Each spec's kind builds its assets (`assets.kinds`): `<p>/raw → <p>/validated (+ <p>/rejected)
→ <p>/normalized (→ <p>/tuning) → <p>/model → <p>/evaluation → <p>/champion` for a table
pipeline, `<p>/environment → <p>/model → <p>/evaluation → <p>/champion` for an environment
pipeline. Every pipeline also gets a job `<p>_retrain` that materializes the group, and a
schedule from the spec's cron, shipped stopped (turn it on in the UI or with
`dagster schedule start`). A landing pipeline (`source: {landing: FOLDER}`) also gets the
job `<p>_ingest` (one batch) and the sensor `<p>_new_data`, shipped stopped too
(`assets.landing`); one with a `score:` folder the job `<p>_score` and the sensor
`<p>_to_score` (`assets.predictions`).

Each pipeline's definitions are built on their own: one that cannot be built (say, a cron
string Dagster refuses) is left out and reported by name, and the others still load.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, MutableMapping
from pathlib import Path

import dagster as dg
from upath import UPath

from assets.engine import chosen_executor
from assets.io_managers import io_managers
from assets.kinds import pipeline_assets
from assets.landing import ingest_job, ingest_keys, is_landing, new_data_sensor
from assets.predictions import score_job, scores, to_score_sensor
from assets.progress import progress_logger
from assets.schedules import staggered_crons
from pipelines.paths import artifacts_root
from pipelines.spec_base import SpecBase


class BrokenPipelineWarning(UserWarning):
    """A pipeline left out of the code location because its definitions cannot be built."""


def retrain_job(spec: SpecBase) -> dg.UnresolvedAssetJobDefinition:
    """`<p>_retrain`: materialize every asset of the pipeline's group (of a landing pipeline,
    all but the per-batch ones, which its `<p>_ingest` job materializes, and the per-file
    predictions, which `<p>_score` does)."""
    selection = dg.AssetSelection.groups(spec.name)
    if is_landing(spec):
        selection -= dg.AssetSelection.assets(*ingest_keys(spec))
    if scores(spec):
        selection -= dg.AssetSelection.assets(dg.AssetKey([spec.name, "predictions"]))
    return dg.define_asset_job(
        f"{spec.name}_retrain",
        selection=selection,
        description=f"Retrain {spec.name}: {spec.description.strip()}",
    )


def retrain_schedule(spec: SpecBase, job: dg.UnresolvedAssetJobDefinition, cron: str):
    """`cron` (the spec's, staggered) as a schedule on the retrain job, stopped until started."""
    spread = "" if cron == spec.schedule else f" (spec: '{spec.schedule}', spread by name)"
    return dg.ScheduleDefinition(
        name=f"{spec.name}_retrain_schedule",
        job=job,
        cron_schedule=cron,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"Retrain {spec.name} on '{cron}'{spread}.",
    )


def pipeline_definitions(spec: SpecBase, cron: str | None) -> dg.Definitions:
    """The assets, retrain job and schedule (on `cron`, the spec's staggered) of one pipeline;
    raises when they cannot be built."""
    job = retrain_job(spec)
    schedules = [retrain_schedule(spec, job, cron)] if cron else []
    jobs, sensors = [job], []
    if is_landing(spec):
        ingest = ingest_job(spec)
        jobs.append(ingest)
        sensors.append(new_data_sensor(spec, ingest, job))
    if scores(spec):
        score = score_job(spec)
        jobs.append(score)
        sensors.append(to_score_sensor(spec, score))
    return dg.Definitions(
        assets=pipeline_assets(spec), jobs=jobs, schedules=schedules, sensors=sensors
    )


def build_definitions(
    specs: Mapping[str, SpecBase],
    base_dir: str | Path | None = None,
    broken: MutableMapping[str, str] | None = None,
) -> dg.Definitions:
    """All pipelines as one code location; artifacts under `base_dir`, a path or fsspec URL
    (default: `artifacts_root()`).

    A pipeline whose definitions cannot be built is left out with a BrokenPipelineWarning;
    its error is recorded in `broken` (pipeline name → message) when given.
    """
    built, good = [], {}
    crons = staggered_crons((s.name, s.schedule) for s in specs.values() if s.schedule)
    for name, spec in specs.items():
        try:
            built.append(pipeline_definitions(spec, crons.get(name)))
        except (dg.DagsterInvalidDefinitionError, ValueError) as exc:
            message = f"pipeline {name} cannot be built and is left out: {exc}"
            warnings.warn(message, BrokenPipelineWarning, stacklevel=2)
            if broken is not None:
                broken[name] = message
            continue
        good[name] = spec
    shared = dg.Definitions(
        resources={
            **io_managers(base_dir or artifacts_root()),
            "specs": dg.ResourceDefinition.hardcoded_resource(good),
            # Where stored assets live, for steps that read one that is not their input (the
            # drift check reads the champion, which is downstream of the batch it judges).
            "artifacts": dg.ResourceDefinition.hardcoded_resource(
                UPath(base_dir or artifacts_root())
            ),
        },
        loggers={"progress": progress_logger},
        # In process unless TRAINYARD_EXECUTOR says otherwise (assets.engine): a pipeline's
        # steps take well under a second each, and a process per step spends seconds importing.
        # Chosen here, in the definitions, so runs launched from the UI use it too.
        executor=chosen_executor(),
    )
    return dg.Definitions.merge(shared, *built)
