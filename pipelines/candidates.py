"""Several candidate models in one pipeline: score all, choose one, compare them in the report.

The chosen candidate is the first of `pipelines.ranking`'s rule: passing the spec's
`promote_if` gate, then the headline metric, ties broken by the other metrics, the simpler
model and the spec's order. The evaluation keeps the ranking and how it was decided in
`details["ranking"]` and `details["choice"]`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from algorithms.metrics import confusion_matrix
from algorithms.persistence import fitted_numbers
from algorithms.tasks import CLASSIFICATION, get_task
from pipelines.bundle import ModelBundle
from pipelines.evaluation import class_scores, evaluate
from pipelines.evaluation_result import Evaluation
from pipelines.features import scored_rows
from pipelines.gate import check_gate
from pipelines.ranking import RULE, Ranking, rank
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.spec import PipelineSpec
from pipelines.task_sections import count_heatmap


def evaluate_candidates(
    spec: PipelineSpec, bundles: dict[str, ModelBundle], normalized: pl.DataFrame
) -> tuple[Evaluation, dict[str, Evaluation]]:
    """Every candidate's evaluation, and the chosen one's with the comparison attached."""
    evaluations = {
        name: evaluate(spec.for_candidate(name), bundles[name], normalized) for name in bundles
    }
    ranking = rank_candidates(spec, evaluations, bundles)
    chosen = evaluations[ranking.chosen]
    details = chosen.details | {"ranking": list(ranking.order), "choice": ranking.story()}
    table = {name: ev.metrics for name, ev in evaluations.items()}
    return dataclasses.replace(
        chosen, candidate=ranking.chosen, candidates=table, details=details
    ), evaluations


def rank_candidates(
    spec: PipelineSpec, evaluations: dict[str, Evaluation], bundles: dict[str, ModelBundle]
) -> Ranking:
    """The candidates ranked by `pipelines.ranking`'s rule, the chosen one first."""
    promote_if = spec.evaluation.promote_if
    passing = {name: check_gate(ev.metrics, promote_if).passed for name, ev in evaluations.items()}
    return rank(
        {name: ev.metrics for name, ev in evaluations.items()},
        passing if promote_if else None,
        next(iter(evaluations.values())).headline,
        {name: fitted_numbers(bundles[name].estimator) for name in evaluations},
    )


def comparison_section(
    spec: PipelineSpec,
    chosen: Evaluation,
    bundles: dict[str, ModelBundle],
    normalized: pl.DataFrame,
) -> Section:
    """Every candidate's metrics in rank order, how the chosen one was decided (ties and how
    they were broken), and one plot comparing them."""
    metrics = list(chosen.metrics)
    promote_if = spec.evaluation.promote_if
    rows = [
        [
            str(place),
            f"**{name}**" if name == chosen.candidate else name,
            bundles[name].algorithm,
            *(f"{chosen.candidates[name][m]:.4f}" for m in metrics),
            *(
                [_word(check_gate(chosen.candidates[name], promote_if).passed)]
                if promote_if
                else []
            ),
            str(fitted_numbers(bundles[name].estimator)),
        ]
        for place, name in enumerate(chosen.details["ranking"], start=1)
    ]
    gate = ["gate"] if promote_if else []
    text = (
        "## Candidates\n\n"
        f"{len(bundles)} candidate models scored on the same rows, best first; "
        f"**{chosen.candidate}** is chosen.\n\n"
        + markdown_table(
            ["rank", "candidate", "algorithm", *metrics, *gate, "fitted numbers"],
            rows,
            align="rll" + "r" * len(metrics) + "l" * len(gate) + "r",
        )
        + "\n\n**How the choice was made.** "
        + " ".join(chosen.details["choice"])
        + f"\n\nThe rule: {RULE}. Metric values are compared to 12 significant digits."
    )
    figure = _roc_figure(spec, bundles, normalized) or _bar_figure(chosen)
    return Section(text + "\n\n![Candidates compared](candidates.png)", {"candidates": figure})


def _word(passed: bool) -> str:
    return "pass" if passed else "fail"


def _roc_figure(spec, bundles, normalized) -> Figure | None:
    """ROC curves of every candidate (binary classification with scores), else None."""
    X, y = scored_rows(normalized, spec)
    labels = np.unique(y)
    if len(labels) != 2 or any(not hasattr(b.estimator, "classes_") for b in bundles.values()):
        return None
    figure = new_figure(6.4, 4.8)
    ax = figure.add_subplot()
    for name, bundle in bundles.items():
        score = class_scores(bundle.estimator, X)
        fpr, tpr = _roc_curve(y == bundle.estimator.classes_[1], score)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curves")
    ax.legend(loc="lower right", fontsize="small")
    return figure


