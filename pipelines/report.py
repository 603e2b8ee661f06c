"""Write a report — `report.md` + one PNG per figure in one directory, written atomically —
from a list of sections, and the summary section every kind's report opens with.

Each kind gives its list of section builders (`pipelines.kinds.table.report_sections`,
`pipelines.kinds.environment_report.report_sections`); the sections a task adds (confusion
matrix, clusters against the reference, predictions, the policy) come from
`pipelines.task_sections`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.style
from matplotlib.figure import Figure
from upath import UPath

from algorithms.atomic_files import atomic_directory
from pipelines.evaluation_result import Evaluation
from pipelines.paths import location
from pipelines.rendering import REPORT_STYLE, render_pngs
from pipelines.sections import Section, SectionBuilder, inline_images
from pipelines.spec_base import SpecBase

REPORT_FILE = "report.md"


@dataclass
class Report:
    """The rendered Markdown, where it was written, and its images by name (name.png beside it)."""

    markdown: str
    path: Path | UPath
    images: dict[str, Path | UPath]


def write_report(out_dir: str | Path | UPath, builders: Sequence[SectionBuilder]) -> Report:
    """Build the sections in order (a builder returning None adds nothing) in matplotlib's
    default style, and write report.md and their PNGs into `out_dir`, replacing it whole."""
    parts: list[str] = []
    figures: dict[str, Figure] = {}
    with matplotlib.style.context(REPORT_STYLE):
        for build in builders:
            section = build()
            if section is not None:
                parts.append(section.markdown)
                figures.update(section.figures)
        return save_report(out_dir, "\n\n".join(parts) + "\n", figures)


def save_report(out_dir: str | Path | UPath, markdown: str, figures: dict[str, Figure]) -> Report:
    """Write `report.md` and each figure as `<name>.png` into `out_dir` (a path or an fsspec
    URL), replacing it whole."""
    out_dir = location(out_dir)
    with atomic_directory(out_dir) as tmp:
        for name, png in render_pngs(figures).items():
            (tmp / f"{name}.png").write_bytes(png)
        (tmp / REPORT_FILE).write_text(markdown)
    return Report(
        markdown=markdown,
        path=out_dir / REPORT_FILE,
        images={name: out_dir / f"{name}.png" for name in figures},
    )


def markdown_with_inline_images(report: Report) -> str:
    """The report's Markdown with each `![...](name.png)` link replaced by a base64 data URI."""

    def png_of(name: str) -> bytes | None:
        path = report.images.get(name)
        return None if path is None else path.read_bytes()

    return inline_images(report.markdown, png_of)


def summary_section(
    spec: SpecBase, bundle: Any, evaluation: Evaluation, scored: str, role: str, table: str
) -> Section:
    """The report's opening: title, description, what was scored (`scored`), the model
    (`role`: "Model", "Agent") with its parameters and spec hash, the metrics table and the
    headline."""
    params = ", ".join(f"{k}={v}" for k, v in sorted(bundle.params.items()))
    return Section(
        f"# {spec.name}\n\n{spec.description.strip()}\n\n{scored}\n\n"
        f"{role}: `{bundle.algorithm}` with {params} (spec `{bundle.spec_hash[:12]}`).\n\n"
        f"## Metrics\n\n{table}\n\n"
        f"Headline: {evaluation.headline} = {evaluation.headline_value:.4f}."
    )
