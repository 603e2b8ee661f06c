"""What the report shows for each task: the task's own sections, after the metrics.

- classification: the confusion matrix (table and heatmap);
- clustering: the reference labels against the clusters (table and heatmap);
- regression: predicted against actual values, and the residuals;
- reinforcement: the environment, the training rewards and the greedy policy
  (`pipelines.kinds.environment_report`);
- decomposition: nothing (it has no metrics).

Every builder takes (spec, bundle, evaluation) and returns one section (with all its figures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from algorithms.metrics import confusion_matrix
from algorithms.tasks import CLASSIFICATION, CLUSTERING, REGRESSION, REINFORCEMENT, Task, get_task
from pipelines.evaluation_result import Evaluation
from pipelines.kinds.environment_report import policy_section
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.spec_base import SpecBase

TaskSection = Callable[[SpecBase, Any, Evaluation], Section]


def confusion_section(spec: SpecBase, bundle: Any, evaluation: Evaluation) -> Section:
    """The confusion matrix of the scored rows: actual labels down, predicted across."""
    matrix, labels = confusion_matrix(evaluation.y_true, evaluation.y_pred)
    matrix = np.asarray(matrix)
    names = [str(label) for label in labels]
    figure = new_figure()
    ax = figure.add_subplot()
    count_heatmap(ax, matrix, names, names)
    ax.set(xlabel="predicted", ylabel="actual", title="Confusion matrix")
    header = ["actual \\ predicted", *names]
    rows = [[str(label), *map(str, row)] for label, row in zip(labels, matrix, strict=True)]
    markdown = (
        "## Confusion matrix\n\n"
        f"{markdown_table(header, rows)}\n\n![Confusion matrix](confusion_matrix.png)"
    )
    return Section(markdown, {"confusion_matrix": figure})


def contingency_table(reference, clusters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, reference labels, cluster ids): counts[i, j] = rows of label i in cluster j."""
    labels, label_index = np.unique(reference, return_inverse=True)
    ids, cluster_index = np.unique(clusters, return_inverse=True)
    counts = np.zeros((labels.size, ids.size), dtype=np.int64)
    np.add.at(counts, (label_index, cluster_index), 1)
    return counts, labels, ids


def contingency_section(spec: SpecBase, bundle: Any, evaluation: Evaluation) -> Section:
    """How the reference labels (the target, unseen in training) fall into the clusters."""
    counts, labels, ids = contingency_table(evaluation.y_true, evaluation.y_pred)
    target = spec.target
    figure = new_figure()
    ax = figure.add_subplot()
    count_heatmap(ax, counts, [str(i) for i in ids], [str(label) for label in labels])
    ax.set(xlabel="cluster", ylabel=target, title=f"Clusters against {target}")
    header = [f"{target} \\ cluster", *(str(i) for i in ids)]
    rows = [[str(label), *map(str, row)] for label, row in zip(labels, counts, strict=True)]
    markdown = (
        f"## Clusters against {target}\n\n"
        f"Rows per {target} (reference labels, not seen in training) in each cluster.\n\n"
        f"{markdown_table(header, rows)}\n\n![Clusters against {target}](contingency.png)"
    )
    return Section(markdown, {"contingency": figure})


def prediction_section(spec: SpecBase, bundle: Any, evaluation: Evaluation) -> Section:
    """Predicted against actual values (with the diagonal) and the residuals."""
    y, pred = evaluation.y_true, evaluation.y_pred
    versus = new_figure()
    ax = versus.add_subplot()
    ax.scatter(y, pred, s=10)
    low, high = float(min(y.min(), pred.min())), float(max(y.max(), pred.max()))
    ax.plot([low, high], [low, high], color="grey", linestyle="--")
    ax.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual")
    residuals = new_figure()
    ax = residuals.add_subplot()
    ax.scatter(pred, y - pred, s=10)
    ax.axhline(0.0, color="grey", linestyle="--")
    ax.set(xlabel="predicted", ylabel="actual − predicted", title="Residuals")
    markdown = (
        "## Predictions\n\n![Predicted vs actual](predicted_vs_actual.png)\n\n"
        "![Residuals](residuals.png)"
    )
    return Section(markdown, {"predicted_vs_actual": versus, "residuals": residuals})


def count_heatmap(ax: Axes, counts: np.ndarray, columns: list[str], rows: list[str]) -> None:
    """counts as a blue heatmap with each count written in its cell."""
    ax.imshow(counts, cmap="Blues", vmin=0)
    ax.set_xticks(np.arange(len(columns)), columns)
    ax.set_yticks(np.arange(len(rows)), rows)
    for (i, j), count in np.ndenumerate(counts):
        color = "white" if count > counts.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=color)


TASK_SECTIONS: dict[Task, TaskSection] = {
    CLASSIFICATION: confusion_section,
    CLUSTERING: contingency_section,
    REGRESSION: prediction_section,
    REINFORCEMENT: policy_section,
}


def task_section(spec: SpecBase, bundle: Any, evaluation: Evaluation) -> Section | None:
    """The section the evaluation's task shows (None for a task without one)."""
    build = TASK_SECTIONS.get(get_task(evaluation.task))
    return None if build is None else build(spec, bundle, evaluation)
