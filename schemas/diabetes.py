"""Schema of the diabetes data (Efron et al. 2004): ten baseline measurements of 442 patients."""

from __future__ import annotations

import pandera.polars as pa

from schemas.base import StrictModel


class Diabetes(StrictModel):
    """Age, sex, BMI, blood pressure and six serum measurements; progression after one year."""

    age: int = pa.Field(ge=0, le=120, description="Age in years.")
    sex: int = pa.Field(isin=[1, 2], description="Sex, coded 1 or 2.")
    bmi: float = pa.Field(gt=10.0, lt=70.0, description="Body mass index.")
    bp: float = pa.Field(gt=40.0, lt=200.0, description="Average blood pressure.")
    s1: int = pa.Field(gt=0, description="tc, total serum cholesterol.")
    s2: float = pa.Field(gt=0.0, description="ldl, low-density lipoproteins.")
    s3: float = pa.Field(gt=0.0, description="hdl, high-density lipoproteins.")
    s4: float = pa.Field(gt=0.0, description="tch, total cholesterol / HDL.")
    s5: float = pa.Field(gt=0.0, description="ltg, possibly log of serum triglycerides level.")
    s6: float = pa.Field(gt=0.0, description="glu, blood sugar level.")
    progression: int = pa.Field(
        ge=0, le=400, description="Quantitative measure of disease progression one year later."
    )
