"""Schema of short texts labelled with their topic."""

from __future__ import annotations

import pandera.polars as pa


class Topics(pa.DataFrameModel):
    """One short text per row and the topic it is about."""

    text: str = pa.Field(str_length={"min_value": 1}, description="The text.")
    topic: str = pa.Field(str_length={"min_value": 1}, description="Its topic label.")

    class Config:
        # strict: an unexpected column means the source changed, so fail rather than pass it on.
        strict = True
        coerce = True
