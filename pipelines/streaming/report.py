"""The report of a streamed table pipeline: the metrics summary, what was streamed (parts,
rows, epochs, how many rows validation set aside), the loss per batch, the coefficients and
the spec's example predictions. Per-row plots (confusion matrix, predictions against truth)
are left out: a streamed evaluation keeps counts, not rows.
"""

from __future__ import annotations

import numpy as np

from pipelines.bundle import ModelBundle
from pipelines.evaluation_result import Evaluation
from pipelines.report_sections import coefficients_section, examples_section, summary
from pipelines.sections import Section, SectionBuilder, markdown_table, new_figure
from pipelines.spec import PipelineSpec


def streamed_section(
    spec: PipelineSpec, evaluation: Evaluation, rows_read: int, rows_rejected: int
) -> Section:
    """How the table was streamed: rows read and set aside, parts, batch size and epochs."""
    stream, details = spec.stream, evaluation.details
    rows = [
        ["rows read", rows_read],
        ["rows set aside by validation", rows_rejected],
        ["stored parts (batches)", details["parts"]],
        ["batch_rows", stream.batch_rows],
        ["train rows / test rows", f"{details['n_train']} / {details['n_test']}"],
        ["epochs (each in a fresh seeded order of parts)", stream.epochs],
    ]
    return Section(
        "## Streamed data\n\n"
        "The table was never held in memory: it was validated, split (a seeded hash of each "
        "row's number), scaled, trained on and scored one part at a time.\n\n"
        + markdown_table(["", "value"], rows)
    )


def batch_loss_section(bundle: ModelBundle) -> Section | None:
    """The training loss of each `partial_fit` call (one per part and epoch), if recorded."""
    curve = getattr(bundle.estimator, "loss_curve_", None)
    if curve is None or not len(curve):
        return None
    figure = new_figure()
    ax = figure.add_subplot()
    ax.plot(np.arange(1, len(curve) + 1), curve)
    ax.set(xlabel="batch (partial_fit call)", ylabel="loss", title="Loss per batch")
    return Section(
        "## Learning curve\n\n"
        f"Training loss of each batch as it was learned ({len(curve)} batches, last "
        f"{curve[-1]:.4g}).\n\n![Loss per batch](batch_loss.png)",
        {"batch_loss": figure},
    )


def report_sections(
    spec: PipelineSpec,
    bundle: ModelBundle,
    evaluation: Evaluation,
    rows_read: int,
    rows_rejected: int,
) -> list[SectionBuilder]:
    """The streamed report's sections, in order."""
    return [
        lambda: summary(spec, bundle, evaluation),
        lambda: streamed_section(spec, evaluation, rows_read, rows_rejected),
        lambda: batch_loss_section(bundle),
        lambda: coefficients_section(bundle),
        lambda: examples_section(spec, bundle),
    ]