def _roc_curve(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) at every distinct score threshold."""
    order = np.argsort(-score, kind="mergesort")
    hits = positive[order].astype(float)
    distinct = np.r_[np.flatnonzero(np.diff(score[order])), hits.size - 1]
    tps, fps = np.cumsum(hits)[distinct], np.cumsum(1.0 - hits)[distinct]
    return np.r_[0.0, fps / max(fps[-1], 1.0)], np.r_[0.0, tps / max(tps[-1], 1.0)]


def _bar_figure(chosen: Evaluation) -> Figure:
    """The headline metric of every candidate as bars."""
    figure = new_figure()
    ax = figure.add_subplot()
    names = list(chosen.candidates)
    ax.bar(names, [chosen.candidates[n][chosen.headline] for n in names])
    ax.set(ylabel=chosen.headline, title=f"{chosen.headline} of each candidate")
    ax.tick_params(axis="x", labelrotation=30)
    return figure


def confusion_grid_section(evaluations: dict[str, Evaluation]) -> Section | None:
    """Every candidate's confusion matrix, side by side (classification only)."""
    if get_task(next(iter(evaluations.values())).task) is not CLASSIFICATION:
        return None
    columns = min(4, len(evaluations))
    rows = -(-len(evaluations) // columns)
    figure = new_figure(3.2 * columns, 3.0 * rows)
    for k, (name, ev) in enumerate(evaluations.items()):
        matrix, labels = confusion_matrix(ev.y_true, ev.y_pred)
        names = [str(v) for v in labels]
        ax = figure.add_subplot(rows, columns, k + 1)
        count_heatmap(ax, np.asarray(matrix), names, names)
        ax.set(title=name, xlabel="predicted", ylabel="actual")
    text = (
        "## Confusion matrices of the candidates\n\n![Confusion matrices](candidate_confusion.png)"
    )
    return Section(text, {"candidate_confusion": figure})


def importances_section(bundles: dict[str, ModelBundle]) -> Section | None:
    """Feature importances of the candidates that have them (tree models), as table and plot."""
    having = {n: b for n, b in bundles.items() if hasattr(b.estimator, "feature_importances_")}
    if not having:
        return None
    features = list(next(iter(having.values())).feature_names)
    rows = [
        [f"`{feature}`", *(f"{b.estimator.feature_importances_[i]:.4f}" for b in having.values())]
        for i, feature in enumerate(features)
    ]
    figure = new_figure(6.4, max(3.0, 0.22 * len(features) + 1.0))
    ax = figure.add_subplot()
    height = 0.8 / len(having)
    positions = np.arange(len(features))
    for k, (name, bundle) in enumerate(having.items()):
        ax.barh(positions + k * height, bundle.estimator.feature_importances_, height, label=name)
    ax.set_yticks(positions + 0.4 - height / 2, features, fontsize="small")
    ax.invert_yaxis()
    ax.set(xlabel="importance (mean impurity decrease)", title="Feature importances")
    ax.legend(fontsize="small")
    text = (
        "## Feature importances\n\n"
        + markdown_table(["feature", *having], rows)
        + "\n\n![Feature importances](feature_importances.png)"
    )
    return Section(text, {"feature_importances": figure})


def loss_curves_section(bundles: dict[str, ModelBundle]) -> Section | None:
    """The training loss per epoch of every candidate that records one, in one plot."""
    curves = {
        name: np.asarray(bundle.estimator.loss_curve_, dtype=float)
        for name, bundle in bundles.items()
        if getattr(bundle.estimator, "loss_curve_", None) is not None
    }
    if len(curves) < 2:
        return None
    figure = new_figure()
    ax = figure.add_subplot()
    for name, curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, label=name)
    if min(c.min() for c in curves.values()) > 0:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="training loss", title="Training loss of the candidates")
    ax.legend(fontsize="small")
    rows = [[name, str(len(c)), f"{c[0]:.4g}", f"{c[-1]:.4g}"] for name, c in curves.items()]
    text = (
        "## Loss curves of the candidates\n\n"
        + markdown_table(["candidate", "epochs", "first loss", "last loss"], rows)
        + "\n\n![Training loss of the candidates](candidate_loss_curves.png)"
    )
    return Section(text, {"candidate_loss_curves": figure})
