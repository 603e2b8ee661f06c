"""Render an evaluation as `report.md` + PNG plots in one directory, written atomically.

Plots use matplotlib's object API (`Figure`, rendered by Agg) — no pyplot, so no global
backend switch and no figure registry — at a fixed size and dpi, with the PNG "Software"
tag dropped, so the same evaluation renders byte-identical files.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.style
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from algorithms.atomic_files import atomic_directory
from algorithms.metrics import confusion_matrix
from pipelines.bundle import ModelBundle
from pipelines.evaluation import TRAINING, Evaluation
from pipelines.sections import Section, markdown_table, png_bytes
from pipelines.spec import PipelineSpec

REPORT_FILE = "report.md"
_SIZE = (6.4, 4.0)
_DPI = 100
_IMAGE_LINK = re.compile(r"(!\[[^\]]*\])\(([^)\s]+\.png)\)")


@dataclass
class Report:
    """The rendered Markdown, where it was written, and its images by name (name.png beside it)."""

    markdown: str
    path: Path
    images: dict[str, Path]


def write_report(
    spec: PipelineSpec,
    bundle: ModelBundle,
    evaluation: Evaluation,
    out_dir: str | Path,
    extras: Sequence[Callable[[], Section | None]] = (),
) -> Report:
    """Write report.md and its PNGs into `out_dir`, replacing the directory whole.

    `extras` build further sections (tuning, coefficients, examples, …), appended in order;
    a builder returning None adds nothing.
    """
    sections = [_summary(spec, bundle, evaluation)]
    figures: dict[str, Figure] = {}
    with matplotlib.style.context("default"):
        curve = getattr(bundle.estimator, "loss_curve_", None)
        if curve is not None:
            figures["learning_curve"] = _learning_curve(curve, bundle.algorithm)
            sections.append(
                "## Learning curve\n\n"
                f"Training loss per epoch ({len(curve)} epochs, last {curve[-1]:.4g}).\n\n"
                "![Learning curve](learning_curve.png)"
            )
        if evaluation.task == "classification":
            matrix, labels = confusion_matrix(evaluation.y_true, evaluation.y_pred)
            figures["confusion_matrix"] = _confusion_figure(np.asarray(matrix), labels)
            sections.append(_confusion_section(np.asarray(matrix), labels))
        elif evaluation.task == "clustering":
            table = contingency_table(evaluation.y_true, evaluation.y_pred)
            figures["contingency"] = _contingency_figure(*table, spec.target)
            sections.append(_contingency_section(*table, spec.target))
        else:
            figures["predicted_vs_actual"] = _predicted_vs_actual(evaluation)
            figures["residuals"] = _residuals(evaluation)
            sections.append(
                "## Predictions\n\n![Predicted vs actual](predicted_vs_actual.png)\n\n"
                "![Residuals](residuals.png)"
            )
        if evaluation.loss_curves:
            param = spec.evaluation.loss_curves.param
            title = _sweep_title(param, list(evaluation.loss_curves))
            figures["loss_curves"] = _sweep_figure(evaluation.loss_curves, param, title)
            sections.append(_sweep_section(evaluation, param, title))
        for build in extras:
            section = build()
            if section is None:
                continue
            sections.append(section.markdown)
            figures.update(section.figures)
        return save_report(out_dir, "\n\n".join(sections) + "\n", figures)


def save_report(out_dir: str | Path, markdown: str, figures: dict[str, Figure]) -> Report:
    """Write `report.md` and each figure as `<name>.png` into `out_dir`, replacing it whole."""
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        for name, figure in figures.items():
            (tmp / f"{name}.png").write_bytes(png_bytes(figure))
        (tmp / REPORT_FILE).write_text(markdown)
    return Report(
        markdown=markdown,
        path=out_dir / REPORT_FILE,
        images={name: out_dir / f"{name}.png" for name in figures},
    )


def markdown_with_inline_images(report: Report) -> str:
    """The report's Markdown with each `![...](name.png)` link replaced by a base64 data URI."""
    by_file = {path.name: path for path in report.images.values()}

    def inline(match: re.Match[str]) -> str:
        path = by_file.get(match.group(2))
        if path is None:
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}(data:image/png;base64,{data})"

    return _IMAGE_LINK.sub(inline, report.markdown)


def _summary(spec: PipelineSpec, bundle: ModelBundle, evaluation: Evaluation) -> str:
    if evaluation.scored_on == TRAINING:
        scored = (
            "Scored on the training data — the spec declares no held-out split "
            f"({evaluation.n_train} rows)."
        )
    else:
        scored = (
            f"Scored on the held-out test split: {evaluation.n_test} rows "
            f"(the model was trained on the other {evaluation.n_train})."
        )
    params = ", ".join(f"{k}={v}" for k, v in sorted(bundle.params.items()))
    columns = [f"{bundle.algorithm} (model)", _baseline_name(evaluation.task)]
    columns += list(evaluation.comparisons)
    rows = [
        [name, value, evaluation.baseline[name]]
        + [scores[name] for scores in evaluation.comparisons.values()]
        for name, value in evaluation.metrics.items()
    ]
    table = markdown_table(
        ["metric", *columns], [[r[0], *(f"{v:.4f}" for v in r[1:])] for r in rows]
    )
    return (
        f"# {spec.name}\n\n{spec.description.strip()}\n\n{scored}\n\n"
        f"Model: `{bundle.algorithm}` with {params} (spec `{bundle.spec_hash[:12]}`).\n\n"
        f"## Metrics\n\n{table}\n\n"
        f"Headline: {evaluation.headline} = {evaluation.headline_value:.4f}."
    )


