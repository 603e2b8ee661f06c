"""Materialize one pipeline on the persistent instance and print its evaluation summary."""

from __future__ import annotations

import sys
from functools import cache

import dagster as dg

from assets.instance import persistent_instance
from pipelines.evaluation import Evaluation
from pipelines.paths import reports_dir
from pipelines.spec import PipelineSpec


@cache
def _definitions() -> dg.Definitions:
    from assets.definitions import defs

    return defs


def materialize_pipeline(spec: PipelineSpec) -> dg.ExecuteInProcessResult:
    """Run `<p>_retrain` in process with progress lines, recorded in the persistent instance."""
    job = _definitions().resolve_job_def(f"{spec.name}_retrain")
    return job.execute_in_process(
        instance=persistent_instance(),
        run_config={"loggers": {"progress": {}}},
        raise_on_error=False,
        tags={"trainyard/source": "cli"},
    )


def format_summary(spec: PipelineSpec, evaluation: Evaluation) -> str:
    """The evaluation as a small text table: model beside baseline and comparisons."""
    if evaluation.candidates:
        columns = {
            (f"*{name}" if name == evaluation.candidate else name): values
            for name, values in evaluation.candidates.items()
        }
        title = f"{len(columns)} candidates, chosen (*): {evaluation.candidate}"
    else:
        columns = {"model": evaluation.metrics}
        title = spec.algorithm
    columns |= {"baseline": evaluation.baseline} | evaluation.comparisons
    width = max(16, *(len(c) + 2 for c in columns))
    lines = [
        f"{spec.name}: {title}, scored on the {evaluation.scored_on} ({evaluation.n_scored} rows)",
        "  " + f"{'metric':<12}" + "".join(f"{c:>{width}}" for c in columns),
    ]
    for metric in evaluation.metrics:
        cells = "".join(
            f"{values.get(metric, float('nan')):>{width}.4f}" for values in columns.values()
        )
        lines.append(f"  {metric:<12}{cells}")
    lines.append(f"  report: {reports_dir(spec.name) / 'report.md'}")
    return "\n".join(lines)


def run_pipeline(spec: PipelineSpec) -> bool:
    """Materialize and print; False (with the error already shown) when the run failed."""
    print(f"▶ {spec.name}", file=sys.stderr, flush=True)
    result = materialize_pipeline(spec)
    evaluation_key = dg.AssetKey([spec.name, "evaluation"])
    if any(e.asset_key == evaluation_key for e in result.get_asset_materialization_events()):
        print(format_summary(spec, result.asset_value(evaluation_key)), flush=True)
    if result.success:
        print(f"  champion: promoted ({spec.name}/champion updated)\n", flush=True)
        return True
    print(f"  run {result.run_id} failed; see `trainyard ui` for the full log\n", flush=True)
    return False
