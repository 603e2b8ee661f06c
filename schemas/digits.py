"""Schema of the 8×8 handwritten digits: 64 pixel intensities (0–16) and the digit shown."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel

IMAGE_SHAPE = (8, 8)
PIXELS = [f"p{i}" for i in range(IMAGE_SHAPE[0] * IMAGE_SHAPE[1])]


def _pixel_field(i: int):
    row, col = divmod(i, IMAGE_SHAPE[1])
    return pa.Field(ge=0, le=16, description=f"Ink in row {row}, column {col} (0–16).")


# 64 near-identical columns: the model is built from the pixel names instead of written out.
Digits = type(
    "Digits",
    (StrictModel,),
    {
        "__module__": __name__,
        "__doc__": "1,797 images, row-major 8×8 pixels `p0`…`p63` (ink 0–16), and the digit.",
        "__annotations__": {**{name: int for name in PIXELS}, "digit": int},
        **{name: _pixel_field(i) for i, name in enumerate(PIXELS)},
        "digit": pa.Field(ge=0, le=9, description="The digit drawn, 0–9."),
    },
)
