"""The weekly batches of viral_posts_weekly: rebuilt byte for byte, week 4 shifted."""

from __future__ import annotations

import polars as pl

from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.generators.weekly_posts import (
    LANDING,
    TO_SCORE,
    week_name,
    weekly_posts,
    write_example,
)


def test_the_shipped_files_are_rebuilt_byte_for_byte(tmp_path):
    written = write_example(tmp_path / "landing", tmp_path / "to_score")
    names = [p.name for p in written]
    assert names == [f"2024-01-{d}.csv" for d in ("08", "15", "22", "29")] + ["2024-02-05.csv"]
    for path in written[:4]:
        assert path.read_bytes() == (LANDING / path.name).read_bytes()
    assert written[4].read_bytes() == (TO_SCORE / written[4].name).read_bytes()


def test_week_four_reads_twenty_points_high_with_the_old_labels():
    drifted = pl.read_csv(LANDING / week_name(4))
    plain = generate_viral_posts(1000, 104)
    shifted = (plain["engagement_score"] + 20.0).clip(upper_bound=100.0)
    assert (drifted["engagement_score"] - shifted).abs().max() < 1e-9
    assert drifted["viral"].to_list() == plain["viral"].to_list()
    assert drifted["post_id"].to_list() == list(range(40_001, 41_001))


def test_the_rows_to_score_have_no_target():
    rows = pl.read_csv(TO_SCORE / week_name(5))
    assert "viral" not in rows.columns and rows.height == 1000
    assert rows.drop("post_id").equals(weekly_posts(5).drop("viral", "post_id"))
