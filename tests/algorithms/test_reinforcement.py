"""GridWorld transitions and QLearningAgent: the seed's update, learning, decay, the contract."""

from collections import deque

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from algorithms.persistence import load_estimator, save_estimator
from algorithms.reinforcement import GridWorld, QLearningAgent, play, q_update

UP, RIGHT, DOWN, LEFT = range(4)
WALLS = [(1, 1), (1, 2), (1, 3), (3, 1), (3, 2), (3, 3)]


def walled_world():
    return GridWorld(size=(5, 5), walls=WALLS, start=(0, 0), goal=(4, 4))


def bfs_distance(env):
    """Fewest moves from start to goal, by breadth-first search over the open cells."""
    distance = {env.start: 0}
    queue = deque([env.start])
    while queue:
        row, col = queue.popleft()
        for d_row, d_col in ((-1, 0), (0, 1), (1, 0), (0, -1)):
            cell = (row + d_row, col + d_col)
            if env.inside(cell) and cell not in env.walls and cell not in distance:
                distance[cell] = distance[(row, col)] + 1
                queue.append(cell)
    return distance[env.goal]


def test_seed_update_rule_on_a_hand_computed_step():
    # Q[s,a] <- Q[s,a] + lr (r + gamma max Q[s'] - Q[s,a]) = 0.5 + 0.1 (-1 + 0.95*2 - 0.5) = 0.54
    q = np.zeros((3, 2))
    q[0, 1] = 0.5
    q[2] = [2.0, -3.0]
    assert q_update(q, 0, 1, -1.0, 2, 0.1, 0.95) == pytest.approx(0.54)
    # The seed's form (1 - lr) Q + lr (r + gamma max Q[s']) gives the same value.
    assert q[0, 1] == pytest.approx(0.9 * 0.5 + 0.1 * (-1.0 + 0.95 * 2.0))
    assert_array_equal(q[[1, 2]], [[0.0, 0.0], [2.0, -3.0]])


def test_moves_borders_walls_and_goal():
    env = walled_world()
    assert env.reset() == 0
    assert env.step(UP) == (0, -1.0, False)  # the border: stay
    assert env.step(LEFT) == (0, -1.0, False)
    assert env.step(RIGHT) == (1, -1.0, False)
    assert env.step(DOWN) == (1, -1.0, False)  # (1, 1) is a wall
    env.state = env.state_of((4, 3))
    assert env.step(RIGHT) == (24, 10.0, True)
    assert env.cell_of(24) == (4, 4) and env.n_states == 25 and env.n_actions == 4


def test_wall_reward_and_max_steps():
    env = GridWorld(size=(2, 2), goal=(1, 1), wall_reward=-5.0, max_steps=2)
    env.reset()
    assert env.step(UP) == (0, -5.0, False)
    assert env.step(RIGHT) == (1, -1.0, True)  # the second move ends the episode
    assert env.reset() == 0 and env.steps == 0


def test_dict_round_trip():
    env = walled_world()
    spec = env.to_dict()
    assert spec["walls"][0] == [1, 1] and spec["goal"] == [4, 4] and spec["slip"] == 0.0
    assert GridWorld.from_dict(spec).to_dict() == spec
    slippery = GridWorld(slip=0.25, random_state=3).to_dict()
    assert slippery["slip"] == 0.25 and "random_state" not in slippery
    assert GridWorld.from_dict(slippery, random_state=4).to_dict() == slippery
    with pytest.raises(ValueError, match="unknown GridWorld keys"):
        GridWorld.from_dict({**spec, "wind": 1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"goal": (5, 0)}, "outside"),
        ({"walls": [(0, 0)]}, "start .* is a wall"),
        ({"walls": [(9, 9)]}, "a wall .* outside"),
        ({"start": 3}, "start must be a \\(row, col\\) pair"),
        ({"size": (0, 3)}, "size must be positive"),
        ({"slip": 1.5}, "slip"),
        ({"slip": -0.1}, "slip"),
    ],
)
def test_bad_worlds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(**kwargs)


