"""The table kind without Dagster: evaluate a pipeline's model (or its candidates) on the
normalized rows and list its report sections.

The building blocks are the table modules: `pipelines.evaluation` (scoring one model),
`pipelines.candidates` (choosing among candidates and comparing them),
`pipelines.report_sections` (summary, learning curve, sweep, model sections),
`pipelines.task_sections` (what the task shows) and `pipelines.studies`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from pipelines.bundle import ModelBundle
from pipelines.candidates import (
    comparison_section,
    confusion_grid_section,
    evaluate_candidates,
    importances_section,
    loss_curves_section,
)
from pipelines.drift_section import drift_section
from pipelines.evaluation import evaluate, pipeline_data
from pipelines.evaluation_result import Evaluation
from pipelines.features import PreparedFeatures
from pipelines.quarantine import Quarantine, data_quality_section
from pipelines.report_sections import (
    coefficients_section,
    data_section,
    examples_section,
    fitted_line_section,
    learning_curve_section,
    summary,
    sweep_section,
    text_terms_section,
)
from pipelines.sections import SectionBuilder
from pipelines.spec import PipelineSpec
from pipelines.studies import get_study, uses_pipeline_data
from pipelines.task_sections import task_section
from pipelines.tuning import TuningResult, tuning_section


def evaluate_models(
    spec: PipelineSpec,
    bundles: dict[str, ModelBundle],
    features: PreparedFeatures,
    tuning: TuningResult | None = None,
    quarantine: Quarantine | None = None,
    batches: Sequence[tuple[str, int]] = (),
    drift: Mapping[str, Any] | None = None,
) -> tuple[Evaluation, list[SectionBuilder]]:
    """The evaluation of the pipeline's models and its report sections.

    `bundles` is keyed like `spec.trained_models()`: `model`, or one entry per candidate.
    With candidates, the evaluation is the chosen one's, with every candidate's metrics.
    `quarantine` (a quarantine spec's rejected rows) adds the report's data-quality section.
    `batches` are the landing batches (key, rows) the features were built from, if any, and
    `drift` what each one's drift check found (`assets.drift.batch_drift`).
    """
    if spec.candidates is None:
        bundle = bundles["model"]
        result = evaluate(spec, bundle, features.frame)
        return result, report_sections(
            spec,
            bundle,
            result,
            features,
            tuning,
            quarantine=quarantine,
            batches=batches,
            drift=drift,
        )
    result, each = evaluate_candidates(spec, bundles, features.frame)
    chosen = spec.for_candidate(result.candidate)
    compared = [
        lambda: comparison_section(chosen, result, bundles, features.frame),
        lambda: confusion_grid_section(each),
        lambda: importances_section(bundles),
        lambda: loss_curves_section(bundles),
    ]
    bundle = bundles[result.candidate]
    return result, report_sections(
        chosen,
        bundle,
        result,
        features,
        None,
        compared,
        quarantine=quarantine,
        batches=batches,
        drift=drift,
    )


def report_sections(
    spec: PipelineSpec,
    bundle: ModelBundle,
    evaluation: Evaluation,
    features: PreparedFeatures,
    tuning: TuningResult | None = None,
    compared: Sequence[SectionBuilder] = (),
    quarantine: Quarantine | None = None,
    batches: Sequence[tuple[str, int]] = (),
    drift: Mapping[str, Any] | None = None,
) -> list[SectionBuilder]:
    """The report of a (single-model) table spec, in order: summary, the landing batches read
    and their drift, data quality (given the `quarantine` of a quarantine spec), learning
    curve, the task's section, the sweep, the candidates' comparison (`compared`), tuning,
    the model's sections, then the spec's studies."""
    frame = features.frame
    builders: list[SectionBuilder] = [
        lambda: summary(spec, bundle, evaluation),
        lambda: data_section(spec, batches),
        lambda: None if drift is None else drift_section(drift, spec.drift_levels),
        lambda: None if quarantine is None else data_quality_section(quarantine),
        lambda: learning_curve_section(bundle),
        lambda: task_section(spec, bundle, evaluation),
        lambda: sweep_section(spec, evaluation),
        *compared,
    ]
    if tuning is not None:
        builders.append(lambda: tuning_section(spec, tuning))
    builders += [
        lambda: coefficients_section(bundle),
        lambda: fitted_line_section(spec, bundle, frame),
        lambda: text_terms_section(spec, bundle, frame),
        lambda: examples_section(spec, bundle),
    ]
    data = pipeline_data(spec, bundle, frame)
    for study in spec.evaluation.studies:
        given = {"data": data} if uses_pipeline_data(study.study) else {}
        builders.append(partial(get_study(study.study), **given, **study.params))
    return builders
