"""`<p>/evaluation` of a table pipeline (the champion after it: `assets.champion`).

It scores the model on the held-out split beside a baseline, writes the Markdown + PNG report
under `reports/<p>/`, shows it in the UI, and records every metric as a float entry so
Dagster charts it across runs.
"""

from collections.abc import Callable
from functools import partial

import dagster as dg

from assets.keys import model_key, models_by_key
from assets.metadata import float_entries
from assets.training import model_inputs
from assets.versions import code_version
from pipelines.bundle import ModelBundle
from pipelines.candidates import (
    comparison_section,
    confusion_grid_section,
    evaluate_candidates,
    importances_section,
    loss_curves_section,
)
from pipelines.evaluation import Evaluation, evaluate, pipeline_data
from pipelines.features import PreparedFeatures
from pipelines.paths import reports_dir
from pipelines.report import markdown_with_inline_images, write_report
from pipelines.report_sections import (
    coefficients_section,
    examples_section,
    fitted_line_section,
    text_terms_section,
)
from pipelines.sections import Section
from pipelines.spec import PipelineSpec
from pipelines.studies import get_study, uses_pipeline_data
from pipelines.tuning import TuningResult, tuning_section


def report_extras(
    spec: PipelineSpec,
    model: ModelBundle,
    normalized: PreparedFeatures,
    tuning: TuningResult | None,
) -> list[Callable[[], Section | None]]:
    """The model-dependent report sections of this pipeline, in report order."""
    extras = [
        lambda: coefficients_section(model),
        lambda: fitted_line_section(spec, model, normalized.frame),
        lambda: text_terms_section(spec, model, normalized.frame),
        lambda: examples_section(spec, model),
    ]
    if tuning is not None:
        extras.insert(0, lambda: tuning_section(spec, tuning))
    data = pipeline_data(spec, model, normalized.frame)
    for study in spec.evaluation.studies:
        given = {"data": data} if uses_pipeline_data(study.study) else {}
        extras.append(partial(get_study(study.study), **given, **study.params))
    return extras


def _evaluate(
    spec: PipelineSpec,
    normalized: PreparedFeatures,
    models: dict[dg.AssetKey, ModelBundle],
    tuning: TuningResult | None,
) -> dg.Output[Evaluation]:
    if spec.candidates is None:
        model = models[model_key(spec.name)]
        result = evaluate(spec, model, normalized.frame)
        extras = report_extras(spec, model, normalized, tuning)
        report = write_report(spec, model, result, reports_dir(spec.name), extras)
    else:
        # By name: the order of the report's tables and of ties between equal candidates.
        bundles = {name: models[model_key(spec.name, name)] for name in sorted(spec.candidates)}
        result, each = evaluate_candidates(spec, bundles, normalized.frame)
        chosen = spec.for_candidate(result.candidate)
        extras = [
            lambda: comparison_section(chosen, result, bundles, normalized.frame),
            lambda: confusion_grid_section(each),
            lambda: importances_section(bundles),
            lambda: loss_curves_section(bundles),
            *report_extras(chosen, bundles[result.candidate], normalized, None),
        ]
        report = write_report(
            chosen, bundles[result.candidate], result, reports_dir(spec.name), extras
        )
    metadata = {
        **float_entries(result.metrics),
        **float_entries(result.baseline, prefix="baseline/"),
        "headline": result.headline,
        "scored_on": result.scored_on,
        "report_path": dg.MetadataValue.path(str(report.path)),
        "report": dg.MetadataValue.md(markdown_with_inline_images(report)),
    }
    if result.candidate is not None:
        metadata["chosen_candidate"] = result.candidate
        for name, values in result.candidates.items():
            metadata |= float_entries(values, prefix=f"{name}/")
    return dg.Output(result, metadata=metadata)


def evaluation_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/evaluation`: metrics, baseline, comparisons and the report of the latest model(s)."""
    ins = {"normalized": dg.AssetIn(key=[spec.name, "normalized"]), **model_inputs(spec)}
    if spec.tuning is not None:
        ins["tuning"] = dg.AssetIn(key=[spec.name, "tuning"])
    scored = "the held-out split" if spec.split else "the training data (the spec has no split)"

    @dg.asset(
        key=[spec.name, "evaluation"],
        group_name=spec.name,
        ins=ins,
        io_manager_key="evaluation_io",
        code_version=code_version(spec.evaluation, spec.split, spec.candidate_names),
        description=f"Metrics of {spec.name}'s model{'s' if spec.candidates else ''} on {scored} "
        f"beside a baseline; the report is written to reports/{spec.name}/report.md.",
        kinds={"matplotlib"},
    )
    def evaluation(
        context: dg.AssetExecutionContext, normalized: PreparedFeatures, **inputs
    ) -> dg.Output[Evaluation]:
        tuning = inputs.pop("tuning", None)
        return _evaluate(spec, normalized, models_by_key(context, inputs), tuning)

    return evaluation
