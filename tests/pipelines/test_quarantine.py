"""The quarantine summary: counts, rows per failing check, the sample and its report section."""

from __future__ import annotations

import polars as pl

from pipelines.quarantine import Quarantine, data_quality_section, quarantine_headline
from pipelines.validation import validate_frame
from schemas.viral_posts import ViralPostsSeed


def _posts(n: int = 20) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "post_id": list(range(1, n + 1)),
            "hour": [h % 24 for h in range(n)],
            "content_length": [100] * n,
            "engagement_score": [50.0] * n,
            "viral": [h % 2 for h in range(n)],
        }
    )


def _quarantine(df: pl.DataFrame, limit: float = 0.25) -> Quarantine:
    report = validate_frame(df, ViralPostsSeed, lambda row: f"line {row + 2}")
    return Quarantine(report.n_rows, report.rejected, limit)


def _with(df: pl.DataFrame, column: str, rows: list[int], value) -> pl.DataFrame:
    chosen = pl.int_range(pl.len()).is_in(rows)
    return df.with_columns(pl.when(chosen).then(value).otherwise(pl.col(column)).alias(column))


def test_headline_counts_the_share_and_the_limit():
    assert quarantine_headline(11, 344, 0.05) == "11 of 344 rows quarantined (3.2%, limit 5%)"
    assert quarantine_headline(0, 0, 0.025) == "0 of 0 rows quarantined (0.0%, limit 2.5%)"


def test_reasons_are_counted_per_check_most_first():
    df = _with(_with(_posts(), "hour", [1, 4, 6], -1), "viral", [4, 9], 7)
    quarantine = _quarantine(df)
    assert quarantine.n_rejected == 4
    assert quarantine.reason_counts().rows() == [
        ("hour:greater_than_or_equal_to(0)", 3),
        ("viral:isin([0, 1])", 2),
    ]
    sample = quarantine.sample(2)
    assert sample.columns[:2] == ["where", "reason"]
    assert sample.select("where", "reason", "post_id").rows() == [
        ("line 3", "hour:greater_than_or_equal_to(0)", 2),
        ("line 6", "hour:greater_than_or_equal_to(0); viral:isin([0, 1])", 5),
    ]


def test_section_lists_counts_checks_and_the_first_ten_rows():
    quarantine = _quarantine(_with(_posts(40), "hour", list(range(12)), 30), limit=0.5)
    markdown = data_quality_section(quarantine).markdown
    assert markdown.startswith(
        "## Data quality\n\n12 of 40 rows quarantined (30.0%, limit 50%): these rows failed"
    )
    assert "the other 28 went on to training and scoring" in markdown
    assert "| hour:less_than_or_equal_to(23) | 12 |" in markdown
    assert "The first 10 of them, as read:" in markdown
    assert "| line 2 | hour:less_than_or_equal_to(23) | 1 | 30 | 100 | 50.0 | 0 |" in markdown
    assert "| line 11 |" in markdown and "| line 12 |" not in markdown


def test_section_says_when_nothing_was_quarantined():
    markdown = data_quality_section(_quarantine(_posts(), limit=0.05)).markdown
    assert markdown == (
        "## Data quality\n\nAll 20 rows read passed the schema; none was quarantined "
        "(max_rejected_fraction 0.05)."
    )


def test_a_pipe_in_the_data_does_not_break_the_table():
    rejected = pl.DataFrame(
        {"row": [0], "where": ["line 2"], "text": ["a|b"], "reason": ["text:isin(['x'])"]}
    )
    markdown = data_quality_section(Quarantine(3, rejected, 0.5)).markdown
    assert "| line 2 | text:isin(['x']) | a\\|b |" in markdown
