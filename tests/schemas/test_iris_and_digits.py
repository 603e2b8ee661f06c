"""The iris and digits schemas accept the shipped files and name what is wrong otherwise."""

import polars as pl
import pytest
from pandera.errors import SchemaError

from pipelines.paths import DATA_DIR
from schemas.digits import PIXELS, Digits
from schemas.iris import Iris


def test_shipped_files_conform():
    iris = Iris.validate(pl.read_csv(DATA_DIR / "iris.csv"))
    assert iris.shape == (150, 5)
    assert iris.get_column("species").value_counts().get_column("count").to_list() == [50] * 3
    digits = Digits.validate(pl.read_csv(DATA_DIR / "digits.csv"))
    assert digits.shape == (1797, 65)
    assert list(digits.columns) == [*PIXELS, "digit"]
    assert digits.select(pl.max_horizontal(PIXELS).max()).item() == 16


def test_digits_declares_each_pixel_with_its_place():
    columns = Digits.to_schema().columns
    assert columns["p9"].description == "Ink in row 1, column 1 (0–16)."
    assert Digits.__doc__.startswith("1,797 images")


@pytest.mark.parametrize(
    ("schema", "frame", "message"),
    [
        (Iris, {"species": "rose"}, "species"),
        (Iris, {"petal_width": -0.1}, "petal_width"),
        (Digits, {"p17": 17}, "p17"),
        (Digits, {"digit": 10}, "digit"),
    ],
)
def test_bad_values_are_named(schema, frame, message):
    source = "iris.csv" if schema is Iris else "digits.csv"
    df = pl.read_csv(DATA_DIR / source).head(3)
    ((column, value),) = frame.items()
    df = df.with_columns(pl.lit(value).cast(df.schema[column]).alias(column))
    with pytest.raises(SchemaError, match=message):
        schema.validate(df)
