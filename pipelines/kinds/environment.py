"""Reinforcement-learning pipelines without Dagster: train an agent on the spec's environment
and score its greedy policy over seeded episodes beside a uniformly random policy (the grid
drawings and the report: `pipelines.kinds.environment_report`).

Every random draw is seeded from the spec: the training environment's slips from the model's
`random_state`; evaluation episode i's slips (the same for both policies) and the random
policy's moves from `evaluation.seed`, each on its own independent stream.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from algorithms.metrics import get_metric
from algorithms.reinforcement import Episode, GridWorld, play
from pipelines.bundle import AgentBundle
from pipelines.evaluation_result import Evaluation
from pipelines.kinds.environment_report import summary
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.sections import SectionBuilder
from pipelines.task_sections import task_section
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


def random_policy(rng: np.random.Generator, n_actions: int) -> Callable[[int], int]:
    """A policy that ignores the state and picks one of `n_actions` uniformly with `rng`."""
    return lambda _state: int(rng.integers(n_actions))


# What each policy metric of `algorithms.metrics` is computed from: one value per episode.
_EPISODE_VALUES: dict[str, Callable[[Episode], Any]] = {
    "success_rate": lambda e: e.reached_goal,
    "mean_return": lambda e: e.episode_return,
    "mean_steps": lambda e: e.steps,
}


def episode_metrics(episodes: Sequence[Episode], names: Sequence[str]) -> dict[str, float]:
    """The named policy metrics (success_rate, mean_return, mean_steps) of some episodes."""
    return {
        name: float(get_metric(name).function([_EPISODE_VALUES[name](e) for e in episodes]))
        for name in names
    }


def scored_on(episodes: int, slip: float) -> str:
    """Where a policy's metrics come from, in words."""
    return f"{episodes} seeded episodes (slip {slip:g})"


def evaluate_policy(spec: ReinforcementSpec, bundle: AgentBundle) -> Evaluation:
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
    names = spec.metric_names()
    metrics, baseline = episode_metrics(greedy, names), episode_metrics(random, names)
    still = bundle.world(slip=0.0)
    path = [still.cell_of(s) for s in agent.greedy_path(still)]
    return Evaluation(
        task=spec.task.name,
        scored_on=scored_on(settings.episodes, world.slip),
        n_scored=settings.episodes,
        metrics=metrics,
        baseline=baseline,
        headline=spec.headline,
        headline_value=metrics[spec.headline],
        details={
            "episodes": settings.episodes,
            "slip": world.slip,
            "greedy_path": [list(cell) for cell in path],
            "greedy_steps": len(path) - 1,
            "greedy_reaches_goal": path[-1] == still.goal,
            "shortest_path_length": len(still.shortest_path()) - 1,
        },
    )


def report_sections(
    spec: ReinforcementSpec, bundle: AgentBundle, evaluation: Evaluation
) -> list[SectionBuilder]:
    """The report of an environment pipeline: the summary, then the reinforcement task's
    sections (environment, training, greedy policy)."""
    return [
        lambda: summary(spec, bundle, evaluation),
        lambda: task_section(spec, bundle, evaluation),
    ]
