"""The spec of a reinforcement-learning pipeline: an environment instead of a data source.

```yaml
name: gridworld
description: ...
environment:
  gridworld: {size: [6, 6], walls: [[2, 0], [2, 1]], start: [0, 0], goal: [5, 5],
              step_reward: -1.0, goal_reward: 10.0, wall_reward: -1.0, max_steps: 60, slip: 0.1}
model: {algorithm: q_learning, params: {learning_rate: 0.5, random_state: 0}}
evaluation: {episodes: 100, seed: 0, promote_if: {success_rate: ">= 0.95"}}
schedule: "0 6 * * 1"
```

The environment is checked by building it (so a wall off the grid or a start on a wall is an
error naming the field) and by a breadth-first search that the goal can be reached from the
start. The model must be a registered algorithm of the "reinforcement" task.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import Field, field_validator, model_validator

from algorithms.registry import algorithm_names, get_algorithm
from algorithms.reinforcement import GridWorld
from algorithms.tasks import REINFORCEMENT
from pipelines.spec_base import NAME_PATTERN, ModelSpec, Strict, check_cron, check_gate_conditions

# The metrics of a policy evaluation, each with whether a higher value is better.
METRIC_DIRECTIONS: dict[str, bool] = {
    "success_rate": True,
    "mean_return": True,
    "mean_steps": False,
}

Cell = tuple[int, int]


class GridWorldSpec(Strict):
    """The arguments of `algorithms.GridWorld`: cells are [row, col], row 0 at the top."""

    size: Cell
    walls: list[Cell] = Field(default_factory=list)
    start: Cell
    goal: Cell
    step_reward: float = -1.0
    goal_reward: float = 10.0
    wall_reward: float = -1.0
    max_steps: int = Field(default=100, ge=1)
    slip: float = Field(default=0.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _buildable_and_solvable(self) -> GridWorldSpec:
        world = self.build()
        if world.shortest_path() is None:
            raise ValueError(
                f"goal {world.goal} cannot be reached from start {world.start} around the walls"
            )
        return self

    def build(self, random_state: Any = None) -> GridWorld:
        """The GridWorld this section declares, its slips seeded by `random_state`."""
        return GridWorld(**self.model_dump(), random_state=random_state)


ENVIRONMENT_KINDS = {"gridworld": GridWorldSpec}


class EnvironmentSpec(Strict):
    """Exactly one environment kind and its settings (so far: `gridworld`)."""

    gridworld: GridWorldSpec

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        kinds = list(value) if isinstance(value, dict) else []
        if len(kinds) != 1 or kinds[0] not in ENVIRONMENT_KINDS:
            raise ValueError(
                "expected exactly one environment kind: {gridworld: {size, walls, start, goal, "
                "step_reward, goal_reward, wall_reward, max_steps, slip}}; "
                f"got {', '.join(map(str, kinds)) or repr(value)}"
            )
        return value

    def build(self, random_state: Any = None) -> GridWorld:
        """A fresh environment of the declared kind, its random draws seeded by `random_state`."""
        return self.gridworld.build(random_state)


class PolicyEvaluationSpec(Strict):
    """How the trained policy is scored: `episodes` seeded episodes (`seed`), and the gate.

    `promote_if` conditions name the metrics success_rate (share of episodes that reach the
    goal; higher is better), mean_return (mean summed reward; higher is better) or mean_steps
    (mean moves per episode; lower is better).
    """

    episodes: int = Field(default=100, ge=1)
    seed: int = 0
    promote_if: dict[str, str] = Field(default_factory=dict)

    @field_validator("promote_if")
    @classmethod
    def _gate_expressions(cls, gate: dict[str, str]) -> dict[str, str]:
        check_gate_conditions(gate, METRIC_DIRECTIONS)
        return gate


class ReinforcementSpec(Strict):
    """One pipeline: environment → trained agent → policy evaluation → gated champion."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str
    environment: EnvironmentSpec
    model: ModelSpec
    evaluation: PolicyEvaluationSpec = Field(default_factory=PolicyEvaluationSpec)
    schedule: str | None = None

    @field_validator("model")
    @classmethod
    def _reinforcement_algorithm(cls, model: ModelSpec) -> ModelSpec:
        if model.task is not REINFORCEMENT:
            learners = [n for n in algorithm_names() if get_algorithm(n).task is REINFORCEMENT]
            raise ValueError(
                f"'{model.algorithm}' is a {model.task.name} algorithm, which learns from a table; "
                f"an `environment:` pipeline needs a reinforcement algorithm: "
                f"{', '.join(learners)} (or declare `source:` and `schema:` for a table)"
            )
        return model

    @field_validator("schedule")
    @classmethod
    def _cron(cls, cron: str | None) -> str | None:
        return check_cron(cron)

    @property
    def algorithm(self) -> str:
        """The registry name of the agent's algorithm."""
        return self.model.algorithm

    @property
    def candidate_names(self) -> list[str]:
        """Always empty: a reinforcement pipeline trains one agent."""
        return []

    @property
    def headline(self) -> str:
        """The metric the champion is compared on: the first `promote_if` key, else
        success_rate."""
        return next(iter(self.evaluation.promote_if), "success_rate")

    def spec_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON: it changes exactly when the spec does."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()
