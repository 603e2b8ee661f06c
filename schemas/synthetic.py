"""Schemas of the generated regression data sets (`pipelines/generators/synthetic.py`)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel

_FINITE = {"nullable": False, "ignore_na": False}


class Regression1D(StrictModel):
    """One feature `x0` and a numeric target `y` (make_regression-style or the tutorial line)."""

    x0: float = pa.Field(description="The single feature.", **_FINITE)
    y: float = pa.Field(description="The target.", **_FINITE)


def _unit_features(name: str, n_features: int, doc: str) -> type[pa.DataFrameModel]:
    """A schema of features x0 … x{n−1} in [0, 1] and a numeric target y."""
    fields = {
        f"x{j}": pa.Field(ge=0.0, le=1.0, description=f"Feature {j}, uniform on [0, 1].")
        for j in range(n_features)
    }
    fields["y"] = pa.Field(description="The target.", **_FINITE)
    annotations = dict.fromkeys(fields, float)
    body = {"__annotations__": annotations, "__doc__": doc, **fields}
    return type(name, (StrictModel,), body | {"__module__": __name__})


SparseLinear20 = _unit_features(
    "SparseLinear20", 20, "Twenty uniform features of which only x0, x1, x2 drive y."
)


class SumSign2D(StrictModel):
    """Two standard-normal features and the sign of their sum as the label (−1 or 1)."""

    x0: float = pa.Field(description="First feature, N(0, 1).", **_FINITE)
    x1: float = pa.Field(description="Second feature, N(0, 1).", **_FINITE)
    label: int = pa.Field(isin=[-1, 1], description="1 where x0 + x1 > 0, else −1.")


class Xor(StrictModel):
    """The four rows of the XOR truth table: two bits in, their exclusive or out."""

    x0: int = pa.Field(isin=[0, 1], description="First input bit.")
    x1: int = pa.Field(isin=[0, 1], description="Second input bit.")
    y: int = pa.Field(isin=[0, 1], description="x0 XOR x1.")
