"""Schema of the wine recognition data: 13 chemical measurements of three cultivars."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel


class Wine(StrictModel):
    """178 wines from three cultivars of the same Italian region, by chemical analysis."""

    alcohol: float = pa.Field(gt=0.0, lt=20.0, description="Alcohol (% by volume).")
    malic_acid: float = pa.Field(ge=0.0, description="Malic acid (g/l).")
    ash: float = pa.Field(ge=0.0, description="Ash (g/l).")
    alcalinity_of_ash: float = pa.Field(ge=0.0, description="Alcalinity of ash.")
    magnesium: int = pa.Field(ge=0, description="Magnesium (mg/l).")
    total_phenols: float = pa.Field(ge=0.0, description="Total phenols.")
    flavanoids: float = pa.Field(ge=0.0, description="Flavanoids.")
    nonflavanoid_phenols: float = pa.Field(ge=0.0, description="Nonflavanoid phenols.")
    proanthocyanins: float = pa.Field(ge=0.0, description="Proanthocyanins.")
    color_intensity: float = pa.Field(ge=0.0, description="Colour intensity.")
    hue: float = pa.Field(ge=0.0, description="Hue.")
    od280_od315: float = pa.Field(ge=0.0, description="OD280/OD315 of diluted wines.")
    proline: int = pa.Field(ge=0, description="Proline (mg/l).")
    cultivar: int = pa.Field(isin=[0, 1, 2], description="The cultivar, 0, 1 or 2.")
