"""Tabular Q-learning on a grid world (`algorithms.gridworld.GridWorld`, re-exported here).

QLearningAgent: after each move (s, a) → (r, s′),

    Q[s, a] ← Q[s, a] + learning_rate · (r + discount · max_a′ Q[s′, a′] − Q[s, a]).

The goal's row is never updated, so it stays 0 and the target at the goal is r alone. Moves are
ε-greedy (random action with probability ε, else the first maximising action) with
ε_e = max(epsilon_min, epsilon · epsilon_decayᵉ) in episode e (counted from 0).
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from algorithms._constraints import POSITIVE_INT, PROBABILITY, SEED
from algorithms.gridworld import GridWorld

__all__ = ["Episode", "GridWorld", "QLearningAgent", "play", "q_update"]


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

    _parameter_constraints = {
        "learning_rate": [Interval(numbers.Real, 0, 1, closed="right")],
        "discount": PROBABILITY,
        "epsilon": PROBABILITY,
        "epsilon_decay": PROBABILITY,
        "epsilon_min": PROBABILITY,
        "n_episodes": POSITIVE_INT,
        "max_steps": POSITIVE_INT,
        "random_state": SEED,
    }

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, env, on_episode=None):
        """Learn q_table_ from n_episodes ε-greedy episodes in env (a GridWorld or alike).

        `on_episode(episode, episode_return, moves)`, if given, is called after each episode
        (for progress reports).
        """
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
