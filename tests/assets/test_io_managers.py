"""Every IO manager and the report writer on an fsspec URL: whole pipelines materialized into
`memory://`."""

from __future__ import annotations

import uuid

import dagster as dg
import polars as pl
import pytest
from upath import UPath

from pipelines.bundle import AgentBundle, Bundle, ModelBundle
from tests.assets.helpers import check_results, make_spec, materialize_group, shipped_spec_dict


def _memory_root() -> str:
    return f"memory://trainyard-{uuid.uuid4().hex[:8]}"


def _files(root: UPath) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_table_pipeline_with_tuning_runs_on_a_memory_filesystem(trainyard_home, monkeypatch):
    root = _memory_root()
    monkeypatch.setenv("TRAINYARD_REPORTS", f"{root}/reports")
    spec = make_spec("diabetes")
    result = materialize_group(spec, root, dg.DagsterInstance.ephemeral())
    assert result.success and check_results(result) == {"schema": True, "promotion_gate": True}
    base = UPath(root) / "diabetes"
    assert {"raw.parquet", "validated.parquet", "normalized.parquet", "tuning.json"} <= _files(base)
    assert {"evaluation.json", "model/bundle.json", "champion/estimator.npz"} <= _files(base)
    assert not [p for p in UPath(root).rglob(".*")]
    champion = Bundle.load(base / "champion")
    assert isinstance(champion, ModelBundle) and champion.pipeline == "diabetes"
    report = UPath(root) / "reports" / "diabetes"
    assert (report / "report.md").read_text().startswith("# diabetes\n")
    assert "predicted_vs_actual.png" in _files(report)
    assert not (trainyard_home / "reports").exists()


@pytest.mark.slow
def test_candidates_and_an_agent_run_on_a_memory_filesystem(trainyard_home):
    root = _memory_root()
    listed = shipped_spec_dict("xor")["candidates"]
    xor = make_spec("xor", candidates=dict(reversed(listed.items())))
    result = materialize_group(xor, root, dg.DagsterInstance.ephemeral())
    assert result.success
    models = UPath(root) / "xor" / "model"
    assert {p.name for p in models.iterdir()} == set(xor.candidates)
    # Compared in name order whatever the spec's order (report tables and ties stay put).
    evaluation = result.asset_value(dg.AssetKey(["xor", "evaluation"]))
    assert list(evaluation.candidates) == sorted(listed)
    grid = make_spec("gridworld")
    assert materialize_group(grid, root, dg.DagsterInstance.ephemeral()).success
    agent = Bundle.load(UPath(root) / "gridworld" / "champion")
    assert isinstance(agent, AgentBundle) and agent.agent.q_table_.shape == (36, 4)
    assert "environment.json" in _files(UPath(root) / "gridworld")


def test_an_unpartitioned_reader_gets_every_partition_by_key_even_one():
    from assets.io_managers import ParquetIOManager

    batches = dg.DynamicPartitionsDefinition(name="batches")

    @dg.asset(partitions_def=batches, io_manager_key="parquet_io")
    def part(context) -> pl.DataFrame:
        return pl.DataFrame({"batch": [context.partition_key]})

    @dg.asset(partitions_def=batches, io_manager_key="parquet_io")
    def same_partition(part: pl.DataFrame) -> pl.DataFrame:
        return part

    seen = []

    @dg.asset
    def every(part) -> None:
        seen.append(part)

    root = _memory_root()
    resources = {"parquet_io": ParquetIOManager(base_path=UPath(root))}
    instance = dg.DagsterInstance.ephemeral()
    for keys in (["a.csv"], ["a.csv", "b.csv"]):
        instance.add_dynamic_partitions("batches", keys)
        for key in keys:
            done = dg.materialize(
                [part, same_partition], instance=instance, partition_key=key, resources=resources
            )
            assert done.asset_value("same_partition").equals(pl.DataFrame({"batch": [key]}))
        assert dg.materialize(
            [part, every], selection=[every], instance=instance, resources=resources
        ).success
    assert [sorted(frames) for frames in seen] == [["a.csv"], ["a.csv", "b.csv"]]
    assert seen[0]["a.csv"].item() == "a.csv"
    assert (UPath(root) / "part" / "b.csv.parquet").exists()