def test_shortest_path_goes_around_the_walls():
    env = walled_world()
    path = env.shortest_path()
    assert path[0] == (0, 0) and path[-1] == (4, 4) and len(path) - 1 == bfs_distance(env) == 8
    assert not set(path) & set(WALLS)
    assert all(
        abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in zip(path, path[1:], strict=False)
    )
    assert GridWorld(size=(1, 1), goal=(0, 0)).shortest_path() == [(0, 0)]
    boxed = GridWorld(size=(3, 3), walls=[(1, 2), (2, 1)], goal=(2, 2))
    assert boxed.shortest_path() is None


def _moves(env, action, n):
    """How often `action` from the centre of an open grid ends up, per direction."""
    centre = env.state_of((2, 2))
    moved = {env.state_of((1, 2)): UP, env.state_of((2, 3)): RIGHT}
    moved |= {env.state_of((3, 2)): DOWN, env.state_of((2, 1)): LEFT}
    counts = np.zeros(4, dtype=int)
    for _ in range(n):
        env.reset()
        env.state = centre
        state, _, _ = env.step(action)
        counts[moved[state]] += 1
    return counts


def test_no_slip_is_deterministic_and_draws_nothing():
    env = GridWorld(slip=0.0, random_state=0)
    assert_array_equal(_moves(env, RIGHT, 200), [0, 200, 0, 0])
    assert env._rng.random() == np.random.default_rng(0).random()  # the stream is untouched


def test_full_slip_moves_uniformly_at_random():
    counts = _moves(GridWorld(slip=1.0, random_state=0), UP, 4000)
    assert counts.sum() == 4000
    assert_allclose(counts / 4000, 0.25, atol=0.03)


def test_partial_slip_keeps_the_intended_move_most_of_the_time():
    counts = _moves(GridWorld(slip=0.2, random_state=1), DOWN, 4000)
    # intended with probability 0.8 + 0.2 / 4 = 0.85, each other direction 0.05
    assert_allclose(counts / 4000, [0.05, 0.05, 0.85, 0.05], atol=0.02)


def test_seeded_slips_are_reproducible():
    def episode(env, seed):
        env.reset(seed=seed)
        return [env.step(RIGHT)[0] for _ in range(30)]

    env = GridWorld(slip=0.5)
    assert episode(env, 7) == episode(env, 7)
    assert episode(env, 7) != episode(env, 8)
    first, second = (GridWorld(slip=0.5, random_state=2) for _ in range(2))
    assert [first.step(DOWN) for _ in range(20)] == [second.step(DOWN) for _ in range(20)]


def test_on_episode_reports_every_episode():
    seen = []
    agent = QLearningAgent(n_episodes=20, random_state=0)
    agent.fit(walled_world(), on_episode=lambda *args: seen.append(args))
    assert [s[0] for s in seen] == list(range(20))
    assert [s[1] for s in seen] == agent.episode_rewards_.tolist()
    assert [s[2] for s in seen] == agent.episode_lengths_.tolist()


def test_agent_learns_a_slippery_world():
    env = GridWorld(size=(5, 5), walls=WALLS, goal=(4, 4), slip=0.1, random_state=0)
    agent = QLearningAgent(n_episodes=800, random_state=0).fit(env)
    assert agent.evaluate(env, n_episodes=100)["success_rate"] == 1.0
    env.slip = 0.0
    assert len(agent.greedy_path(env)) - 1 == bfs_distance(env)


def test_bad_action():
    with pytest.raises(ValueError, match="action must be"):
        walled_world().step(4)


