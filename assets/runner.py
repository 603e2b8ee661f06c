"""Materialize one pipeline on the persistent instance and print its evaluation summary."""

from __future__ import annotations

import sys
from functools import cache

import dagster as dg

from assets.instance import persistent_instance
from assets.recovery import recover, run_tags
from pipelines.evaluation import Evaluation
from pipelines.paths import artifacts_root, home, reports_dir
from pipelines.reinforcement import PolicyEvaluation
from pipelines.reinforcement_spec import ReinforcementSpec
from pipelines.spec import PipelineSpec


@cache
def _definitions(artifacts: str) -> dg.Definitions:
    """Every pipeline, its artifacts under `artifacts`: the root of the run being started
    (not of the first call in this process, which tests with several homes would reuse)."""
    from assets.factory import build_definitions
    from pipelines.spec import load_specs

    return build_definitions(load_specs(), base_dir=artifacts)


def materialize_pipeline(spec: PipelineSpec | ReinforcementSpec) -> dg.ExecuteInProcessResult:
    """Run `<p>_retrain` in process with progress lines, recorded in the persistent instance,
    after cleaning up what killed runs left (`assets.recovery`)."""
    job = _definitions(artifacts_root()).resolve_job_def(f"{spec.name}_retrain")
    instance = persistent_instance()
    for line in recover(instance, [artifacts_root(), home() / "reports"]):
        print(f"  {line}", file=sys.stderr, flush=True)
    return job.execute_in_process(
        instance=instance,
        run_config={"loggers": {"progress": {}}},
        raise_on_error=False,
        tags={"trainyard/source": "cli", **run_tags()},
    )


def format_summary(
    spec: PipelineSpec | ReinforcementSpec, evaluation: Evaluation | PolicyEvaluation
) -> str:
    """The evaluation as a small text table: model beside baseline and comparisons."""
    if isinstance(evaluation, PolicyEvaluation):
        return format_policy_summary(spec, evaluation)
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


def format_policy_summary(spec: ReinforcementSpec, evaluation: PolicyEvaluation) -> str:
    """A policy evaluation as a small text table: greedy beside random policy, and the walk."""
    width = 16
    lines = [
        f"{spec.name}: {spec.algorithm}, greedy policy over {evaluation.scored_on}",
        "  " + f"{'metric':<14}" + "".join(f"{c:>{width}}" for c in ("greedy", "random policy")),
    ]
    for metric, value in evaluation.metrics.items():
        baseline = evaluation.baseline[metric]
        lines.append(f"  {metric:<14}{value:>{width}.4f}{baseline:>{width}.4f}")
    reached = "reaches the goal" if evaluation.greedy_reaches_goal else "does NOT reach the goal"
    lines.append(
        f"  greedy walk without slips: {reached} in {evaluation.greedy_steps} moves "
        f"(shortest path {evaluation.shortest_path_length})"
    )
    lines.append(f"  report: {reports_dir(spec.name) / 'report.md'}")
    return "\n".join(lines)


def run_pipeline(spec: PipelineSpec | ReinforcementSpec) -> bool:
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
