"""The base of every trainyard schema: strict columns, values coerced to the declared types."""

from __future__ import annotations

import pandera.polars as pa


class StrictModel(pa.DataFrameModel):
    """A pandera polars model that rejects unknown columns and coerces declared dtypes."""

    class Config:
        # strict: an unexpected column means the source changed, so fail rather than pass it on.
        strict = True
        coerce = True
