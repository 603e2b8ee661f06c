"""Schema of Fisher's iris data: four flower measurements and the species."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel

SPECIES = ["setosa", "versicolor", "virginica"]


class Iris(StrictModel):
    """150 iris flowers, 50 of each species, measured in centimetres."""

    sepal_length: float = pa.Field(gt=0.0, lt=10.0, description="Sepal length (cm).")
    sepal_width: float = pa.Field(gt=0.0, lt=10.0, description="Sepal width (cm).")
    petal_length: float = pa.Field(gt=0.0, lt=10.0, description="Petal length (cm).")
    petal_width: float = pa.Field(gt=0.0, lt=10.0, description="Petal width (cm).")
    species: str = pa.Field(isin=SPECIES, description="The species: setosa, versicolor, virginica.")
