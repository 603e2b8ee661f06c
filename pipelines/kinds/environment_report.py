"""The report sections of an environment pipeline: the policy's scores beside a uniformly
random policy, the grid drawn (walls, start, goal, the greedy policy's arrows and path) and
the reward per training episode. The sections after the summary are the reinforcement
task's (`pipelines.task_sections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from algorithms.metrics import get_metric
from algorithms.reinforcement import GridWorld
from pipelines.evaluation_result import Evaluation
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.report import summary_section
from pipelines.sections import Section, join_sections, markdown_table, new_figure

TRAILING_EPISODES = 50
_ARROWS = {0: (0.0, -0.3), 1: (0.3, 0.0), 2: (0.0, 0.3), 3: (-0.3, 0.0)}  # (dx, dy) on screen


def grid_text(world: GridWorld, path: Sequence[Sequence[int]] = ()) -> str:
    """The grid as text, one row per line: `#` wall, `S` start, `G` goal, `*` path, `.` open."""
    on_path = {tuple(cell) for cell in path}
    rows = []
    for row in range(world.size[0]):
        line = []
        for col in range(world.size[1]):
            cell = (row, col)
            if cell in world.walls:
                line.append("#")
            elif cell == world.start:
                line.append("S")
            elif cell == world.goal:
                line.append("G")
            else:
                line.append("*" if cell in on_path else ".")
        rows.append(" ".join(line))
    return "\n".join(rows)


def grid_figure(
    world: GridWorld,
    path: Sequence[Sequence[int]] = (),
    policy: np.ndarray | None = None,
    values: np.ndarray | None = None,
    title: str = "",
) -> Figure:
    """The grid: walls black, start and goal marked, optional state values as colours,
    the greedy action as an arrow in every open cell, and `path` as a line."""
    rows, cols = world.size
    figure = new_figure(1.0 + 0.8 * cols, 0.6 + 0.8 * rows)
    ax = figure.add_subplot()
    if values is not None:
        shown = np.ma.masked_array(values.reshape(rows, cols), mask=_wall_mask(world))
        image = ax.imshow(shown, cmap="viridis")
        figure.colorbar(image, ax=ax, label="max Q (state value)", shrink=0.8)
    for row, col in world.walls:
        ax.add_patch(_square(row, col, "black"))
    if policy is not None:
        _draw_arrows(ax, world, policy)
    if len(path) > 1:
        cells = np.asarray(path, dtype=float)
        ax.plot(cells[:, 1], cells[:, 0], color="tab:red", linewidth=3, alpha=0.7, zorder=2.5)
    for cell, label, color in ((world.start, "S", "tab:blue"), (world.goal, "G", "tab:red")):
        ax.text(
            cell[1],
            cell[0],
            label,
            ha="center",
            va="center",
            fontsize=12,
            fontweight="bold",
            color="white",
            bbox={"boxstyle": "circle", "color": color},
            zorder=4,
        )
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xticks(np.arange(cols))
    ax.set_yticks(np.arange(rows))
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="grey", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set(xlabel="column", ylabel="row", title=title, aspect="equal")
    return figure


def _wall_mask(world: GridWorld) -> np.ndarray:
    mask = np.zeros(world.size, dtype=bool)
    for row, col in world.walls:
        mask[row, col] = True
    return mask


def _square(row: int, col: int, color: str) -> Rectangle:
    return Rectangle((col - 0.5, row - 0.5), 1.0, 1.0, color=color, zorder=2)


def _draw_arrows(ax: Axes, world: GridWorld, policy: np.ndarray) -> None:
    for state, action in enumerate(policy):
        cell = world.cell_of(state)
        if cell in world.walls or cell == world.goal:
            continue
        dx, dy = _ARROWS[int(action)]
        ax.annotate(
            "",
            xy=(cell[1] + dx, cell[0] + dy),
            xytext=(cell[1] - dx, cell[0] - dy),
            arrowprops={"arrowstyle": "->", "color": "white", "linewidth": 1.5},
            zorder=3,
        )


def rewards_figure(agent: Any, window: int = TRAILING_EPISODES) -> Figure:
    """Return per training episode, its moving average over `window` episodes, and ε."""
    rewards = np.asarray(agent.episode_rewards_, dtype=float)
    episodes = np.arange(1, rewards.size + 1)
    figure = new_figure()
    ax = figure.add_subplot()
    ax.plot(episodes, rewards, color="tab:blue", alpha=0.35, linewidth=0.8, label="return")
    if rewards.size >= window:
        average = np.convolve(rewards, np.ones(window) / window, mode="valid")
        ax.plot(episodes[window - 1 :], average, color="tab:blue", label=f"mean of {window}")
    ax.set(xlabel="episode", ylabel="return (summed reward)", title="Reward per episode")
    epsilon = ax.twinx()
    epsilon.plot(episodes, agent.episode_epsilons_, color="tab:orange", label="ε")
    epsilon.set(ylabel="ε (exploration rate)", ylim=(0.0, 1.05))
    lines = ax.get_lines() + epsilon.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return figure


def environment_section(world: GridWorld) -> Section:
    """The environment: its settings, the grid as text and as a picture with a shortest path."""
    path = world.shortest_path()
    rows, cols = world.size
    settings = markdown_table(
        ["setting", "value"],
        [
            ["size (rows × cols)", f"{rows} × {cols}"],
            ["walls", len(world.walls)],
            ["start → goal", f"{world.start} → {world.goal}"],
            ["rewards: step / wall / goal", f"{world.step_reward:g} / {world.wall_reward:g} / "
             f"{world.goal_reward:g}"],
            ["max moves per episode", world.max_steps],
            ["slip (random direction)", f"{world.slip:g}"],
            ["shortest path (BFS)", f"{len(path) - 1} moves"],
        ],
    )  # fmt: skip
    markdown = (
        "## The environment\n\n"
        f"{settings}\n\n"
        "`#` wall, `S` start, `G` goal, `*` a shortest path:\n\n"
        f"```\n{grid_text(world, path)}\n```\n\n"
        "![The grid and a shortest path](environment.png)"
    )
    figure = grid_figure(world, path=path, title="The grid and a shortest path (BFS)")
    return Section(markdown, {"environment": figure})


def training_summary(agent: Any) -> dict[str, float]:
    """episodes, final ε, and the mean return of the first and last 50 training episodes."""
    rewards = np.asarray(agent.episode_rewards_, dtype=float)
    return {
        "episodes": int(rewards.size),
        "final_epsilon": float(agent.epsilon_),
        "mean_return_first_50": float(rewards[:TRAILING_EPISODES].mean()),
        "mean_return_last_50": float(rewards[-TRAILING_EPISODES:].mean()),
    }


def training_section(bundle: Any) -> Section:
    """Reward per training episode (plot) and how the returns moved from first to last."""
    summary = training_summary(bundle.agent)
    markdown = (
        "## Training\n\n"
        f"{summary['episodes']} ε-greedy episodes; ε decayed to {summary['final_epsilon']:.3g}. "
        f"Mean return of the first {TRAILING_EPISODES} episodes "
        f"{summary['mean_return_first_50']:.2f}, of the last {TRAILING_EPISODES} "
        f"{summary['mean_return_last_50']:.2f}.\n\n"
        "![Reward per episode](rewards.png)"
    )
    return Section(markdown, {"rewards": rewards_figure(bundle.agent)})


def greedy_policy_section(bundle: Any, evaluation: Evaluation) -> Section:
    """The greedy action in every cell over the state values, and the slip-free greedy walk."""
    world = bundle.world(slip=0.0)
    agent = bundle.agent
    details = evaluation.details
    if details["greedy_reaches_goal"]:
        walk = (
            f"Without slips the greedy policy reaches the goal in {details['greedy_steps']} "
            f"moves; the shortest path has {details['shortest_path_length']}."
        )
    else:
        walk = (
            f"Without slips the greedy policy does not reach the goal: it stops after "
            f"{details['greedy_steps']} moves (a loop or the move limit)."
        )
    figure = grid_figure(
        world,
        path=details["greedy_path"],
        policy=agent.policy(),
        values=agent.q_table_.max(axis=1),
        title="Greedy policy and its path",
    )
    markdown = (
        "## The greedy policy\n\n"
        f"{walk} Arrows: the greedy action of each cell; colours: max Q of the cell; red "
        "line: the greedy walk.\n\n"
        f"```\n{grid_text(world, details['greedy_path'])}\n```\n\n"
        "![Greedy policy and its path](policy.png)"
    )
    return Section(markdown, {"policy": figure})


def policy_section(spec: ReinforcementSpec, bundle: Any, evaluation: Evaluation) -> Section:
    """The reinforcement task's report: the environment, the training and the greedy policy."""
    return join_sections(
        environment_section(bundle.world()),
        training_section(bundle),
        greedy_policy_section(bundle, evaluation),
    )


def summary(spec: ReinforcementSpec, bundle: Any, evaluation: Evaluation) -> Section:
    """The policy's metrics beside the uniformly random policy's, and how they were scored."""
    episodes, slip = evaluation.details["episodes"], evaluation.details["slip"]
    if slip > 0:
        scored = (
            f"Scored over {episodes} seeded episodes in which each move slips in a "
            f"random direction with probability {slip:g}; the random policy plays "
            "the same episodes (the same slip draws)."
        )
    else:
        scored = (
            f"Scored over {episodes} episodes of a deterministic world beside a "
            "uniformly random policy."
        )
    rows = [
        [
            name,
            f"{value:.4f}",
            f"{evaluation.baseline[name]:.4f}",
            "higher" if get_metric(name).greater_is_better else "lower",
        ]
        for name, value in evaluation.metrics.items()
    ]
    header = ["metric", "greedy policy", "uniformly random policy", "better"]
    table = markdown_table(header, rows, align="lrrl")
    return summary_section(spec, bundle, evaluation, scored, "Agent", table)
