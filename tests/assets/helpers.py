"""Helpers for asset tests: specs derived from the shipped ones, and one-call materialization."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from assets.factory import build_definitions
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from pipelines.spec import PipelineSpec, spec_kind


def shipped_spec_dict(name: str) -> dict[str, Any]:
    """The YAML of a shipped spec as a plain dict, to modify in a test."""
    return yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text())


def make_spec(name: str, **changes: Any) -> PipelineSpec | ReinforcementSpec:
    """A shipped spec with top-level fields replaced (either kind of spec)."""
    data = shipped_spec_dict(name) | changes
    return spec_kind(data).model_validate(data)


def materialize_group(
    spec: PipelineSpec | ReinforcementSpec, base_dir: Path, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult:
    """Run the pipeline's retrain job against artifacts in `base_dir`."""
    defs = build_definitions({spec.name: spec}, base_dir=base_dir)
    job = defs.resolve_job_def(f"{spec.name}_retrain")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def materialized_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    """The asset keys (as 'a/b' strings) a run materialized."""
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """Check name → passed for every asset check the run evaluated."""
    events = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    return {
        e.asset_check_evaluation_data.asset_check_key.name: e.asset_check_evaluation_data.passed
        for e in events
    }


def file_bytes(directory: Path) -> dict[str, bytes]:
    """Every file below `directory` (relative path → bytes), to compare runs byte for byte."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def quarantine_spec(
    directory: Path, bad_posts: list[int], rows: int = 40, **changes: Any
) -> PipelineSpec:
    """`viral_posts_seed` on `rows` generated posts written to a CSV in `directory`, those with
    a post_id in `bad_posts` at hour -1, in quarantine mode (limit 5%) with a 40% split."""
    import polars as pl

    from pipelines.generators import get_generator

    columns = ["post_id", "hour", "content_length", "engagement_score", "viral"]
    frame = get_generator("viral_posts")(rows, 3).select(columns)
    bad = pl.col("post_id").is_in(bad_posts)
    frame = frame.with_columns(pl.when(bad).then(-1).otherwise(pl.col("hour")).alias("hour"))
    data = directory / "posts.csv"
    frame.write_csv(data)
    settings = {
        "source": {"csv": str(data)},
        "split": {"test_fraction": 0.4, "seed": 0},
        "on_invalid": "quarantine",
        "max_rejected_fraction": 0.05,
    }
    return make_spec("viral_posts_seed", **(settings | changes))


def run_python(code: str) -> subprocess.CompletedProcess:
    """`code` run by a fresh interpreter in the project, which can import its tests; output
    captured as text."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
