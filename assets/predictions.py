"""`<p>/predictions`: the champion scores each file that lands in the spec's `score:` folder.

One dynamic partition per file (`<p>__to_score`, keyed by file name), so every file is scored
once, in its own run of `<p>_score`, and kept: the input's own columns, `prediction`,
`proba_<class>` where the model has probabilities, and `champion_version`
(`pipelines.scoring.score_frame`). The champion is the asset's input, read through the
champion IO manager, so a run always scores with the champion of that moment and the lineage
shows it; with no champion yet the step fails saying so, and rows that break the schema fail
it with the validation report. A failed step stores nothing.

The sensor `<p>_to_score` (shipped stopped) adds a partition and requests a scoring run for
each new or changed settled file of the folder, as `<p>_new_data` does for batches.
"""

from __future__ import annotations

import json
import time

import dagster as dg
import polars as pl

from assets.landing import RENAME, refused_names
from assets.metadata import frame_preview
from assets.versions import code_version
from pipelines.champions import Champion
from pipelines.landing import scan
from pipelines.scoring import score_frame
from pipelines.sources import file_row_label, read_table
from pipelines.spec import PipelineSpec


def scores(spec: PipelineSpec) -> bool:
    """Whether the pipeline declares a `score:` folder."""
    return getattr(spec, "score", None) is not None


def to_score_partitions(spec: PipelineSpec) -> dg.DynamicPartitionsDefinition:
    """`<p>__to_score`: one partition per file of the score folder."""
    return dg.DynamicPartitionsDefinition(name=f"{spec.name}__to_score")


def predictions_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/predictions`, one partition per file to score (see the module docstring)."""
    folder = spec.score

    @dg.asset(
        key=[spec.name, "predictions"],
        group_name=spec.name,
        ins={"champion": dg.AssetIn(key=[spec.name, "champion"])},
        partitions_def=to_score_partitions(spec),
        io_manager_key="parquet_io",
        code_version=code_version(folder),
        description=f"Rows of {folder.landing} scored by {spec.name}'s champion, one partition "
        "per file, with the champion version that scored them.",
        kinds={"polars"},
    )
    # Unannotated: Dagster reads these annotations at definition time (no postponed strings).
    def predictions(context, champion) -> dg.Output:
        path = folder.folder / context.partition_key
        if not path.is_file():
            raise dg.Failure(f"{spec.name}/predictions: {path} is gone; nothing was scored")
        frame = read_table(path, folder)
        scored = score_frame(spec, champion.bundle, champion.version, frame, file_row_label(path))
        return dg.Output(scored, metadata=_metadata(scored, champion))

    return predictions


def _metadata(scored: pl.DataFrame, champion: Champion) -> dict[str, object]:
    metadata: dict[str, object] = {
        "dagster/row_count": scored.height,
        "champion_version": champion.version,
        "preview": frame_preview(scored, 10),
    }
    if scored.schema["prediction"].is_numeric():
        metadata["mean_prediction"] = dg.MetadataValue.float(float(scored["prediction"].mean()))
    return metadata


def score_job(spec: PipelineSpec) -> dg.UnresolvedAssetJobDefinition:
    """`<p>_score`: score one file (run it with the file's partition key)."""
    return dg.define_asset_job(
        f"{spec.name}_score",
        selection=dg.AssetSelection.assets(dg.AssetKey([spec.name, "predictions"])),
        description=f"Score one file of {spec.score.landing} with {spec.name}'s champion.",
    )


def to_score_sensor(spec: PipelineSpec, job: dg.UnresolvedAssetJobDefinition):
    """`<p>_to_score`: a scoring run for each new or changed settled file of the score folder;
    shipped stopped."""
    folder = spec.score
    partitions = to_score_partitions(spec)

    @dg.sensor(
        name=f"{spec.name}_to_score",
        jobs=[job],
        default_status=dg.DefaultSensorStatus.STOPPED,
        minimum_interval_seconds=30,
        description=f"Score each new or changed file of {folder.landing} with the champion.",
    )
    def to_score(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        found = scan(folder.folder, folder.suffix, cursor, time.time(), folder.settle_seconds)
        refused = refused_names([f.name for f in found.ready])
        for name in refused:
            context.log.warning(f"file to score {name!r} skipped: {RENAME}")
        ready = [f for f in found.ready if f.name not in refused]
        known = set(context.instance.get_dynamic_partitions(partitions.name))
        added = [f.name for f in ready if f.name not in known]
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(job_name=job.name, partition_key=f.name, run_key=f"{f.name}:{f.hash}")
                for f in ready
            ],
            dynamic_partitions_requests=[partitions.build_add_request(added)] if added else [],
            cursor=json.dumps(found.cursor, sort_keys=True),
            skip_reason=None if ready else "no new or changed file to score",
        )

    return to_score
