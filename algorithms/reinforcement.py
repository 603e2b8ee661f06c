"""Tabular Q-learning on a grid world.

GridWorld: a rows × cols grid, state = row · cols + col, actions 0 up, 1 right, 2 down,
3 left (row 0 is the top). A move into a wall or off the grid leaves the agent in place and
earns wall_reward; any other move earns step_reward, or goal_reward when it reaches the goal,
which ends the episode. An episode also ends after max_steps moves. With probability `slip`
a move goes in a uniformly random direction (possibly the intended one) instead of the chosen
one, as on FrozenLake's slippery ice; the draws come from np.random.default_rng(random_state),
reseeded by reset(seed). With slip = 0 the world is deterministic and draws nothing.

QLearningAgent: after each move (s, a) → (r, s′),

    Q[s, a] ← Q[s, a] + learning_rate · (r + discount · max_a′ Q[s′, a′] − Q[s, a]).

The goal's row is never updated, so it stays 0 and the target at the goal is r alone. Moves are
ε-greedy (random action with probability ε, else the first maximising action) with
ε_e = max(epsilon_min, epsilon · epsilon_decayᵉ) in episode e (counted from 0).
"""

import numbers
from collections import deque
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_scalar
from sklearn.utils.validation import check_is_fitted

ACTIONS = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left as (Δrow, Δcol)


def _cell(value, name) -> tuple[int, int]:
    """value as a (row, col) pair of ints; ValueError naming `name` otherwise."""
    try:
        row, col = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (row, col) pair, got {value!r}.") from None
    if not all(isinstance(v, numbers.Integral) for v in (row, col)):
        raise ValueError(f"{name} must be a (row, col) pair of integers, got {value!r}.")
    return int(row), int(col)


