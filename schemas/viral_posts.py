"""Schemas of the viral-post data: the chapter's five seed posts and the generated raw posts.

Dataframe-level checks return a one-value LazyFrame, not a Python bool: pandera 0.35's
polars backend cannot assemble its failure report when a bool check fails beside others.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.base import StrictModel


class ViralPostsSeed(StrictModel):
    """Posts with when they went out, their length, early engagement and the viral label."""

    post_id: int = pa.Field(ge=1, unique=True, description="Identifier of the post, unique, ≥ 1.")
    hour: int = pa.Field(ge=0, le=23, description="Hour of day the post went out (0–23).")
    content_length: int = pa.Field(ge=0, description="Length of the post text in characters.")
    engagement_score: float = pa.Field(
        ge=0.0, le=100.0, description="Early engagement score (0–100) soon after posting."
    )
    viral: int = pa.Field(isin=[0, 1], description="1 if the post went viral, else 0.")

    @pa.dataframe_check
    def viral_has_both_classes(cls, data: PolarsData) -> pl.LazyFrame:
        """A classifier can only be trained when both viral = 0 and viral = 1 occur."""
        viral = pl.col("viral")
        return data.lazyframe.select((viral == 0).any() & (viral == 1).any())


class RawViralPosts(ViralPostsSeed):
    """Generated posts: the seed columns plus weekday, media, hashtags and audience size."""

    weekday: int = pa.Field(ge=0, le=6, description="Day of the week, 0 = Monday … 6 = Sunday.")
    has_media: int = pa.Field(isin=[0, 1], description="1 if the post has an image or video.")
    hashtag_count: int = pa.Field(ge=0, le=30, description="Number of hashtags in the post.")
    follower_count: int = pa.Field(ge=0, description="Followers of the author when posting.")
