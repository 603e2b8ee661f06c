"""`<p>/tuning`: the spec's cross-validated grid search; the model is trained with its best.

Its value (every grid point's CV mean, std and per-fold scores, and the best parameters) is
stored as JSON (`assets.io_managers.JsonIOManager`); the UI shows the table and the score
plot as Markdown metadata, and the best score as a float so Dagster charts it across runs.
"""

import json
from typing import Any

import dagster as dg

from assets.metadata import shown
from assets.versions import code_version
from pipelines.features import PreparedFeatures
from pipelines.sections import inline_markdown
from pipelines.spec import PipelineSpec
from pipelines.tuning import TuningResult, tune, tuning_section


def tuning_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/tuning`: k-fold CV over `spec.tuning.grid` on the train rows of `normalized`."""
    grid = ", ".join(f"{k} ∈ {v}" for k, v in spec.tuning.grid.items())

    @dg.asset(
        key=[spec.name, "tuning"],
        group_name=spec.name,
        ins={"normalized": dg.AssetIn(key=[spec.name, "normalized"])},
        io_manager_key="tuning_io",
        code_version=code_version(spec.model, spec.tuning),
        description=f"{spec.tuning.cv}-fold cross-validated grid search of {spec.algorithm} "
        f"over {grid}; the best parameters go to {spec.name}/model.",
        kinds={"numpy"},
    )
    def tuning(
        context: dg.AssetExecutionContext, normalized: PreparedFeatures
    ) -> dg.Output[TuningResult]:
        result = tune(spec, normalized.frame)
        if result.sorted_target:
            context.log.warning(result.sorted_target)
        best: dict[str, Any] = json.loads(json.dumps(result.best_params, default=str))
        return dg.Output(
            result,
            metadata={
                "best_params": dg.MetadataValue.json(best),
                "best_score": dg.MetadataValue.float(shown(result.best_score)),
                "grid_points": len(result.params),
                "report": dg.MetadataValue.md(inline_markdown(tuning_section(spec, result))),
            },
        )

    return tuning
