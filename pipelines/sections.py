"""Report building blocks: a section (Markdown plus the figures it links to as
`![...](name.png)`), and the one helper each for figures, Markdown tables and inlined images.

Figures use matplotlib's object API (`Figure`, rendered by Agg) — no pyplot, so no global
backend switch and no figure registry — at a fixed dpi, with the PNG "Software" tag dropped,
so the same content renders byte-identical files.
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from matplotlib.figure import Figure

DPI = 100
_IMAGE_LINK = re.compile(r"(!\[[^\]]*\])\(([^)\s]+)\.png\)")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A Markdown table; `align` has one letter per column, "l" (left) or "r" (right), and
    defaults to the first column left and the others right."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"
    lines = ["| " + " | ".join(map(str, header)) + " |", rule]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """An empty figure of the report's dpi with constrained layout (every report figure)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


@dataclass
class Section:
    """Markdown and its figures by name; the Markdown links each as `name.png`."""

    markdown: str
    figures: dict[str, Figure] = field(default_factory=dict)


def join_sections(*sections: Section) -> Section:
    """One section holding `sections` in order (their Markdown and all their figures)."""
    figures = {name: fig for section in sections for name, fig in section.figures.items()}
    return Section("\n\n".join(section.markdown for section in sections), figures)


# A report is built from a list of these: each returns its section, or None when it does
# not apply to the model or spec. They run inside the report's matplotlib style.
SectionBuilder = Callable[[], "Section | None"]


def png_bytes(figure: Figure) -> bytes:
    """The figure as a deterministic PNG (fixed dpi, no "Software" tag)."""
    # With a layout engine, `savefig` draws the figure twice: once unrendered, to lay it out,
    # then to render it. Laying it out first and saving with the layout switched off renders
    # the same bytes in one draw (a fifth of the report's time).
    engine = figure.get_layout_engine()
    if engine is not None and figure.axes:
        with contextlib.suppress(ValueError):  # as `Figure.draw` lays out: a failed layout warns
            engine.execute(figure)
        figure.set_layout_engine("none")
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    finally:
        if engine is not None and figure.axes:
            figure.set_layout_engine(engine)
    return buffer.getvalue()


def inline_images(markdown: str, png_of: Callable[[str], bytes | None]) -> str:
    """`markdown` with each `![...](name.png)` link replaced by a base64 data URI of
    `png_of(name)`; links it returns None for stay as they are."""

    def inline(match: re.Match[str]) -> str:
        data = png_of(match.group(2))
        if data is None:
            return match.group(0)
        return f"{match.group(1)}(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return _IMAGE_LINK.sub(inline, markdown)


def inline_markdown(section: Section) -> str:
    """The section's Markdown with each figure embedded as a base64 PNG (for Dagster's UI)."""

    def png_of(name: str) -> bytes | None:
        figure = section.figures.get(name)
        return None if figure is None else png_bytes(figure)

    return inline_images(section.markdown, png_of)
