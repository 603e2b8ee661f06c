"""The spec of an environment pipeline (reinforcement learning): an environment, no data.

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
start, unless the spec is loaded for its data only (`DATA_ONLY`: building imports
scikit-learn's parameter checks). The model must be a registered algorithm of the
"reinforcement" task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from algorithms.tasks import REINFORCEMENT, Task
from pipelines.spec_base import Gate, ModelSpec, SpecBase, Strict, check_fits_task, for_data_only

if TYPE_CHECKING:
    from algorithms.gridworld import GridWorld

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
    def _buildable_and_solvable(self, info: ValidationInfo) -> GridWorldSpec:
        if for_data_only(info):
            return self
        world = self.build()
        if world.shortest_path() is None:
            raise ValueError(
                f"goal {world.goal} cannot be reached from start {world.start} around the walls"
            )
        return self

    def build(self, random_state: Any = None) -> GridWorld:
        """The GridWorld this section declares, its slips seeded by `random_state`."""
        from algorithms.gridworld import GridWorld

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

    `promote_if` conditions name the metrics of the reinforcement task: success_rate (share
    of episodes that reach the goal; higher is better), mean_return (mean summed reward;
    higher is better) or mean_steps (mean moves per episode; lower is better).
    """

    episodes: int = Field(default=100, ge=1)
    seed: int = 0
    promote_if: Gate = Field(default_factory=dict)


class ReinforcementSpec(SpecBase):
    """An environment pipeline: environment → trained agent → policy evaluation → gated
    champion. Its metrics are always the reinforcement task's (success_rate, mean_return,
    mean_steps)."""

    kind: ClassVar[str] = "environment"
    declared_by: ClassVar[str] = "environment"
    tasks: ClassVar[tuple[Task, ...]] = (REINFORCEMENT,)
    how_to_declare: ClassVar[str] = (
        "an environment pipeline declares an `environment:` (e.g. {gridworld: {...}}) instead "
        "of `source:`, `schema:`, `features:`, `target:` and `split:`"
    )

    model_label: ClassVar[str] = "greedy"
    baseline_label: ClassVar[str] = "random policy"

    environment: EnvironmentSpec
    model: ModelSpec
    evaluation: PolicyEvaluationSpec = Field(default_factory=PolicyEvaluationSpec)

    @field_validator("model")
    @classmethod
    def _trained_by_this_kind(cls, model: ModelSpec) -> ModelSpec:
        return cls.check_model_task(model)

    @model_validator(mode="after")
    def _gate_fits_the_task(self) -> ReinforcementSpec:
        check_fits_task(self.task, "evaluation.promote_if", self.evaluation.promote_if)
        return self

    def scoring_words(self, evaluation: Any) -> str:
        """What the policy evaluation scored, for the CLI's summary."""
        return f"greedy policy over {evaluation.scored_on}"

    def summary_notes(self, evaluation: Any) -> list[str]:
        """Where the slip-free greedy walk ends, beside the shortest path."""
        details = evaluation.details
        reached = (
            "reaches the goal" if details["greedy_reaches_goal"] else "does NOT reach the goal"
        )
        return [
            f"greedy walk without slips: {reached} in {details['greedy_steps']} moves "
            f"(shortest path {details['shortest_path_length']})"
        ]
