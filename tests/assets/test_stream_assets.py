"""A streamed pipeline materialized in process: every step, the stored parts, the check, the
metrics against the in-memory pipeline on the same rows, and validation stopping the run."""

from __future__ import annotations

import json

import dagster as dg
import polars as pl
import pytest

from pipelines.bundle import ModelBundle
from pipelines.evaluation import evaluate
from pipelines.features import prepare
from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.streaming.batches import parts
from tests.assets.helpers import check_results, make_spec, materialize_group, materialized_keys

STREAMED = {
    "split": {"test_fraction": 0.25, "seed": 42, "by": "hash"},
    "model": {
        "algorithm": "delta_rule",
        "params": {"learning_rate": 0.01, "epochs": 1, "fit_intercept": True, "random_state": 0},
    },
    "evaluation": {"metrics": ["accuracy", "f1"], "promote_if": {"accuracy": ">= 0.7"}},
}


def _parquet_spec(tmp_path, posts: pl.DataFrame, **changes):
    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(3):
        posts.slice(i * 1_000, 1_000).write_parquet(folder / f"posts-{i}.parquet")
    source = {"parquet": str(folder / "*.parquet"), "stream": {"batch_rows": 400, "epochs": 1}}
    return make_spec("viral_posts", source=source, **STREAMED, **changes)


def test_a_streamed_parquet_pipeline_runs_end_to_end_like_the_in_memory_one(
    trainyard_home, tmp_path
):
    posts = generate_viral_posts(3_000, 7)
    spec = _parquet_spec(tmp_path, posts)
    base = tmp_path / "artifacts"
    result = materialize_group(spec, base, dg.DagsterInstance.ephemeral())
    assert result.success
    stages = ["raw", "validated", "normalized", "model", "evaluation", "champion"]
    assert materialized_keys(result) == {f"viral_posts/{s}" for s in stages}
    assert check_results(result) == {"schema": True, "promotion_gate": True}
    raw = json.loads((base / "viral_posts" / "raw.json").read_text())
    assert raw["rows"] == 3_000 and len(raw["files"]) == 3
    stored = parts(base / "viral_posts" / "validated")
    assert [pl.scan_parquet(p).select(pl.len()).collect().item() for p in stored] == [400] * 7 + [
        200
    ]
    assert not list(base.glob(".viral_posts-*"))  # no staging folder left behind
    evaluation = json.loads((base / "viral_posts" / "evaluation.json").read_text())
    memory_spec = make_spec("viral_posts", **STREAMED)
    bundle = ModelBundle.load(base / "viral_posts" / "model")
    memory = evaluate(memory_spec, bundle, prepare(posts, memory_spec).frame)
    assert evaluation["metrics"] == pytest.approx(memory.metrics, rel=1e-12)
    report = (trainyard_home / "reports" / "viral_posts" / "report.md").read_text()
    assert "## Streamed data" in report and "| rows read | 3000 |" in report


def test_bad_rows_in_one_batch_stop_the_run_and_store_nothing(trainyard_home, tmp_path):
    posts = generate_viral_posts(3_000, 7).with_columns(
        hour=pl.when(pl.int_range(pl.len()) == 2_500).then(99).otherwise(pl.col("hour"))
    )
    spec = _parquet_spec(tmp_path, posts)
    base = tmp_path / "artifacts"
    result = materialize_group(spec, base, dg.DagsterInstance.ephemeral())
    assert not result.success
    assert materialized_keys(result) == {"viral_posts/raw"}
    assert check_results(result) == {"schema": False}
    assert not (base / "viral_posts" / "validated").exists()
    assert not list(base.glob(".viral_posts-*"))


def test_quarantine_sets_rows_aside_batch_by_batch(trainyard_home, tmp_path):
    posts = generate_viral_posts(3_000, 7).with_columns(
        hour=pl.when(pl.int_range(pl.len()).is_in([10, 2_500])).then(99).otherwise(pl.col("hour"))
    )
    spec = _parquet_spec(tmp_path, posts, on_invalid="quarantine")
    base = tmp_path / "artifacts"
    result = materialize_group(spec, base, dg.DagsterInstance.ephemeral())
    assert result.success
    rejected = pl.concat(pl.read_parquet(p) for p in parts(base / "viral_posts" / "rejected"))
    assert rejected["where"].to_list() == ["row 10", "row 2500"]
    valid = sum(pl.read_parquet(p).height for p in parts(base / "viral_posts" / "validated"))
    assert valid == 2_998
    metadata = _metadata(result, "viral_posts/rejected")
    assert metadata["summary"].value == "2 of 3000 rows quarantined (0.1%, limit 5%)"
    assert [r.data["where"] for r in metadata["preview"].value.records] == ["row 10"]


def test_quarantine_with_nothing_to_set_aside_stores_no_rejected_part(trainyard_home, tmp_path):
    spec = _parquet_spec(tmp_path, generate_viral_posts(3_000, 7), on_invalid="quarantine")
    base = tmp_path / "artifacts"
    result = materialize_group(spec, base, dg.DagsterInstance.ephemeral())
    assert result.success
    assert parts(base / "viral_posts" / "rejected") == []
    assert _metadata(result, "viral_posts/rejected")["dagster/row_count"].value == 0


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    events = result.get_asset_materialization_events()
    [event] = [e for e in events if e.asset_key.to_user_string() == key]
    return event.materialization.metadata


def test_a_generated_source_is_written_as_parts_then_streamed(trainyard_home, tmp_path):
    source = {"generator": "viral_posts", "rows": 2_500, "seed": 3, "stream": {"batch_rows": 1_000}}
    spec = make_spec("viral_posts", source=source, **STREAMED)
    base = tmp_path / "artifacts"
    result = materialize_group(spec, base, dg.DagsterInstance.ephemeral())
    assert result.success
    assert "viral_posts/generated" in materialized_keys(result)
    heights = [pl.read_parquet(p).height for p in parts(base / "viral_posts" / "generated")]
    assert heights == [1_000, 1_000, 500]
