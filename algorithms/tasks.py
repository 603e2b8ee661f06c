"""Learning tasks: what an algorithm does, and so how it is scored, compared and gated.

Each registered algorithm declares one task. The task owns the metrics that fit it (every
`algorithms.metrics.Metric` names its task), the default metrics a spec gets when it names
none, and the baseline a model is scored beside (majority class, mean, one cluster, a
uniformly random policy). Nothing outside this module compares task names: ask the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from algorithms.metrics import METRICS, Metric


@dataclass(frozen=True)
class Task:
    """A learning task: its name, default metrics and baseline.

    `baseline` names what the model is compared with; `constant_baseline(y_train)` is the
    value that baseline predicts for every row, for tasks scored row by row (y_true against
    predictions). Tasks without it produce no row-wise score (decomposition) or are scored
    by playing episodes (reinforcement).
    """

    name: str
    default_metrics: tuple[str, ...]
    baseline: str
    constant_baseline: Callable[[np.ndarray], object] | None = None

    @property
    def scored_on_rows(self) -> bool:
        """Whether a model of this task is scored by comparing predictions with y."""
        return self.constant_baseline is not None

    def metrics(self) -> tuple[str, ...]:
        """Names of the registered metrics that fit this task, sorted."""
        return tuple(sorted(name for name, m in METRICS.items() if m.task == self.name))

    def metric(self, name: str) -> Metric:
        """The metric `name` if it fits this task; ValueError naming the ones that do."""
        if name not in self.metrics():
            raise ValueError(
                f"metric {name!r} does not fit the {self.name} task; "
                f"its metrics: {', '.join(self.metrics()) or 'none'}"
            )
        return METRICS[name]


def _majority_class(y_train: np.ndarray):
    labels, counts = np.unique(y_train, return_counts=True)
    return labels[np.argmax(counts)]


def _mean(y_train: np.ndarray) -> float:
    return float(np.mean(y_train))


def _one_cluster(y_train: np.ndarray) -> int:
    return 0


CLASSIFICATION = Task(
    "classification",
    ("accuracy", "precision", "recall", "f1"),
    "majority-class baseline",
    _majority_class,
)
REGRESSION = Task("regression", ("mse", "rmse", "mae", "r2"), "mean baseline", _mean)
CLUSTERING = Task("clustering", ("adjusted_rand",), "single-cluster baseline", _one_cluster)
DECOMPOSITION = Task("decomposition", (), "no baseline")
REINFORCEMENT = Task(
    "reinforcement", ("success_rate", "mean_return", "mean_steps"), "random policy"
)

TASKS: dict[str, Task] = {
    task.name: task
    for task in (CLASSIFICATION, REGRESSION, CLUSTERING, DECOMPOSITION, REINFORCEMENT)
}


def get_task(name: str) -> Task:
    """The task called `name`; ValueError listing the known tasks otherwise."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; tasks: {', '.join(TASKS)}") from None
