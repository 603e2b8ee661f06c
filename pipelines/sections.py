"""A report section: Markdown plus the figures it links to (`![...](name.png)`)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
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
    """An empty figure of the report's dpi with constrained layout."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


@dataclass
class Section:
    """Markdown and its figures by name; the Markdown links each as `name.png`."""

    markdown: str
    figures: dict[str, Figure] = field(default_factory=dict)


def png_bytes(figure: Figure) -> bytes:
    """The figure as a deterministic PNG (fixed dpi, no "Software" tag)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def inline_markdown(section: Section) -> str:
    """The section's Markdown with each figure embedded as a base64 PNG (for Dagster's UI)."""

    def inline(match: re.Match[str]) -> str:
        figure = section.figures.get(match.group(2))
        if figure is None:
            return match.group(0)
        data = base64.b64encode(png_bytes(figure)).decode("ascii")
        return f"{match.group(1)}(data:image/png;base64,{data})"

    return _IMAGE_LINK.sub(inline, section.markdown)