class GridWorld:
    """Grid-world environment (module docstring), deterministic unless `slip` > 0.

    Declarable as a plain dict (to_dict/from_dict); random_state seeds the slips only and is
    not part of that definition.
    """

    def __init__(
        self,
        size=(5, 5),
        walls=(),
        start=(0, 0),
        goal=(4, 4),
        step_reward=-1.0,
        goal_reward=10.0,
        wall_reward=-1.0,
        max_steps=100,
        slip=0.0,
        random_state=None,
    ):
        self.size = _cell(size, "size")
        if min(self.size) < 1:
            raise ValueError(f"size must be positive, got {self.size}.")
        self.walls = tuple(sorted({_cell(wall, "a wall") for wall in walls}))
        self.start = _cell(start, "start")
        self.goal = _cell(goal, "goal")
        for name, cell in [("start", self.start), ("goal", self.goal)] + [
            ("a wall", wall) for wall in self.walls
        ]:
            if not self.inside(cell):
                raise ValueError(f"{name} {cell} lies outside the {self.size} grid.")
        for name, cell in (("start", self.start), ("goal", self.goal)):
            if cell in self.walls:
                raise ValueError(f"{name} {cell} is a wall.")
        self.step_reward = float(step_reward)
        self.goal_reward = float(goal_reward)
        self.wall_reward = float(wall_reward)
        check_scalar(max_steps, "max_steps", numbers.Integral, min_val=1)
        self.max_steps = int(max_steps)
        check_scalar(slip, "slip", numbers.Real, min_val=0.0, max_val=1.0)
        self.slip = float(slip)
        self._rng = np.random.default_rng(random_state)
        self._wall_set = frozenset(self.walls)
        self.state = self.state_of(self.start)
        self.steps = 0

    @property
    def n_states(self) -> int:
        """rows · cols."""
        return self.size[0] * self.size[1]

    @property
    def n_actions(self) -> int:
        """4: up, right, down, left."""
        return len(ACTIONS)

    @property
    def goal_state(self) -> int:
        """The integer state of the goal cell."""
        return self.state_of(self.goal)

    def inside(self, cell) -> bool:
        """True if (row, col) lies on the grid."""
        return 0 <= cell[0] < self.size[0] and 0 <= cell[1] < self.size[1]

    def state_of(self, cell) -> int:
        """row · cols + col."""
        return cell[0] * self.size[1] + cell[1]

    def cell_of(self, state) -> tuple[int, int]:
        """(row, col) of an integer state."""
        return divmod(int(state), self.size[1])

    def shortest_path(self) -> list[tuple[int, int]] | None:
        """The cells of a shortest start → goal walk around the walls (breadth-first search,
        moves tried up, right, down, left), or None when the goal cannot be reached."""
        previous = {self.start: None}
        queue = deque([self.start])
        while queue:
            cell = queue.popleft()
            if cell == self.goal:
                path = [cell]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1]
            for d_row, d_col in ACTIONS:
                nxt = (cell[0] + d_row, cell[1] + d_col)
                if self.inside(nxt) and nxt not in self._wall_set and nxt not in previous:
                    previous[nxt] = cell
                    queue.append(nxt)
        return None

    def reset(self, seed=None) -> int:
        """Put the agent on start, zero the step count; return the start state.

        A `seed` (anything np.random.default_rng takes) restarts the slip draws from it.
        """
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.state = self.state_of(self.start)
        self.steps = 0
        return self.state

    def step(self, action) -> tuple[int, float, bool]:
        """(next state, reward, done) of `action` from the current state (module docstring)."""
        if not 0 <= action < len(ACTIONS):
            raise ValueError(f"action must be 0 (up), 1 (right), 2 (down) or 3 (left): {action}.")
        if self.slip > 0.0 and self._rng.random() < self.slip:
            action = int(self._rng.integers(len(ACTIONS)))
        row, col = self.cell_of(self.state)
        d_row, d_col = ACTIONS[action]
        target = (row + d_row, col + d_col)
        self.steps += 1
        if not self.inside(target) or target in self._wall_set:
            reward = self.wall_reward
        else:
            self.state = self.state_of(target)
            reward = self.goal_reward if target == self.goal else self.step_reward
        done = self.state == self.goal_state or self.steps >= self.max_steps
        return self.state, reward, done

    def to_dict(self) -> dict:
        """The constructor arguments as JSON-able plain types."""
        return {
            "size": list(self.size),
            "walls": [list(wall) for wall in self.walls],
            "start": list(self.start),
            "goal": list(self.goal),
            "step_reward": self.step_reward,
            "goal_reward": self.goal_reward,
            "wall_reward": self.wall_reward,
            "max_steps": self.max_steps,
            "slip": self.slip,
        }

    @classmethod
    def from_dict(cls, spec: dict, random_state=None) -> "GridWorld":
        """The GridWorld of a to_dict()-style mapping, its slips seeded by `random_state`;
        ValueError on an unknown key."""
        unknown = sorted(set(spec) - set(cls().to_dict()))
        if unknown:
            raise ValueError(f"unknown GridWorld keys {unknown}.")
        return cls(**spec, random_state=random_state)


@dataclass(frozen=True)
class Episode:
    """One finished episode: summed reward, moves, and whether it ended on the goal."""

    episode_return: float
    steps: int
    reached_goal: bool


def play(env, choose, seed=None, max_steps=None) -> Episode:
    """One episode from env.reset(seed) with `choose(state) -> action` until the environment
    says done or, when given, after max_steps moves."""
    state, total, done, steps = env.reset(seed=seed), 0.0, False, 0
    while not done and (max_steps is None or steps < max_steps):
        state, reward, done = env.step(choose(state))
        total += reward
        steps += 1
    return Episode(total, steps, state == env.goal_state)


def q_update(q_table, state, action, reward, next_state, learning_rate, discount) -> float:
    """Apply the module docstring's update to q_table[state, action] in place; return it."""
    target = reward + discount * q_table[next_state].max()
    q_table[state, action] += learning_rate * (target - q_table[state, action])
    return q_table[state, action]