def test_agent_learns_the_shortest_path_through_walls():
    env = walled_world()
    agent = QLearningAgent(random_state=0).fit(env)
    assert agent.evaluate(env, n_episodes=100) == {"success_rate": 1.0, "mean_return": 10.0 - 7}
    path = agent.greedy_path(env)
    assert path[0] == 0 and path[-1] == env.goal_state
    assert len(path) - 1 == bfs_distance(env) == 8
    assert agent.q_table_.shape == (25, 4)
    assert_array_equal(agent.q_table_[env.goal_state], 0.0)
    assert agent.policy()[0] == agent.act(0)
    assert agent.episode_rewards_[-50:].mean() > agent.episode_rewards_[:50].mean()


def test_epsilon_decays_per_episode_to_the_floor():
    agent = QLearningAgent(n_episodes=1000, random_state=0).fit(walled_world())
    assert_allclose(agent.episode_epsilons_[:3], [1.0, 0.995, 0.995**2])
    assert agent.episode_epsilons_[-1] == 0.01 and agent.epsilon_ == 0.01
    assert np.all(np.diff(agent.episode_epsilons_) <= 0)
    assert len(agent.episode_lengths_) == 1000 and agent.episode_lengths_.max() <= 100


def test_seeded_runs_are_identical():
    first = QLearningAgent(n_episodes=50, random_state=3).fit(walled_world())
    second = QLearningAgent(n_episodes=50, random_state=3).fit(walled_world())
    third = QLearningAgent(n_episodes=50, random_state=4).fit(walled_world())
    assert_array_equal(first.q_table_, second.q_table_)
    assert_array_equal(first.episode_lengths_, second.episode_lengths_)
    assert not np.array_equal(first.q_table_, third.q_table_)


def test_persistence_round_trip(tmp_path):
    agent = QLearningAgent(n_episodes=200, random_state=0).fit(walled_world())
    save_estimator(agent, tmp_path)
    loaded = load_estimator(tmp_path)
    assert_array_equal(loaded.q_table_, agent.q_table_)
    assert loaded.get_params() == agent.get_params()
    assert loaded.greedy_path(walled_world()) == agent.greedy_path(walled_world())


def test_get_and_set_params():
    agent = QLearningAgent().set_params(discount=0.9)
    assert agent.get_params()["discount"] == 0.9


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"learning_rate": 0.0}, ValueError),
        ({"discount": 1.5}, ValueError),
        ({"epsilon": -0.1}, ValueError),
        ({"n_episodes": 0}, ValueError),
        ({"max_steps": 2.5}, TypeError),
    ],
)
def test_bad_parameters(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        QLearningAgent(**kwargs).fit(walled_world())


def test_play_counts_return_steps_and_success():
    world = GridWorld(size=(1, 3), goal=(0, 2), max_steps=5)
    episode = play(world, lambda _state: RIGHT, seed=0)
    assert (episode.episode_return, episode.steps, episode.reached_goal) == (9.0, 2, True)
    stuck = play(world, lambda _state: LEFT, seed=0)
    assert (stuck.episode_return, stuck.steps, stuck.reached_goal) == (-5.0, 5, False)
    capped = play(world, lambda _state: LEFT, max_steps=3)
    assert (capped.episode_return, capped.steps, capped.reached_goal) == (-3.0, 3, False)


def _agent_with_policy(actions) -> QLearningAgent:
    """An agent whose greedy action in state s is actions[s]."""
    agent = QLearningAgent(max_steps=10)
    agent.q_table_ = np.eye(4)[actions]
    return agent


def test_greedy_path_stops_on_a_loop():
    world = GridWorld(size=(1, 3), goal=(0, 2))
    assert _agent_with_policy([RIGHT, RIGHT, RIGHT]).greedy_path(world) == [0, 1, 2]
    assert _agent_with_policy([RIGHT, LEFT, RIGHT]).greedy_path(world) == [0, 1]  # 0 ↔ 1 forever
    assert _agent_with_policy([UP, UP, UP]).greedy_path(world) == [0]  # bumps the border
