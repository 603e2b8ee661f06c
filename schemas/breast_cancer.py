"""Schema of the Wisconsin diagnostic breast cancer data: 30 cell-nucleus measurements."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel

MEASUREMENTS = {
    "radius": "mean distance from the centre to points on the perimeter",
    "texture": "standard deviation of grey-scale values",
    "perimeter": "perimeter of the nucleus",
    "area": "area of the nucleus",
    "smoothness": "local variation in radius lengths",
    "compactness": "perimeter² / area − 1",
    "concavity": "severity of concave portions of the contour",
    "concave_points": "number of concave portions of the contour",
    "symmetry": "symmetry of the nucleus",
    "fractal_dimension": '"coastline approximation" − 1',
}
FEATURES = [
    *(f"mean_{m}" for m in MEASUREMENTS),
    *(f"{m}_se" for m in MEASUREMENTS),
    *(f"worst_{m}" for m in MEASUREMENTS),
]


def _description(column: str) -> str:
    for measurement, meaning in MEASUREMENTS.items():
        if measurement in column:
            kind = (
                "mean"
                if column.startswith("mean_")
                else "worst"
                if column.startswith("worst_")
                else "standard error"
            )
            return f"{kind.capitalize()} over the image's nuclei of the {meaning}."
    raise ValueError(column)


def _schema() -> type[pa.DataFrameModel]:
    fields = {c: pa.Field(ge=0.0, description=_description(c)) for c in FEATURES}
    fields["diagnosis"] = pa.Field(
        isin=["benign", "malignant"], description="Diagnosis of the tumour."
    )
    annotations = {**dict.fromkeys(FEATURES, float), "diagnosis": str}
    body = {
        "__annotations__": annotations,
        "__doc__": "569 fine-needle aspirates: 30 nucleus measurements and the diagnosis.",
        "__module__": __name__,
        **fields,
    }
    return type("BreastCancer", (StrictModel,), body)


BreastCancer = _schema()