def _baseline_name(task: str) -> str:
    names = {"regression": "mean baseline", "clustering": "single-cluster baseline"}
    return names.get(task, "majority-class baseline")


def contingency_table(reference, clusters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, reference labels, cluster ids): counts[i, j] = rows of label i in cluster j."""
    labels, label_index = np.unique(reference, return_inverse=True)
    ids, cluster_index = np.unique(clusters, return_inverse=True)
    counts = np.zeros((labels.size, ids.size), dtype=np.int64)
    np.add.at(counts, (label_index, cluster_index), 1)
    return counts, labels, ids


def _contingency_section(counts: np.ndarray, labels, ids, target: str) -> str:
    header = [f"{target} \\ cluster", *(str(i) for i in ids)]
    rows = [[str(label), *map(str, row)] for label, row in zip(labels, counts, strict=True)]
    return (
        f"## Clusters against {target}\n\n"
        f"Rows per {target} (reference labels, not seen in training) in each cluster.\n\n"
        f"{markdown_table(header, rows)}\n\n![Clusters against {target}](contingency.png)"
    )


def _contingency_figure(counts: np.ndarray, labels, ids, target: str) -> Figure:
    figure, ax = _figure()
    _count_heatmap(ax, counts, [str(i) for i in ids], [str(label) for label in labels])
    ax.set(xlabel="cluster", ylabel=target, title=f"Clusters against {target}")
    return figure


def _confusion_section(matrix: np.ndarray, labels) -> str:
    header = ["actual \\ predicted", *map(str, labels)]
    rows = [[str(label), *map(str, row)] for label, row in zip(labels, matrix, strict=True)]
    return (
        "## Confusion matrix\n\n"
        f"{markdown_table(header, rows)}\n\n![Confusion matrix](confusion_matrix.png)"
    )


def _sweep_title(param: str, values: list[str]) -> str:
    label = param.replace("_", " ")
    label = label if label.endswith("s") else label + "s"
    listed = ", ".join(values[:-1]) + " and " + values[-1] if len(values) > 1 else values[0]
    return f"Error per epoch for {label} {listed}"


def _sweep_section(evaluation: Evaluation, param: str, title: str) -> str:
    scored = "training" if evaluation.scored_on == TRAINING else "held-out"
    rows = [
        [value, f"{c[0]:.4g}", f"{c[-1]:.4g}", str(len(c)), f"{evaluation.sweep_scores[value]:.4g}"]
        for value, c in evaluation.loss_curves.items()
    ]
    header = [param, "first-epoch loss", "last-epoch loss", "epochs"]
    table = markdown_table([*header, f"{scored} {evaluation.headline}"], rows)
    return f"## {title}\n\n{table}\n\n![{title}](loss_curves.png)"


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
    return figure, figure.add_subplot()


def _learning_curve(curve, algorithm: str) -> Figure:
    figure, ax = _figure()
    ax.plot(np.arange(1, len(curve) + 1), curve)
    ax.set(xlabel="epoch", ylabel="loss", title=f"Learning curve of {algorithm}")
    return figure


def _confusion_figure(matrix: np.ndarray, labels) -> Figure:
    figure, ax = _figure()
    names = [str(label) for label in labels]
    _count_heatmap(ax, matrix, names, names)
    ax.set(xlabel="predicted", ylabel="actual", title="Confusion matrix")
    return figure


def _count_heatmap(ax: Axes, counts: np.ndarray, columns: list[str], rows: list[str]) -> None:
    """counts as a blue heatmap with each count written in its cell."""
    ax.imshow(counts, cmap="Blues", vmin=0)
    ax.set_xticks(np.arange(len(columns)), columns)
    ax.set_yticks(np.arange(len(rows)), rows)
    for (i, j), count in np.ndenumerate(counts):
        color = "white" if count > counts.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=color)


def _predicted_vs_actual(evaluation: Evaluation) -> Figure:
    figure, ax = _figure()
    y, pred = evaluation.y_true, evaluation.y_pred
    ax.scatter(y, pred, s=10)
    low, high = float(min(y.min(), pred.min())), float(max(y.max(), pred.max()))
    ax.plot([low, high], [low, high], color="grey", linestyle="--")
    ax.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual")
    return figure


def _residuals(evaluation: Evaluation) -> Figure:
    figure, ax = _figure()
    ax.scatter(evaluation.y_pred, evaluation.y_true - evaluation.y_pred, s=10)
    ax.axhline(0.0, color="grey", linestyle="--")
    ax.set(xlabel="predicted", ylabel="actual − predicted", title="Residuals")
    return figure


def _sweep_figure(curves: dict[str, list[float]], param: str, title: str) -> Figure:
    figure, ax = _figure()
    for value, curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, label=f"{param} = {value}")
    values = np.concatenate([np.asarray(c, dtype=float) for c in curves.values()])
    if values.min() > 0 and values.max() / values.min() > 100:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend()
    return figure
