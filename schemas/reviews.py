"""Schema of short product reviews labelled with their sentiment."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.base import StrictModel


class Reviews(StrictModel):
    """One review text per row and its sentiment label (1 positive, 0 negative)."""

    review: str = pa.Field(str_length={"min_value": 1}, description="The review text.")
    sentiment: int = pa.Field(isin=[0, 1], description="1 for a positive review, 0 negative.")

    @pa.dataframe_check
    def both_sentiments(cls, data: PolarsData) -> pl.LazyFrame:
        """A classifier can only be trained when both sentiments occur."""
        sentiment = pl.col("sentiment")
        return data.lazyframe.select((sentiment == 0).any() & (sentiment == 1).any())
