"""Schema inference: column profiles, attribute names, and the schema module it writes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.schema_inference import (
    attribute_names,
    class_name,
    profile_column,
    profile_frame,
    schema_module,
)
from pipelines.sources import read_table
from pipelines.validation import validate_frame

RUFF = Path(sys.executable).with_name("ruff")

# Sorted by the target, NA and empty cells as nulls, a categorical column, a space in a name.
CSV = """customer_id,tenure,monthly charges,plan,churned
1,12,29.5,basic,no
2,40,NA,premium,no
3,7,55.25,basic,no
4,61,80.0,family,no
5,3,,basic,no
6,25,99.75,premium,no
7,33,42.0,family,yes
8,2,NA,basic,yes
9,18,70.5,premium,yes
10,5,64.0,basic,
11,9,90.0,family,yes
12,1,20.25,premium,yes
"""


@pytest.fixture
def frame(tmp_path: Path) -> pl.DataFrame:
    path = tmp_path / "churn.csv"
    path.write_text(CSV)
    return read_table(path)


def _module(tmp_path: Path, source: str, name: str = "inferred_schema"):
    """Import a generated schema module from a file (it imports schemas.base like a shipped one)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_profile_measures_types_nulls_ranges_and_categories(frame):
    profile = profile_frame(frame)
    assert profile.rows == 12
    by_name = {c.name: c for c in profile.columns}
    assert [c.kind for c in profile.columns] == ["int", "int", "float", "str", "str"]
    assert (by_name["tenure"].minimum, by_name["tenure"].maximum) == (1, 61)
    charges = by_name["monthly charges"]
    assert (charges.nulls, charges.minimum, charges.maximum) == (3, 20.25, 99.75)
    assert by_name["plan"].categories == ("basic", "family", "premium")
    assert by_name["churned"].categories == ("no", "yes")
    assert by_name["churned"].nulls == 1
    assert by_name["customer_id"].row_id and not by_name["tenure"].row_id
    assert [c.complete for c in profile.columns] == [True, True, False, True, False]


def test_free_text_has_no_categories_and_ids_are_found_by_name():
    names = profile_column(pl.Series("name", [f"n{i}" for i in range(30)]))
    assert (names.kind, names.distinct, names.categories) == ("str", 30, None)
    # Twenty values in 40 rows are categories; the same twenty in 39 rows are not (not < half).
    assert profile_column(pl.Series("c", [f"v{i % 20}" for i in range(41)])).categories
    assert profile_column(pl.Series("c", [f"v{i % 20}" for i in range(40)])).categories is None
    shuffled = [5, 3, 9, 1, 7]
    assert profile_column(pl.Series("CustomerID", shuffled)).row_id
    assert not profile_column(pl.Series("visits", shuffled)).row_id
    assert profile_column(pl.Series("visits", sorted(shuffled))).row_id
    assert not profile_column(pl.Series("user_id", [1, 2, 2])).row_id


def test_nan_and_inf_are_counted_and_the_range_is_over_finite_values():
    column = profile_column(pl.Series("x", [1.5, float("nan"), float("inf"), -2.0, None]))
    assert (column.nulls, column.nan, column.pos_inf, column.neg_inf) == (1, 1, 1, 0)
    assert (column.minimum, column.maximum) == (-2.0, 1.5)
    assert not column.complete


def test_integers_beyond_64_bits_and_all_null_columns_are_text():
    huge = profile_column(pl.Series("big", [2**100, 1], dtype=pl.Int128))
    assert huge.kind == "str"
    empty = profile_column(pl.Series("empty", [None, None], dtype=pl.String))
    assert (empty.kind, empty.nulls, empty.categories) == ("str", 2, None)


def test_attribute_names_alias_what_is_not_a_plain_identifier():
    columns = ["age", "monthly charges", "class", "validate", "2nd try", "a b", "a_b", "_x"]
    assert attribute_names(columns) == {
        "age": "age",
        "monthly charges": "monthly_charges",
        "class": "class_",
        "validate": "validate_",
        "2nd try": "c_2nd_try",
        "a b": "a_b_2",
        "a_b": "a_b",
        "_x": "x",
    }
    assert class_name("churn_2024") == "Churn2024"


