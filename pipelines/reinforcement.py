"""Reinforcement-learning pipelines without Dagster: train an agent on the spec's environment
and score its greedy policy over seeded episodes beside a uniformly random policy (the grid
drawings and the report: `pipelines.policy_report`).

Every random draw is seeded from the spec: the training environment's slips from the model's
`random_state`; evaluation episode i's slips (the same for both policies) and the random
policy's moves from `evaluation.seed`, each on its own independent stream.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from algorithms.reinforcement import Episode, GridWorld, play
from pipelines.bundle import AgentBundle
from pipelines.reinforcement_spec import ReinforcementSpec
from pipelines.training import build_estimator

# Spawn keys of the independent random streams (numpy SeedSequence).
_TRAINING_SLIPS, _EPISODE_SLIPS, _RANDOM_MOVES = 0, 1, 2


def _stream(seed: int | None, *key: int) -> np.random.SeedSequence:
    """The independent random stream `key` of `seed` (fresh entropy when seed is None)."""
    return np.random.SeedSequence(seed, spawn_key=key)


def train_agent(
    spec: ReinforcementSpec,
    environment: GridWorld,
    on_episode: Callable[[int, float, int], None] | None = None,
    overrides: dict[str, Any] | None = None,
) -> AgentBundle:
    """Fit the spec's agent (built through the registry, params = spec's ∪ `overrides`) on a
    seeded copy of `environment`; `on_episode(episode, return, moves)` after each episode."""
    agent = build_estimator(spec.model, overrides)
    seed = agent.get_params().get("random_state")
    world = GridWorld.from_dict(environment.to_dict(), random_state=_stream(seed, _TRAINING_SLIPS))
    agent.fit(world, on_episode=on_episode)
    return AgentBundle(
        pipeline=spec.name,
        algorithm=spec.algorithm,
        estimator=agent,
        environment=environment.to_dict(),
        spec_hash=spec.spec_hash(),
        params=agent.get_params(deep=False),
    )


@dataclass(frozen=True)
class PolicyEvaluation:
    """Metrics of the greedy policy and of a uniformly random one over the same episodes.

    `metrics`/`baseline`: success_rate (share of episodes that reach the goal), mean_return
    (mean summed reward) and mean_steps (mean moves; a failed episode counts all max_steps).
    `headline` is the metric the champion gate compares. `greedy_path` holds the [row, col]
    cells the greedy policy visits when no move slips; `shortest_path_length` is the
    breadth-first-search optimum in moves.
    """

    metrics: dict[str, float]
    baseline: dict[str, float]
    episodes: int
    slip: float
    headline: str
    headline_value: float
    greedy_path: list[list[int]]
    greedy_reaches_goal: bool
    shortest_path_length: int

    @property
    def scored_on(self) -> str:
        """Where the metrics come from, in words."""
        return f"{self.episodes} seeded episodes (slip {self.slip:g})"

    @property
    def greedy_steps(self) -> int:
        """Moves of the slip-free greedy walk."""
        return len(self.greedy_path) - 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-able plain types; `from_dict` inverts it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyEvaluation:
        """The evaluation of a `to_dict()` mapping."""
        return cls(**data)


def random_policy(rng: np.random.Generator, n_actions: int) -> Callable[[int], int]:
    """A policy that ignores the state and picks one of `n_actions` uniformly with `rng`."""
    return lambda _state: int(rng.integers(n_actions))


def episode_metrics(episodes: Sequence[Episode]) -> dict[str, float]:
    """success_rate, mean_return and mean_steps of some episodes."""
    return {
        "success_rate": float(np.mean([e.reached_goal for e in episodes])),
        "mean_return": float(np.mean([e.episode_return for e in episodes])),
        "mean_steps": float(np.mean([e.steps for e in episodes])),
    }


def evaluate_policy(spec: ReinforcementSpec, bundle: AgentBundle) -> PolicyEvaluation:
    """The greedy policy and a uniformly random one over `evaluation.episodes` episodes,
    episode i with the same slip seed for both."""
    settings = spec.evaluation
    world = bundle.world()
    agent = bundle.agent
    greedy, random = [], []
    for i in range(settings.episodes):
        slips = _stream(settings.seed, _EPISODE_SLIPS, i)
        greedy.append(play(world, agent.act, slips))
        moves = np.random.default_rng(_stream(settings.seed, _RANDOM_MOVES, i))
        random.append(play(world, random_policy(moves, world.n_actions), slips))
    metrics, baseline = episode_metrics(greedy), episode_metrics(random)
    still = bundle.world(slip=0.0)
    path = [still.cell_of(s) for s in agent.greedy_path(still)]
    return PolicyEvaluation(
        metrics=metrics,
        baseline=baseline,
        episodes=settings.episodes,
        slip=world.slip,
        headline=spec.headline,
        headline_value=metrics[spec.headline],
        greedy_path=[list(cell) for cell in path],
        greedy_reaches_goal=path[-1] == still.goal,
        shortest_path_length=len(still.shortest_path()) - 1,
    )
