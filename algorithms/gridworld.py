"""The grid-world environment the Q-learning agent trains in.

GridWorld: a rows × cols grid, state = row · cols + col, actions 0 up, 1 right, 2 down,
3 left (row 0 is the top). A move into a wall or off the grid leaves the agent in place and
earns wall_reward; any other move earns step_reward, or goal_reward when it reaches the goal,
which ends the episode. An episode also ends after max_steps moves. With probability `slip`
a move goes in a uniformly random direction (possibly the intended one) instead of the chosen
one, as on FrozenLake's slippery ice; the draws come from np.random.default_rng(random_state),
reseeded by reset(seed). With slip = 0 the world is deterministic and draws nothing.
"""

import numbers
from collections import deque

import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints

from algorithms._constraints import POSITIVE_INT, PROBABILITY

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

    # Checked as the estimators' tables are (scikit-learn's wording); the cells and the
    # walls are checked against each other below.
    _parameter_constraints = {
        "max_steps": POSITIVE_INT,
        "slip": PROBABILITY,
    }

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
        validate_parameter_constraints(
            self._parameter_constraints, {"max_steps": max_steps, "slip": slip}, "GridWorld"
        )
        self.max_steps = int(max_steps)
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
