"""Training, policy evaluation, agent bundles and the report of an environment pipeline."""

import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pipelines.bundle import ModelBundle
from pipelines.evaluation_result import Evaluation
from pipelines.gate import GateResult, decide_promotion, not_worse
from pipelines.kinds.environment import (
    AgentBundle,
    evaluate_policy,
    random_policy,
    report_sections,
    train_agent,
)
from pipelines.kinds.environment_report import grid_text
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.report import write_report

UP, RIGHT, DOWN, LEFT = range(4)


def small_spec(slip: float = 0.0, **evaluation) -> ReinforcementSpec:
    """A 4 × 4 world with a wall line open at the right end: 9 moves from start to goal."""
    return ReinforcementSpec.model_validate(
        {
            "name": "small",
            "description": "A small test world.",
            "environment": {
                "gridworld": {
                    "size": [4, 4],
                    "walls": [[1, 0], [1, 1], [1, 2]],
                    "start": [0, 0],
                    "goal": [3, 0],
                    "max_steps": 30,
                    "slip": slip,
                }
            },
            "model": {
                "algorithm": "q_learning",
                "params": {"learning_rate": 0.5, "n_episodes": 300, "random_state": 0},
            },
            "evaluation": {"episodes": 50, "seed": 3, **evaluation},
        }
    )


def trained(spec: ReinforcementSpec) -> AgentBundle:
    return train_agent(spec, spec.environment.build())


def test_greedy_policy_solves_a_deterministic_world_on_the_shortest_path():
    spec = small_spec()
    result = evaluate_policy(spec, trained(spec))
    # 9 moves: 8 steps at -1 and the goal's +10.
    assert result.metrics == {"success_rate": 1.0, "mean_return": 2.0, "mean_steps": 9.0}
    assert result.baseline["success_rate"] < 1.0
    assert result.baseline["mean_return"] < result.metrics["mean_return"]
    assert result.baseline["mean_steps"] > 9.0
    details = result.details
    assert details["greedy_reaches_goal"]
    assert details["greedy_steps"] == details["shortest_path_length"] == 9
    assert details["greedy_path"][0] == [0, 0] and details["greedy_path"][-1] == [3, 0]
    assert result.headline == "success_rate" and result.headline_value == 1.0
    assert result.scored_on == "50 seeded episodes (slip 0)" and result.n_scored == 50
    assert result.task == "reinforcement"


def test_slippery_evaluation_is_seeded_and_costs_moves():
    spec = small_spec(slip=0.2)
    bundle = trained(spec)
    first, again = evaluate_policy(spec, bundle), evaluate_policy(spec, bundle)
    assert first == again
    other = evaluate_policy(small_spec(slip=0.2, seed=4), bundle)
    assert other.metrics != first.metrics
    assert first.metrics["success_rate"] >= 0.9
    assert first.metrics["mean_steps"] > 9.0  # slips cost moves
    assert first.baseline["success_rate"] < first.metrics["success_rate"]


def test_training_is_reproducible_and_seeded_by_the_model():
    spec = small_spec(slip=0.2)
    one, two = trained(spec), trained(spec)
    assert_array_equal(one.agent.q_table_, two.agent.q_table_)
    assert one.environment == spec.environment.build().to_dict()
    assert one.spec_hash == spec.spec_hash() and one.params["n_episodes"] == 300


def test_agent_bundle_round_trip_and_errors(tmp_path):
    spec = small_spec()
    bundle = trained(spec)
    bundle.save(tmp_path / "agent")
    files = {p.name for p in (tmp_path / "agent").iterdir()}
    assert files == {"bundle.json", "estimator.json", "estimator.npz"}
    loaded = AgentBundle.load(tmp_path / "agent")
    assert_array_equal(loaded.agent.q_table_, bundle.agent.q_table_)
    assert (loaded.pipeline, loaded.algorithm) == ("small", "q_learning")
    assert loaded.spec_hash == spec.spec_hash()
    assert loaded.environment == bundle.environment and loaded.params == bundle.params
    with pytest.raises(ValueError, match="missing.*bundle.json: the file is missing"):
        AgentBundle.load(tmp_path / "missing")
    with pytest.raises(ValueError, match="bundle.json: kind: kind 'agent', expected model"):
        ModelBundle.load(tmp_path / "agent")
    manifest = tmp_path / "agent" / "bundle.json"
    wider = json.loads(manifest.read_text())
    wider["environment"]["size"] = [4, 5]
    manifest.write_text(json.dumps(wider))
    with pytest.raises(ValueError, match=r"estimator.npz: q_table_: shape \(16, 4\), .* \(20, 4\)"):
        AgentBundle.load(tmp_path / "agent")
    manifest.write_text("{")
    with pytest.raises(ValueError, match="agent/bundle.json: not JSON"):
        AgentBundle.load(tmp_path / "agent")


def test_policy_evaluation_round_trips_through_json_types():
    spec = small_spec()
    result = evaluate_policy(spec, trained(spec))
    assert Evaluation.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_random_policy_draws_legal_actions():
    choose = random_policy(np.random.default_rng(0), 4)
    assert {choose(0) for _ in range(50)} == {0, 1, 2, 3}


def test_grid_text_marks_walls_start_goal_and_path():
    world = small_spec().environment.build()
    assert grid_text(world, world.shortest_path()).splitlines() == [
        "S * * *",
        "# # # *",
        ". . . *",
        "G * * *",
    ]
    assert grid_text(world).splitlines()[2:] == [". . . .", "G . . ."]


def test_report_files_are_written_whole_and_deterministic(tmp_path):
    spec = small_spec(slip=0.1)
    bundle = trained(spec)
    result = evaluate_policy(spec, bundle)
    report = write_report(tmp_path / "r", report_sections(spec, bundle, result))
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["environment.png", "policy.png", "report.md", "rewards.png"]
    text = report.path.read_text()
    assert text == report.markdown
    assert "| success_rate |" in text and "uniformly random policy" in text
    assert "![Greedy policy and its path](policy.png)" in text
    assert f"reaches the goal in {result.details['greedy_steps']} moves" in text
    first = {n: (tmp_path / "r" / n).read_bytes() for n in names}
    write_report(tmp_path / "r", report_sections(spec, bundle, result))
    assert {n: (tmp_path / "r" / n).read_bytes() for n in names} == first


def test_gate_takes_the_policy_metric_directions_from_the_metric_table():
    assert not_worse(20.0, 22.0, "mean_steps").passed
    assert not_worse(23.0, 22.0, "mean_steps").reasons == (
        "mean_steps 23 vs champion 22 (lower is better): fail",
    )
    assert not not_worse(0.7, 0.8, "success_rate").passed
    spec = small_spec(promote_if={"mean_steps": "<= 12"})
    result = evaluate_policy(spec, trained(spec))
    assert result.headline == "mean_steps" and result.headline_value == 9.0
    promoted = decide_promotion(spec, result, {"mean_steps": 10.0})
    assert promoted == GateResult(
        True,
        ("mean_steps 9 <= 12: pass", "mean_steps 9 vs champion 10 (lower is better): pass"),
    )
    assert not decide_promotion(spec, result, {"mean_steps": 8.0}).passed
