"""Report sections of a table pipeline: the metrics summary, the landing batches read, the
learning curve, the loss curves of a parameter sweep, and the sections that depend on the
model (coefficients, the fitted line, text terms, example predictions).

Each builder returns a `Section`, or None when it does not apply to the model or spec.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from algorithms.tasks import get_task
from pipelines.bundle import ModelBundle
from pipelines.evaluation import TRAINING
from pipelines.evaluation_result import Evaluation
from pipelines.features import SPLIT
from pipelines.report import summary_section
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.spec import PipelineSpec


def summary(spec: PipelineSpec, bundle: ModelBundle, evaluation: Evaluation) -> Section:
    """The metrics of the model beside its task's baseline and the comparison algorithms."""
    n_train, n_test = evaluation.details["n_train"], evaluation.details["n_test"]
    if evaluation.scored_on == TRAINING:
        scored = (
            f"Scored on the training data — the spec declares no held-out split ({n_train} rows)."
        )
    else:
        scored = (
            f"Scored on the held-out test split: {n_test} rows "
            f"(the model was trained on the other {n_train})."
        )
    columns = [f"{bundle.algorithm} (model)", get_task(evaluation.task).baseline]
    columns += list(evaluation.comparisons)
    rows = [
        [name, value, evaluation.baseline[name]]
        + [scores[name] for scores in evaluation.comparisons.values()]
        for name, value in evaluation.metrics.items()
    ]
    table = markdown_table(
        ["metric", *columns], [[r[0], *(f"{v:.4f}" for v in r[1:])] for r in rows]
    )
    return summary_section(spec, bundle, evaluation, scored, "Model", table)


def data_section(spec: PipelineSpec, batches: Sequence[tuple[str, int]]) -> Section | None:
    """Which landing batches the model was trained and scored on, with their rows (None for a
    pipeline with one source)."""
    if not batches:
        return None
    train_on = spec.source.train_on
    which = f"the last {train_on.last} by file name" if train_on else "every one"
    total = sum(rows for _, rows in batches)
    return Section(
        "## Data\n\n"
        f"{len(batches)} validated batch{'es' if len(batches) > 1 else ''} of "
        f"`{spec.source.landing}` ({which}), {total} rows in all, split and scored together:"
        "\n\n" + markdown_table(["batch", "rows"], [[f"`{k}`", n] for k, n in batches])
    )


def learning_curve_section(bundle: ModelBundle) -> Section | None:
    """The training loss per epoch, when the estimator records one (`loss_curve_`)."""
    curve = getattr(bundle.estimator, "loss_curve_", None)
    if curve is None:
        return None
    figure = new_figure()
    ax = figure.add_subplot()
    ax.plot(np.arange(1, len(curve) + 1), curve)
    ax.set(xlabel="epoch", ylabel="loss", title=f"Learning curve of {bundle.algorithm}")
    return Section(
        "## Learning curve\n\n"
        f"Training loss per epoch ({len(curve)} epochs, last {curve[-1]:.4g}).\n\n"
        "![Learning curve](learning_curve.png)",
        {"learning_curve": figure},
    )


def sweep_section(spec: PipelineSpec, evaluation: Evaluation) -> Section | None:
    """The loss curves of `evaluation.loss_curves` (one refit per value), table and plot."""
    curves = evaluation.details["loss_curves"]
    if not curves:
        return None
    param = spec.evaluation.loss_curves.param
    title = _sweep_title(param, list(curves))
    scored = "training" if evaluation.scored_on == TRAINING else "held-out"
    sweep_scores = evaluation.details["sweep_scores"]
    rows = [
        [value, f"{c[0]:.4g}", f"{c[-1]:.4g}", str(len(c)), f"{sweep_scores[value]:.4g}"]
        for value, c in curves.items()
    ]
    header = [param, "first-epoch loss", "last-epoch loss", "epochs"]
    table = markdown_table([*header, f"{scored} {evaluation.headline}"], rows)
    figure = new_figure()
    ax = figure.add_subplot()
    for value, curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, label=f"{param} = {value}")
    values = np.concatenate([np.asarray(c, dtype=float) for c in curves.values()])
    if values.min() > 0 and values.max() / values.min() > 100:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend()
    return Section(f"## {title}\n\n{table}\n\n![{title}](loss_curves.png)", {"loss_curves": figure})


def _sweep_title(param: str, values: list[str]) -> str:
    label = param.replace("_", " ")
    label = label if label.endswith("s") else label + "s"
    listed = ", ".join(values[:-1]) + " and " + values[-1] if len(values) > 1 else values[0]
    return f"Error per epoch for {label} {listed}"


