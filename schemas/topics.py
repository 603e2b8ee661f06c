"""Schema of short texts labelled with their topic."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel


class Topics(StrictModel):
    """One short text per row and the topic it is about."""

    text: str = pa.Field(str_length={"min_value": 1}, description="The text.")
    topic: str = pa.Field(str_length={"min_value": 1}, description="Its topic label.")
