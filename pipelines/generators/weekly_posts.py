"""The weekly batches of the `viral_posts_weekly` example, made by the viral-post generator.

Week k (1, 2, …) is `generate_viral_posts(1000, 100 + k)` with post ids k·10,000 + 1, … (so
ids stay unique across weeks), written as `data/landing/viral_posts_weekly/<monday>.csv`,
Mondays from 2024-01-08. Week 4 is the drifted one: the platform's engagement counter
changed, so every `engagement_score` reads 20 points higher (capped at 100) while whether
a post went viral was drawn from the old scores. The rows to score
(`data/to_score/viral_posts_weekly/2024-02-05.csv`) are week 5 without the `viral` column.

Rebuild the shipped files byte for byte with `python -m pipelines.generators.weekly_posts`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.paths import DATA_DIR

ROWS = 1000
WEEKS = 4
DRIFTED_WEEK = 4
ENGAGEMENT_SHIFT = 20.0
FIRST_MONDAY = dt.date(2024, 1, 8)
LANDING = DATA_DIR / "landing" / "viral_posts_weekly"
TO_SCORE = DATA_DIR / "to_score" / "viral_posts_weekly"


def week_name(week: int) -> str:
    """The batch file name of week `week`: its Monday, e.g. `2024-01-08.csv` for week 1."""
    return f"{FIRST_MONDAY + dt.timedelta(weeks=week - 1)}.csv"


def weekly_posts(week: int, engagement_shift: float = 0.0) -> pl.DataFrame:
    """Week `week`'s 1,000 posts; `engagement_shift` points are added to every engagement
    score after virality was drawn (capped at 100)."""
    posts = generate_viral_posts(ROWS, 100 + week)
    return posts.with_columns(
        (pl.col("post_id") + week * 10_000).alias("post_id"),
        (pl.col("engagement_score") + engagement_shift).clip(upper_bound=100.0).round(2),
    )


def write_example(landing: Path = LANDING, to_score: Path = TO_SCORE) -> list[Path]:
    """Write the four weekly batches (week 4 drifted) and the rows to score; their paths."""
    landing.mkdir(parents=True, exist_ok=True)
    to_score.mkdir(parents=True, exist_ok=True)
    written = []
    for week in range(1, WEEKS + 1):
        shift = ENGAGEMENT_SHIFT if week == DRIFTED_WEEK else 0.0
        path = landing / week_name(week)
        weekly_posts(week, shift).write_csv(path)
        written.append(path)
    path = to_score / week_name(WEEKS + 1)
    weekly_posts(WEEKS + 1).drop("viral").write_csv(path)
    return [*written, path]


if __name__ == "__main__":
    for written in write_example():
        print(written)