def coefficients_section(bundle: ModelBundle) -> Section | None:
    """The fitted coefficient of each feature (linear models), non-zero ones counted."""
    coef = getattr(bundle.estimator, "coef_", None)
    if coef is None or np.ndim(coef) != 1 or len(coef) != len(bundle.feature_names):
        return None
    nonzero = [(name, c) for name, c in zip(bundle.feature_names, coef, strict=True) if c != 0]
    rows = [
        [f"`{name}`", f"{c:.6g}", "" if c != 0 else "zero"]
        for name, c in zip(bundle.feature_names, coef, strict=True)
    ]
    intercept = float(np.ravel(getattr(bundle.estimator, "intercept_", 0.0))[0])
    listed = ", ".join(f"`{name}` ({c:.4g})" for name, c in nonzero) or "none"
    markdown = (
        "## Coefficients\n\n"
        f"{len(nonzero)} of {len(coef)} coefficients are non-zero: {listed}. "
        f"Intercept {intercept:.6g}.\n\n" + markdown_table(["feature", "coefficient", ""], rows)
    )
    return Section(markdown)


def fitted_line_section(spec: PipelineSpec, bundle: ModelBundle, normalized: pl.DataFrame):
    """For one numeric input and a numeric target: the data and the model's curve over it."""
    transform = bundle.transform
    if len(transform.inputs) != 1 or transform.text_column or not _numeric_target(normalized, spec):
        return None
    name = transform.inputs[0]
    position = transform.columns.index(name)
    raw_x = normalized[name].to_numpy() * transform.scale[position] + transform.offset[position]
    grid = np.linspace(raw_x.min(), raw_x.max(), 200)
    curve = bundle.predict(pl.DataFrame({name: grid}))
    figure = new_figure()
    ax = figure.add_subplot()
    for part, color in (("train", "tab:blue"), ("test", "tab:orange")):
        rows = (normalized[SPLIT] == part).to_numpy()
        if rows.any():
            ax.scatter(
                raw_x[rows],
                normalized[spec.target].to_numpy()[rows],
                s=12,
                color=color,
                label=f"{part} rows",
            )
    ax.plot(grid, curve, color="black", label=f"{bundle.algorithm} fit")
    ax.set(xlabel=name, ylabel=spec.target, title=f"Fitted {bundle.algorithm} over the data")
    ax.legend()
    return Section(
        "## Fitted line\n\n![The fitted model over the data](fitted_line.png)",
        {"fitted_line": figure},
    )


def _numeric_target(normalized: pl.DataFrame, spec: PipelineSpec) -> bool:
    dtype = normalized.schema[spec.target]
    return dtype.is_float() or (dtype.is_integer() and normalized[spec.target].n_unique() > 10)


def examples_section(spec: PipelineSpec, bundle: ModelBundle) -> Section | None:
    """Predictions for the spec's example rows (`evaluation.examples`)."""
    examples = spec.evaluation.examples
    if not examples:
        return None
    frame = pl.DataFrame(examples)
    predictions = bundle.predict(frame)
    header = [*frame.columns, f"predicted {spec.target}"]
    rows = [
        [*(str(v) for v in row), str(p)]
        for row, p in zip(frame.iter_rows(), predictions, strict=True)
    ]
    proba = getattr(bundle.estimator, "predict_proba", None)
    if proba is not None:
        probabilities = proba(bundle.transform.to_array(frame))
        classes = list(bundle.estimator.classes_)
        header.append("probability of the prediction")
        for row, p, label in zip(rows, probabilities, predictions, strict=True):
            row.append(f"{p[classes.index(label)]:.3f}")
    return Section("## Predictions for the examples\n\n" + markdown_table(header, rows))


def text_terms_section(spec: PipelineSpec, bundle: ModelBundle, normalized: pl.DataFrame):
    """The non-zero bag-of-words (or TF-IDF) terms of the first rows, with their weights."""
    transform = bundle.transform
    if not transform.text_column:
        return None
    prefix = f"{transform.text_column}="
    words = [c for c in transform.columns if c.startswith(prefix)]
    shown = normalized.head(20)
    rows = []
    for i, row in enumerate(shown.select(*words, spec.target, SPLIT).iter_rows(named=True)):
        terms = [(w.removeprefix(prefix), row[w]) for w in words if row[w] != 0]
        listed = ", ".join(f"{t} {v:.3g}" for t, v in sorted(terms, key=lambda tv: -tv[1]))
        rows.append([str(i), str(row[spec.target]), row[SPLIT], listed or "(none)"])
    kind = {"tfidf": "TF-IDF", "binary": "binary"}.get(transform.weighting, "count")
    markdown = (
        f"## Non-zero {kind} terms\n\n"
        f"Vocabulary of {len(words)} tokens fitted on the train rows; the non-zero {kind} "
        f"weights of the first {shown.height} rows:\n\n"
        + markdown_table(["row", spec.target, "split", "terms"], rows)
    )
    return Section(markdown)
