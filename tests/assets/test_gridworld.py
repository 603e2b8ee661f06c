"""The gridworld pipeline: its asset graph, a whole run, determinism and the promotion gate."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.factory import build_definitions
from pipelines.kinds.environment import AgentBundle
from tests.assets.helpers import (
    check_results,
    file_bytes,
    make_spec,
    materialize_group,
    materialized_keys,
)

STAGES = ["environment", "model", "evaluation", "champion"]
ALL = {f"gridworld/{stage}" for stage in STAGES}


def _graph(spec, tmp_path):
    return build_definitions({spec.name: spec}, base_dir=tmp_path).resolve_asset_graph()


def test_the_group_is_a_chain_of_four_assets_with_a_blocking_gate(tmp_path):
    spec = make_spec("gridworld")
    graph = _graph(spec, tmp_path)
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == ALL
    for upstream, downstream in zip(STAGES, STAGES[1:], strict=False):
        parents = graph.get(dg.AssetKey(["gridworld", downstream])).parent_keys
        assert dg.AssetKey(["gridworld", upstream]) in parents
    for stage in STAGES:
        node = graph.get(dg.AssetKey(["gridworld", stage]))
        assert node.group_name == "gridworld" and node.description
        assert node.code_version.startswith("1-")
    assert {k.name for k in graph.asset_check_keys} == {"promotion_gate"}


def test_retrain_job_and_stopped_schedule(tmp_path):
    spec = make_spec("gridworld")
    defs = build_definitions({spec.name: spec}, base_dir=tmp_path)
    job = defs.resolve_job_def("gridworld_retrain")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == ALL
    schedule = defs.resolve_schedule_def("gridworld_retrain_schedule")
    assert schedule.cron_schedule == "0 6 * * 1"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_code_versions_follow_the_spec_sections(tmp_path):
    base = make_spec("gridworld")
    shipped = base.model_dump(mode="json")
    more_episodes = shipped["evaluation"] | {"episodes": 200}
    changed = make_spec("gridworld", evaluation=more_episodes)

    def versions(spec):
        graph = _graph(spec, tmp_path)
        return {s: graph.get(dg.AssetKey(["gridworld", s])).code_version for s in STAGES}

    before, after = versions(base), versions(changed)
    assert before["evaluation"] != after["evaluation"]
    assert [before[s] for s in ("environment", "model", "champion")] == [
        after[s] for s in ("environment", "model", "champion")
    ]


@pytest.mark.slow
def test_gridworld_end_to_end(trainyard_home, tmp_path):
    spec = make_spec("gridworld")
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_group(spec, tmp_path / "a", instance)
    assert result.success
    assert materialized_keys(result) == ALL
    assert check_results(result) == {"promotion_gate": True}
    evaluation = result.asset_value(dg.AssetKey(["gridworld", "evaluation"]))
    assert evaluation.metrics["success_rate"] >= 0.9
    assert evaluation.baseline["success_rate"] < evaluation.metrics["success_rate"]
    assert evaluation.baseline["mean_return"] < evaluation.metrics["mean_return"]
    assert evaluation.details["greedy_reaches_goal"]
    assert evaluation.details["greedy_steps"] == evaluation.details["shortest_path_length"] == 20

    reports = trainyard_home / "reports" / "gridworld"
    report = (reports / "report.md").read_text()
    assert "![Greedy policy and its path](policy.png)" in report
    assert (reports / "policy.png").read_bytes().startswith(b"\x89PNG")
    assert {p.name for p in reports.iterdir()} == {
        "report.md",
        "environment.png",
        "rewards.png",
        "policy.png",
    }

    champion = AgentBundle.load(tmp_path / "a" / "gridworld" / "champion")
    assert champion.spec_hash == spec.spec_hash()
    event = instance.get_latest_materialization_event(dg.AssetKey(["gridworld", "evaluation"]))
    metadata = event.asset_materialization.metadata
    assert isinstance(metadata["success_rate"], dg.FloatMetadataValue)
    assert metadata["headline"].value == "success_rate"
    assert "data:image/png;base64," in metadata["report"].value
    environment = instance.get_latest_materialization_event(
        dg.AssetKey(["gridworld", "environment"])
    ).asset_materialization.metadata
    assert environment["shortest_path_length"].value == 20 and environment["walls"].value == 10
    model = instance.get_latest_materialization_event(
        dg.AssetKey(["gridworld", "model"])
    ).asset_materialization.metadata
    assert model["episodes"].value == 800
    assert model["mean_return_last_50"].value > model["mean_return_first_50"].value


@pytest.mark.slow
def test_two_runs_give_byte_identical_agents_and_reports(trainyard_home, tmp_path):
    spec = make_spec("gridworld")
    models, reports, evaluations = [], [], []
    for run in ("a", "b"):
        result = materialize_group(spec, tmp_path / run, dg.DagsterInstance.ephemeral())
        assert result.success
        models.append(file_bytes(tmp_path / run / "gridworld" / "model"))
        reports.append(file_bytes(trainyard_home / "reports" / "gridworld"))
        evaluations.append(result.asset_value(dg.AssetKey(["gridworld", "evaluation"])))
    assert models[0] == models[1] and models[0]
    assert reports[0] == reports[1]
    assert evaluations[0] == evaluations[1]


@pytest.mark.slow
def test_a_failed_gate_keeps_the_champion(trainyard_home, tmp_path):
    base, instance = tmp_path / "g", dg.DagsterInstance.ephemeral()
    shipped = make_spec("gridworld")
    assert materialize_group(shipped, base, instance).success
    champion = file_bytes(base / "gridworld" / "champion")
    evaluation = shipped.model_dump(mode="json")["evaluation"]

    impossible = make_spec(
        "gridworld", evaluation=evaluation | {"promote_if": {"success_rate": ">= 1.01"}}
    )
    result = materialize_group(impossible, base, instance)
    assert not result.success
    assert check_results(result) == {"promotion_gate": False}
    assert "gridworld/champion" not in materialized_keys(result)
    assert file_bytes(base / "gridworld" / "champion") == champion


@pytest.mark.slow
def test_a_worse_agent_is_not_promoted_over_the_champion(trainyard_home, tmp_path):
    base, instance = tmp_path / "w", dg.DagsterInstance.ephemeral()
    shipped = make_spec("gridworld")
    evaluation = shipped.model_dump(mode="json")["evaluation"]
    by_steps = evaluation | {"promote_if": {"mean_steps": "<= 60"}}
    assert materialize_group(make_spec("gridworld", evaluation=by_steps), base, instance).success
    champion = file_bytes(base / "gridworld" / "champion")

    model = shipped.model_dump(mode="json")["model"]
    hasty = model | {"params": model["params"] | {"n_episodes": 30}}
    result = materialize_group(
        make_spec("gridworld", evaluation=by_steps, model=hasty), base, instance
    )
    assert not result.success
    gate = next(e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION")
    reasons = gate.asset_check_evaluation_data.description
    assert "mean_steps" in reasons and "(lower is better): fail" in reasons
    assert file_bytes(base / "gridworld" / "champion") == champion


@pytest.mark.slow
def test_cli_runs_lists_shows_and_refuses_to_validate_a_file(trainyard_home, capsys):
    from assets.cli import main

    assert main(["run", "gridworld"]) == 0
    out, err = capsys.readouterr()
    assert "✓ gridworld/champion" in err
    assert "check promotion_gate on gridworld/champion: passed" in err
    assert "greedy policy over 100 seeded episodes (slip 0.1)" in out
    assert "reaches the goal in 20 moves (shortest path 20)" in out
    assert "success_rate            1.0000" in out

    assert main(["list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("gridworld "))
    assert "q_learning" in line and "success_rate 1.0000" in line and line.endswith("yes")

    assert main(["show", "gridworld"]) == 0
    shown = capsys.readouterr().out
    assert "scored on: 100 seeded episodes (slip 0.1)" in shown
    assert "baseline/success_rate" in shown and "report.md" in shown

    assert main(["validate", "gridworld", "data/iris.csv"]) == 1
    error = capsys.readouterr().err
    assert "gridworld learns from an environment, not from a data file" in error


def test_the_model_is_trained_by_the_registered_op_with_run_overrides(trainyard_home, tmp_path):
    spec = make_spec("gridworld")
    defs = build_definitions({spec.name: spec}, base_dir=tmp_path)
    job = defs.resolve_job_def("gridworld_retrain")
    overrides = {"params": {"n_episodes": 7}}
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        run_config={
            "ops": {"gridworld__model": {"ops": {"train_q_learning": {"config": overrides}}}}
        },
        raise_on_error=False,
        asset_selection=[
            dg.AssetKey(["gridworld", "environment"]),
            dg.AssetKey(["gridworld", "model"]),
        ],
    )
    assert result.success
    (model,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "model"
    ]
    metadata = model.materialization.metadata
    assert metadata["episodes"].value == 7
    assert metadata["overrides"].data == {"n_episodes": 7}
    assert AgentBundle.load(tmp_path / "gridworld" / "model").agent.episode_rewards_.shape == (7,)
