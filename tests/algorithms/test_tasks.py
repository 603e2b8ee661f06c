import numpy as np
import pytest

from algorithms.metrics import METRICS
from algorithms.registry import algorithm_names, get_algorithm
from algorithms.tasks import (
    CLASSIFICATION,
    CLUSTERING,
    DECOMPOSITION,
    REGRESSION,
    REINFORCEMENT,
    TASKS,
    get_task,
)


def test_every_metric_belongs_to_exactly_one_task():
    owners = {name: [t.name for t in TASKS.values() if name in t.metrics()] for name in METRICS}
    assert all(len(tasks) == 1 for tasks in owners.values()), owners
    assert REINFORCEMENT.metrics() == ("mean_return", "mean_steps", "success_rate")


def test_default_metrics_fit_their_task():
    for task in TASKS.values():
        assert set(task.default_metrics) <= set(task.metrics()), task.name


def test_a_metric_of_another_task_is_refused_with_the_ones_that_fit():
    with pytest.raises(ValueError, match=r"'r2' does not fit the classification task; its metrics"):
        CLASSIFICATION.metric("r2")
    assert REGRESSION.metric("r2").greater_is_better
    assert not REINFORCEMENT.metric("mean_steps").greater_is_better


def test_constant_baselines():
    assert CLASSIFICATION.constant_baseline(np.array([2, 1, 1, 2, 2])) == 2
    assert CLASSIFICATION.constant_baseline(np.array([1, 2])) == 1  # ties: smallest label
    assert REGRESSION.constant_baseline(np.array([1.0, 2.0, 6.0])) == 3.0
    assert CLUSTERING.constant_baseline(np.array([0, 1, 2])) == 0
    assert not DECOMPOSITION.scored_on_rows and not REINFORCEMENT.scored_on_rows


def test_unknown_task_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown task 'forecasting'; tasks: classification"):
        get_task("forecasting")


def test_every_algorithm_declares_a_registered_task():
    assert {get_algorithm(n).task.name for n in algorithm_names()} == set(TASKS)