class QLearningAgent(BaseEstimator):
    """ε-greedy tabular Q-learning agent (module docstring for the rule).

    A reinforcement estimator: fit(env) trains on an environment with n_states, n_actions,
    reset() and step(action) -> (state, reward, done), not on (X, y); BaseEstimator supplies
    get_params/set_params. Each of n_episodes episodes runs until done or max_steps moves.
    Random draws come from np.random.default_rng(random_state).

    Fitted attributes: q_table_ (n_states, n_actions), episode_rewards_ (return of each
    episode), episode_lengths_ (moves per episode), episode_epsilons_ (ε of each episode),
    epsilon_ (ε after the last decay).
    """

    def __init__(
        self,
        learning_rate=0.1,
        discount=0.95,
        epsilon=1.0,
        epsilon_decay=0.995,
        epsilon_min=0.01,
        n_episodes=500,
        max_steps=100,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.discount = discount
        self.epsilon = epsilon
        self.epsilon_decay = epsilon_decay
        self.epsilon_min = epsilon_min
        self.n_episodes = n_episodes
        self.max_steps = max_steps
        self.random_state = random_state

    def fit(self, env, on_episode=None):
        """Learn q_table_ from n_episodes ε-greedy episodes in env (a GridWorld or alike).

        `on_episode(episode, episode_return, moves)`, if given, is called after each episode
        (for progress reports).
        """
        self._check_params()
        rng = np.random.default_rng(self.random_state)
        q_table = np.zeros((env.n_states, env.n_actions))
        episodes = np.arange(self.n_episodes)
        epsilons = np.maximum(self.epsilon_min, self.epsilon * self.epsilon_decay**episodes)
        rewards, lengths = np.zeros(self.n_episodes), np.zeros(self.n_episodes, dtype=np.int64)
        for episode, epsilon in enumerate(epsilons):
            state = env.reset()
            for _ in range(self.max_steps):
                if rng.random() < epsilon:
                    action = int(rng.integers(env.n_actions))
                else:
                    action = int(q_table[state].argmax())
                next_state, reward, done = env.step(action)
                q_update(
                    q_table, state, action, reward, next_state, self.learning_rate, self.discount
                )
                rewards[episode] += reward
                lengths[episode] += 1
                state = next_state
                if done:
                    break
            if on_episode is not None:
                on_episode(episode, float(rewards[episode]), int(lengths[episode]))
        self.q_table_ = q_table
        self.episode_rewards_ = rewards
        self.episode_lengths_ = lengths
        self.episode_epsilons_ = epsilons
        self.epsilon_ = float(
            max(self.epsilon_min, self.epsilon * self.epsilon_decay**episodes.size)
        )
        return self

    def policy(self) -> np.ndarray:
        """The greedy action (first maximiser of q_table_) of every state."""
        check_is_fitted(self)
        return self.q_table_.argmax(axis=1)

    def act(self, state) -> int:
        """The greedy action in `state`."""
        check_is_fitted(self)
        return int(self.q_table_[state].argmax())

    def greedy_path(self, env) -> list[int]:
        """States visited by the greedy policy from env.reset() until done, max_steps moves, or
        a state seen before (in a slip-free world the walk would loop from there forever)."""
        path = [env.reset()]
        for _ in range(self.max_steps):
            state, _, done = env.step(self.act(path[-1]))
            if state in path:
                break
            path.append(state)
            if done:
                break
        return path

    def evaluate(self, env, n_episodes=100) -> dict[str, float]:
        """{"success_rate", "mean_return"} of n_episodes greedy episodes; success = goal reached."""
        check_scalar(n_episodes, "n_episodes", numbers.Integral, min_val=1)
        episodes = [play(env, self.act, max_steps=self.max_steps) for _ in range(n_episodes)]
        return {
            "success_rate": sum(e.reached_goal for e in episodes) / n_episodes,
            "mean_return": sum(e.episode_return for e in episodes) / n_episodes,
        }

    def _check_params(self):
        """ValueError (TypeError for a wrong type) on an invalid hyper-parameter."""
        check_scalar(
            self.learning_rate,
            "learning_rate",
            numbers.Real,
            min_val=0.0,
            max_val=1.0,
            include_boundaries="right",
        )
        check_scalar(self.discount, "discount", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.epsilon, "epsilon", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.epsilon_decay, "epsilon_decay", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.epsilon_min, "epsilon_min", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.n_episodes, "n_episodes", numbers.Integral, min_val=1)
        check_scalar(self.max_steps, "max_steps", numbers.Integral, min_val=1)
