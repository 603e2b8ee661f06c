"""A report section: Markdown plus the figures it links to (`![...](name.png)`)."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field

from matplotlib.figure import Figure

DPI = 100
_IMAGE_LINK = re.compile(r"(!\[[^\]]*\])\(([^)\s]+)\.png\)")


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
