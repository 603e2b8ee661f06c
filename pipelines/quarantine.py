"""What a quarantine run set aside: counts, the rows per failing check, a sample of the rows.

One summary feeds every place a user looks: the `schema` check's description, the
`<p>/rejected` metadata, `trainyard show` (`quarantine_headline`) and the report's
"Data quality" section. The rows are the validation's rejected table (`row`, `where`, the
columns as read, `reason`; see `pipelines.validation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.sections import Section, markdown_table
from pipelines.validation import REASON, ROW, WHERE

SAMPLE_ROWS = 10
_REASON_SEPARATOR = "; "


def quarantine_headline(n_rejected: int, n_rows: int, limit: float) -> str:
    """'11 of 344 rows quarantined (3.2%, limit 5%)'."""
    share = n_rejected / n_rows if n_rows else 0.0
    return f"{n_rejected} of {n_rows} rows quarantined ({share:.1%}, limit {limit * 100:g}%)"


@dataclass(frozen=True)
class Quarantine:
    """The rows a quarantine run rejected out of `n_rows` read, under `max_rejected_fraction`."""

    n_rows: int
    rejected: pl.DataFrame
    max_rejected_fraction: float

    @property
    def n_rejected(self) -> int:
        """How many rows were set aside."""
        return self.rejected.height

    def headline(self) -> str:
        """The counts in one phrase (`quarantine_headline`)."""
        return quarantine_headline(self.n_rejected, self.n_rows, self.max_rejected_fraction)

    def reason_counts(self) -> pl.DataFrame:
        """(reason, rows): rows failing each `column:check`, most first; a row failing several
        checks counts under each."""
        return (
            self.rejected.select(pl.col(REASON).str.split(_REASON_SEPARATOR))
            .explode(REASON)
            .group_by(REASON)
            .len(name="rows")
            .sort(["rows", REASON], descending=[True, False])
        )

    def sample(self, limit: int = SAMPLE_ROWS) -> pl.DataFrame:
        """The first `limit` rejected rows: `where`, `reason`, then the columns as read."""
        head = self.rejected.head(limit).drop(ROW)
        return head.select(WHERE, REASON, pl.exclude(WHERE, REASON))


def data_quality_section(quarantine: Quarantine) -> Section:
    """How many rows were read and set aside, the limit, the rows per failing check and a
    sample of the rejected rows where the user finds them (`line N` of a CSV)."""
    limit = f"max_rejected_fraction {quarantine.max_rejected_fraction:g}"
    if quarantine.n_rejected == 0:
        return Section(
            "## Data quality\n\n"
            f"All {quarantine.n_rows} rows read passed the schema; none was quarantined "
            f"({limit})."
        )
    sample = quarantine.sample()
    rows = [[_cell(value) for value in row] for row in sample.iter_rows()]
    lead = (
        f"The first {sample.height} of them"
        if sample.height < quarantine.n_rejected
        else "They are"
    )
    markdown = (
        "## Data quality\n\n"
        f"{quarantine.headline()}: these rows failed the schema and were set aside in the "
        f"`rejected` asset; the other {quarantine.n_rows - quarantine.n_rejected} went on to "
        f"training and scoring. The run stops past {limit}.\n\n"
        "Rows failing each check (a row failing several counts under each):\n\n"
        + markdown_table(
            ["check", "rows"], [map(_cell, r) for r in quarantine.reason_counts().rows()]
        )
        + f"\n\n{lead}, as read:\n\n"
        + markdown_table(sample.columns, rows, align="l" * sample.width)
    )
    return Section(markdown)


def _cell(value: object) -> str:
    """A value as a Markdown table cell (a `|` in the data would end the cell)."""
    return "null" if value is None else str(value).replace("|", "\\|")
