"""The assets of a table pipeline (a spec with `source:`).

`<p>/raw → <p>/validated (+ <p>/rejected) → <p>/normalized (→ <p>/tuning) → <p>/model (or
<p>/model/<name> per candidate) → <p>/evaluation → <p>/champion`. The evaluation scores the
model on the held-out split beside its task's baseline, writes the Markdown + PNG report
under `reports/<p>/` (with a data-quality section from `<p>/rejected` in quarantine mode),
shows it in the UI, and records every metric as a float entry so Dagster charts it across
runs.
"""

import dagster as dg
import polars as pl

from assets.champion import champion_asset
from assets.drift import batch_drift
from assets.ingest import raw_asset, validated_assets
from assets.kinds.stream import stream_assets
from assets.landing import is_landing, trained_batches
from assets.metadata import evaluation_entries
from assets.predictions import predictions_asset, scores
from assets.training import model_assets, model_inputs, normalized_asset
from assets.tuning import tuning_asset
from assets.versions import code_version
from pipelines.evaluation_result import Evaluation
from pipelines.features import PreparedFeatures
from pipelines.kinds.table import evaluate_models
from pipelines.paths import reports_dir
from pipelines.quarantine import Quarantine
from pipelines.report import write_report
from pipelines.spec import PipelineSpec


def table_assets(spec: PipelineSpec) -> list[dg.AssetsDefinition]:
    """The asset definitions of one table pipeline, in graph order."""
    # A streamed source is one more source of the table kind (same spec, keys and gate), but
    # it stores parts and plans instead of frames, so its assets are built apart.
    if spec.stream is not None:
        return stream_assets(spec)
    tuning = [tuning_asset(spec)] if spec.tuning is not None else []
    return [
        raw_asset(spec),
        validated_assets(spec),
        normalized_asset(spec),
        *tuning,
        *model_assets(spec),
        evaluation_asset(spec),
        champion_asset(spec, model_inputs(spec)),
        *([predictions_asset(spec)] if scores(spec) else []),
    ]


def evaluation_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/evaluation`: metrics, baseline, comparisons and the report of the latest model(s)."""
    models = model_inputs(spec)
    ins = {"normalized": dg.AssetIn(key=[spec.name, "normalized"]), **models}
    if spec.tuning is not None:
        ins["tuning"] = dg.AssetIn(key=[spec.name, "tuning"])
    # A landing pipeline's rejected rows are per batch: each batch's schema check and
    # `<p>/rejected` partition show them, so its report has no pooled data-quality section.
    if spec.on_invalid == "quarantine" and not is_landing(spec):
        ins["rejected"] = dg.AssetIn(key=[spec.name, "rejected"])
    scored = "the held-out split" if spec.split else "the training data (the spec has no split)"
    # Input name → the name `spec.trained_models()` gives that model.
    trained = dict(zip(models, spec.trained_models(), strict=True))

    @dg.asset(
        key=[spec.name, "evaluation"],
        group_name=spec.name,
        ins=ins,
        io_manager_key="evaluation_io",
        code_version=code_version(spec.evaluation, spec.split, list(spec.candidates or {})),
        description=f"Metrics of {spec.name}'s model{'s' if spec.candidates else ''} on {scored} "
        f"beside a baseline; the report is written to reports/{spec.name}/report.md.",
        kinds={"matplotlib"},
    )
    def evaluation(context, normalized: PreparedFeatures, **inputs) -> dg.Output[Evaluation]:
        tuning = inputs.pop("tuning", None)
        rejected = inputs.pop("rejected", None)
        bundles = {trained[name]: bundle for name, bundle in inputs.items()}
        batches = trained_batches(context.instance, spec) if is_landing(spec) else ()
        drift = batch_drift(context.instance, spec, [b for b, _ in batches]) if batches else None
        quarantine = _quarantine(spec, normalized, rejected)
        result, sections = evaluate_models(
            spec, bundles, normalized, tuning, quarantine, batches, drift
        )
        report = write_report(reports_dir(spec.name), sections)
        metadata = evaluation_entries(result, report)
        if batches:
            metadata["batches"] = dg.MetadataValue.json(dict(batches))
        if result.candidate is not None:
            metadata["choice"] = " ".join(result.details["choice"])
        return dg.Output(result, metadata=metadata)

    return evaluation


def _quarantine(
    spec: PipelineSpec, normalized: PreparedFeatures, rejected: pl.DataFrame | None
) -> Quarantine | None:
    """The rows a quarantine spec set aside, out of all it read: `prepare` keeps every
    validated row (it refuses bad ones, never drops them), so read = normalized + rejected."""
    if rejected is None:
        return None
    n_rows = normalized.frame.height + rejected.height
    return Quarantine(n_rows, rejected, spec.max_rejected_fraction)
