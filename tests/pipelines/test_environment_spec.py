"""The environment spec: the shipped gridworld loads; each bad spec names the field."""

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.paths import SPECS_DIR
from pipelines.spec import PipelineSpec, SpecError, load_spec, load_specs

SHIPPED = yaml.safe_load((SPECS_DIR / "gridworld.yaml").read_text())


def _load_changed(tmp_path: Path, change: Callable[[dict], None]) -> str:
    """Write the shipped gridworld spec with `change` applied; return load_spec's error."""
    spec = yaml.safe_load(yaml.safe_dump(SHIPPED))
    change(spec)
    path = tmp_path / "gridworld.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message
    return message


def _grid(spec: dict) -> dict:
    return spec["environment"]["gridworld"]


def test_shipped_gridworld_spec_loads_as_an_environment_spec():
    spec = load_specs()["gridworld"]
    assert isinstance(spec, ReinforcementSpec)
    assert spec.algorithm == "q_learning" and list(spec.trained_models()) == ["model"]
    assert spec.headline == "success_rate" and spec.evaluation.episodes == 100
    assert spec.schedule == "0 6 * * 1"
    world = spec.environment.build()
    assert world.size == (6, 6) and len(world.walls) == 10 and world.slip == 0.1
    assert len(world.shortest_path()) - 1 == 20
    assert spec.spec_hash() == load_spec(SPECS_DIR / "gridworld.yaml").spec_hash()
    assert spec.spec_hash() != spec.model_copy(update={"schedule": None}).spec_hash()
    assert spec.metric_names() == ["success_rate", "mean_return", "mean_steps"]


def test_load_specs_returns_both_kinds():
    kinds = {type(spec) for spec in load_specs().values()}
    assert kinds == {PipelineSpec, ReinforcementSpec}


def test_wall_outside_the_grid(tmp_path):
    message = _load_changed(tmp_path, lambda s: _grid(s)["walls"].append([9, 1]))
    assert "environment.gridworld: a wall (9, 1) lies outside the (6, 6) grid" in message


def test_start_on_a_wall(tmp_path):
    message = _load_changed(tmp_path, lambda s: _grid(s).update(start=[2, 0]))
    assert "environment.gridworld: start (2, 0) is a wall" in message


def test_unreachable_goal(tmp_path):
    message = _load_changed(tmp_path, lambda s: _grid(s)["walls"].append([2, 5]))
    assert (
        "environment.gridworld: goal (5, 5) cannot be reached from start (0, 0) around the walls"
        in message
    )


def test_bad_cell_and_slip_types(tmp_path):
    message = _load_changed(tmp_path, lambda s: _grid(s).update(goal=[5, 5.5], slip=2))
    assert "environment.gridworld.goal.1: Input should be a valid integer" in message
    assert "environment.gridworld.slip: Input should be less than or equal to 1" in message


def test_unknown_keys(tmp_path):
    message = _load_changed(tmp_path, lambda s: _grid(s).update(wind=0.3))
    assert "environment.gridworld.wind: Extra inputs are not permitted" in message
    message = _load_changed(tmp_path, lambda s: s.update(environment={"cartpole": {}}))
    assert "environment: expected exactly one environment kind: {gridworld: {size" in message
    assert "got cartpole" in message
    message = _load_changed(tmp_path, lambda s: s.update(target="y"))
    assert "target: Extra inputs are not permitted" in message


def test_both_source_and_environment(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(source={"csv": "data/x.csv"}))
    assert "declares both `source:` (the table kind) and `environment:` (the environment kind)" in (
        message
    )


def test_a_table_algorithm_in_an_environment_spec(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(model={"algorithm": "ridge"}))
    assert (
        "model: 'ridge' is a regression algorithm, but environment pipelines train "
        "reinforcement algorithms; a table pipeline declares `source:`, `schema:`" in message
    )


def test_a_reinforcement_algorithm_in_a_table_spec(tmp_path):
    table = yaml.safe_load((SPECS_DIR / "viral_posts.yaml").read_text())
    table["model"] = {"algorithm": "q_learning", "params": {"n_episodes": 10}}
    path = tmp_path / "viral_posts.yaml"
    path.write_text(yaml.safe_dump(table))
    with pytest.raises(SpecError, match="model: 'q_learning' is a reinforcement algorithm") as info:
        load_spec(path)
    assert "but table pipelines train classification, regression or clustering" in str(info.value)
    assert "an environment pipeline declares an `environment:`" in str(info.value)
    table["model"] = None
    table["candidates"] = {"agent": {"algorithm": "q_learning"}}
    table["evaluation"] = {}
    path.write_text(yaml.safe_dump(table))
    with pytest.raises(SpecError, match="candidates: 'q_learning' is a reinforcement algorithm"):
        load_spec(path)


def test_bad_model_params(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["model"]["params"].update(gamma=0.9))
    assert "model: unknown parameter(s) gamma for algorithm 'q_learning'" in message
    assert "discount" in message


def test_bad_promote_if(tmp_path):
    message = _load_changed(
        tmp_path, lambda s: s["evaluation"].update(promote_if={"accuracy": ">= 0.9"})
    )
    assert (
        "evaluation.promote_if: metric 'accuracy' does not fit the reinforcement task; "
        "its metrics: mean_return, mean_steps, success_rate" in message
    )
    message = _load_changed(
        tmp_path, lambda s: s["evaluation"].update(promote_if={"mean_steps": "at most 30"})
    )
    assert "expected a comparison like '>= 0.8', got 'at most 30'" in message


def test_headline_is_the_first_gate_metric():
    spec = ReinforcementSpec.model_validate(
        SHIPPED | {"evaluation": {"promote_if": {"mean_steps": "<= 30", "success_rate": "> 0"}}}
    )
    assert spec.headline == "mean_steps"
    assert ReinforcementSpec.model_validate(SHIPPED | {"evaluation": {}}).headline == (
        "success_rate"
    )


def test_bad_schedule(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(schedule="weekly"))
    assert "schedule: expected a 5-field cron string like '0 6 * * 1', got 'weekly'" in message