def test_schema_module_declares_each_column_as_inferred(frame, tmp_path):
    source = schema_module(
        profile_frame(frame),
        "Churn",
        title="churn.csv",
        origin="/tmp/churn.csv on 2025-01-02",
        required=["churned"],
    )
    assert source.startswith(
        '"""Schema of churn.csv, inferred by `trainyard new` from 12 rows.\n\n'
        "Read from /tmp/churn.csv on 2025-01-02. Review it before relying on it: each range is "
    )
    assert "from schemas.base import StrictModel" in source
    schema = _module(tmp_path, source).Churn.to_schema()
    columns = schema.columns
    assert list(columns) == ["customer_id", "tenure", "monthly charges", "plan", "churned"]
    assert {name: str(c.dtype) for name, c in columns.items()} == {
        "customer_id": "Int64",
        "tenure": "Int64",
        "monthly charges": "Float64",
        "plan": "String",
        "churned": "String",
    }
    assert {name: c.nullable for name, c in columns.items()} == {
        "customer_id": False,
        "tenure": False,
        "monthly charges": True,
        "plan": False,
        "churned": False,
    }
    assert columns["customer_id"].unique
    checks = {name: {c.name: c.statistics for c in col.checks} for name, col in columns.items()}
    assert checks["tenure"] == {
        "greater_than_or_equal_to": {"min_value": 1},
        "less_than_or_equal_to": {"max_value": 61},
    }
    assert checks["monthly charges"]["greater_than_or_equal_to"] == {"min_value": 20.25}
    assert checks["monthly charges"]["less_than_or_equal_to"] == {"max_value": 99.75}
    assert checks["plan"] == {"isin": {"allowed_values": ["basic", "family", "premium"]}}
    assert checks["churned"] == {"isin": {"allowed_values": ["no", "yes"]}}
    assert schema.strict and schema.coerce


def test_the_inferred_schema_accepts_its_file_but_the_rows_without_a_target(frame, tmp_path):
    source = schema_module(
        profile_frame(frame), "Churn", title="churn.csv", origin="x", required=["churned"]
    )
    report = validate_frame(frame, _module(tmp_path, source).Churn)
    assert report.n_rows == 12 and report.valid.height == 11
    assert report.failures.select("column", "row").rows() == [("churned", 9)]
    nullable = schema_module(profile_frame(frame), "Churn", title="churn.csv", origin="x")
    assert validate_frame(frame, _module(tmp_path, nullable, "all_nullable").Churn).ok


def test_nan_and_inf_are_allowed_where_seen_and_not_in_a_required_column(tmp_path):
    frame = pl.DataFrame(
        {"x": [1.0, float("nan"), float("inf"), 3.0], "y": [0.5, 1.0, float("nan"), 2.0]}
    )
    source = schema_module(profile_frame(frame), "Numbers", title="n", origin="o", required=["y"])
    assert 'metadata={"allow_nan": True, "allow_inf": True}' in source
    assert "le=3.0" not in source  # an allowed inf would fail the upper bound
    module = _module(tmp_path, source)
    report = validate_frame(frame, module.Numbers)
    assert report.failures.select("column", "row").rows() == [("y", 2)]


def test_the_module_is_formatted_and_lint_clean(frame, tmp_path):
    if not RUFF.exists():
        pytest.skip(f"ruff is not installed beside {sys.executable} (a dev dependency)")
    long_texts = [f"a rather long category name number {i}" for i in range(15)]
    wide = pl.DataFrame(
        {
            "kind": long_texts * 3,
            "a very long column name that needs an alias and then some more words": [1.5] * 45,
            "id": list(range(45)),
            "flag": [True, False, None] * 15,
        }
    )
    source = schema_module(
        profile_frame(wide), "Wide", title="wide.csv", origin="/a/path/" + "x" * 80
    )
    churn = schema_module(profile_frame(frame), "Churn", title="churn.csv", origin="o")
    # The three ways a field is laid out: one line, arguments on one line, one per line.
    assert "    plan: str = pa.Field(isin=PLAN_VALUES" in churn
    assert "    churned: str = pa.Field(\n        isin=CHURNED_VALUES, nullable=True, " in churn
    assert '    monthly_charges: float = pa.Field(\n        alias="monthly charges",\n' in churn
    (tmp_path / "wide.py").write_text(source)
    (tmp_path / "churn.py").write_text(churn)
    root = Path(__file__).resolve().parents[2]
    for command in (["format", "--diff"], ["check"]):
        done = subprocess.run(
            [str(RUFF), *command, "--config", str(root / "pyproject.toml"), str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert max(len(line) for line in source.splitlines()) <= 100
    assert _module(tmp_path, source, "wide_module").Wide.to_schema().columns["flag"].nullable
