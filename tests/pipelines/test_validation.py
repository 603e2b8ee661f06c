import pandera.polars as pa
import polars as pl
import pytest
from pandera.api.polars.types import PolarsData

from pipelines.validation import (
    ColumnInfo,
    DataValidationError,
    ValidationReport,
    column_schema,
    validate_frame,
)
from schemas.viral_posts import RawViralPosts, ViralPostsSeed

BAD_ROWS = [3, 7, 9]


def _posts(n: int = 10) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "post_id": range(1, n + 1),
            "hour": [(5 * i) % 24 for i in range(n)],
            "content_length": [100 + 10 * i for i in range(n)],
            "engagement_score": [10.0 * (i % 10) + 0.5 for i in range(n)],
            "viral": [i % 2 for i in range(n)],
        }
    )


def _three_problems(missing=None) -> pl.DataFrame:
    """Row 3: hour 30; row 7: engagement `missing`; row 9: viral 2."""
    df = _posts()
    row = pl.int_range(pl.len())
    return df.with_columns(
        hour=pl.when(row == 3).then(30).otherwise("hour"),
        engagement_score=pl.when(row == 7).then(missing).otherwise("engagement_score"),
        viral=pl.when(row == 9).then(2).otherwise("viral"),
    )


def _failures(report: ValidationReport) -> list[tuple]:
    return report.failures.rows()


def test_clean_frame_is_ok():
    df = _posts()
    report = validate_frame(df, ViralPostsSeed)
    assert report.ok
    assert report.n_rows == 10
    assert report.valid.equals(df)
    assert report.rejected.height == 0
    assert report.rejected.columns == ["row", "where", *df.columns, "reason"]
    assert report.rejected_fraction == 0.0
    assert report.frame_errors == ()
    assert report.failures.schema == pl.Schema(
        {"column": pl.String, "check": pl.String, "failure_case": pl.String, "row": pl.Int64}
    )
    assert report.summary() == "all 10 rows conform to ViralPostsSeed"


def test_all_problems_reported_at_once_with_rows():
    df = _three_problems(missing=None)
    report = validate_frame(df, ViralPostsSeed)
    assert not report.ok
    assert _failures(report) == [
        ("hour", "less_than_or_equal_to(23)", "30", 3),
        ("engagement_score", "not_nullable", "null", 7),
        ("viral", "isin([0, 1])", "2", 9),
    ]
    assert report.frame_errors == ()
    assert report.valid.equals(df.filter(~pl.int_range(pl.len()).is_in(BAD_ROWS)))
    assert report.rejected["row"].to_list() == BAD_ROWS
    assert report.rejected["where"].to_list() == ["row 3", "row 7", "row 9"]
    assert report.rejected.drop("row", "where", "reason").equals(df[BAD_ROWS])
    assert report.rejected["reason"].to_list() == [
        "hour:less_than_or_equal_to(23)",
        "engagement_score:not_nullable",
        "viral:isin([0, 1])",
    ]
    assert report.rejected_fraction == pytest.approx(0.3)


def test_nan_is_reported_once_as_not_finite():
    report = validate_frame(_three_problems(missing=float("nan")), ViralPostsSeed)
    assert report.rejected["row"].to_list() == BAD_ROWS
    reason = report.rejected.filter(pl.col("row") == 7)["reason"].item()
    assert reason == "engagement_score:finite"


def test_one_row_with_several_failures_is_rejected_once():
    df = _posts().with_columns(
        hour=pl.when(pl.int_range(pl.len()) == 2).then(-1).otherwise("hour"),
        viral=pl.when(pl.int_range(pl.len()) == 2).then(5).otherwise("viral"),
    )
    report = validate_frame(df, ViralPostsSeed)
    assert report.rejected["row"].to_list() == [2]
    assert (
        report.rejected["reason"].item() == "hour:greater_than_or_equal_to(0); viral:isin([0, 1])"
    )
    assert report.valid.height == 9


def test_duplicates_reject_every_copy():
    df = _posts().with_columns(post_id=pl.Series([1, 2, 3, 3, 5, 6, 7, 8, 9, 10]))
    report = validate_frame(df, ViralPostsSeed)
    assert _failures(report) == [
        ("post_id", "field_uniqueness", "3", 2),
        ("post_id", "field_uniqueness", "3", 3),
    ]


def test_missing_column_is_a_frame_error_and_row_checks_still_run():
    df = _three_problems().drop("hour")
    report = validate_frame(df, ViralPostsSeed)
    assert report.frame_errors == ("column 'hour' is missing",)
    assert ("hour", "column_in_dataframe", "hour", None) in _failures(report)
    assert report.rejected["row"].to_list() == [7, 9]
    assert report.valid.height == 8


def test_unknown_column_is_a_frame_error_under_strict():
    report = validate_frame(_posts().with_columns(likes=pl.lit(3)), ViralPostsSeed)
    assert report.frame_errors == ("column 'likes' is not declared in the schema (strict)",)
    assert not report.ok
    assert report.rejected.height == 0
    assert report.valid.height == 10


def test_failed_dataframe_check_is_a_frame_error():
    df = _posts().with_columns(viral=pl.lit(1, dtype=pl.Int64))
    report = validate_frame(df, ViralPostsSeed)
    assert report.frame_errors == ("dataframe check viral_has_both_classes failed",)
    assert _failures(report) == [(None, "viral_has_both_classes", "False", None)]
    assert not report.ok
    assert report.rejected.height == 0


def test_empty_frame_fails_the_dataframe_check():
    report = validate_frame(_posts().clear(), ViralPostsSeed)
    assert report.n_rows == 0
    assert report.rejected_fraction == 0.0
    assert report.frame_errors == ("dataframe check viral_has_both_classes failed",)


def test_values_that_cannot_be_cast_are_row_failures_reported_once():
    df = _posts().with_columns(
        hour=pl.col("hour").cast(pl.String).replace({"5": "five"}),
        content_length=pl.col("content_length").cast(pl.Float64) + pl.Series([0.0] * 9 + [0.5]),
        engagement_score=pl.col("engagement_score").cast(pl.String),
    )
    report = validate_frame(df, ViralPostsSeed)
    assert _failures(report) == [
        ("hour", "coerce_dtype('Int64')", "five", 1),
        ("content_length", "coerce_dtype('Int64')", "190.5", 9),
    ]
    assert report.valid.schema == _posts().schema
    assert report.valid.height == 8
    assert report.rejected["hour"].to_list() == ["five", "21"]


def test_column_that_cannot_be_cast_at_all_is_a_frame_error():
    df = _posts().with_columns(hour=pl.struct("hour"))
    report = validate_frame(df, ViralPostsSeed)
    assert (
        report.frame_errors[0]
        == "column 'hour': check dtype('Int64') failed: Struct({'hour': Int64})"
    )
    assert report.rejected.height == 0


def test_summary_names_columns_checks_counts_and_samples():
    df = _three_problems().with_columns(
        content_length=pl.when(pl.col("post_id") <= 7).then(-1).otherwise("content_length")
    )
    summary = validate_frame(df.drop("post_id"), ViralPostsSeed).summary(sample=2)
    assert summary.splitlines() == [
        "hour: less_than_or_equal_to(23) fails in 1 row(s): 30 (row 3)",
        "content_length: greater_than_or_equal_to(0) fails in 7 row(s): "
        "-1 (row 0), -1 (row 1), and 5 more",
        "engagement_score: not_nullable fails in 1 row(s): null (row 7)",
        "viral: isin([0, 1]) fails in 1 row(s): 2 (row 9)",
        "frame errors:",
        "  column 'post_id' is missing",
    ]


def test_data_validation_error_has_headline_summary_and_report():
    report = validate_frame(_three_problems().drop("post_id"), ViralPostsSeed)
    error = DataValidationError(report)
    assert isinstance(error, ValueError)
    assert error.report is report
    assert str(error).splitlines()[0] == "3 of 10 rows fail schema ViralPostsSeed; 1 frame error(s)"
    assert str(error).endswith(report.summary())


class _Orders(pa.DataFrameModel):
    """A schema with row-wise, whole-frame and broken dataframe-level checks."""

    amount: int = pa.Field(ge=0)
    limit: int

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def amount_within_limit(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("amount") <= pl.col("limit"))

    @pa.dataframe_check
    def at_least_three_orders(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len() >= 3)

    @pa.dataframe_check
    def broken(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("no_such_column") > 0)


def test_row_wise_dataframe_check_rejects_rows_and_others_are_frame_errors():
    df = pl.DataFrame({"amount": [5, 50, -1, 7], "limit": [10, 10, 10, 1]})
    report = validate_frame(df, _Orders)
    assert report.rejected["row"].to_list() == [1, 2, 3]
    assert report.rejected["reason"].to_list() == [
        "amount_within_limit",
        "amount:greater_than_or_equal_to(0)",
        "amount_within_limit",
    ]
    assert len(report.frame_errors) == 1
    assert report.frame_errors[0].startswith("dataframe check broken failed: ColumnNotFoundError")
    assert "at_least_three_orders" not in report.summary()


def test_whole_frame_check_after_a_row_wise_one_is_a_frame_error():
    report = validate_frame(pl.DataFrame({"amount": [5, 50], "limit": [10, 10]}), _Orders)
    assert report.rejected["row"].to_list() == [1]
    assert "dataframe check at_least_three_orders failed" in report.frame_errors


def test_column_schema_lists_columns_dtypes_checks_and_descriptions():
    columns = column_schema(ViralPostsSeed)
    assert [c.name for c in columns] == [
        "post_id",
        "hour",
        "content_length",
        "engagement_score",
        "viral",
    ]
    assert columns[0] == ColumnInfo(
        name="post_id",
        dtype="Int64",
        nullable=False,
        checks=("unique", "greater_than_or_equal_to(1)"),
        description="Identifier of the post, unique, ≥ 1.",
    )
    assert columns[3].dtype == "Float64"
    assert columns[3].checks == ("greater_than_or_equal_to(0.0)", "less_than_or_equal_to(100.0)")
    assert len(column_schema(RawViralPosts)) == 9


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError, match="expected a pandera.polars DataFrameModel class"):
        validate_frame(_posts(), dict)
    with pytest.raises(TypeError, match="expects a polars DataFrame, got LazyFrame"):
        validate_frame(_posts().lazy(), ViralPostsSeed)


def test_rejected_table_refuses_a_clashing_row_column():
    class _WithRow(pa.DataFrameModel):
        row: int = pa.Field(ge=0)

    with pytest.raises(ValueError, match="the data has column.s. row"):
        validate_frame(pl.DataFrame({"row": [1, -1]}), _WithRow)


class _Readings(pa.DataFrameModel):
    """Float columns without bounds: one plain, one that allows inf, one that allows NaN."""

    plain: float = pa.Field(nullable=True)
    spiky: float = pa.Field(metadata={"allow_inf": True})
    gappy: float = pa.Field(metadata={"allow_nan": True}, ge=0.0)


def _readings(**changes: list) -> pl.DataFrame:
    base = {"plain": [1.0, 2.0, 3.0, 4.0], "spiky": [1.0] * 4, "gappy": [1.0] * 4}
    return pl.DataFrame(base | changes)


def test_inf_and_nan_are_refused_in_a_column_without_bounds():
    inf = float("inf")
    report = validate_frame(_readings(plain=[inf, -inf, float("nan"), None]), _Readings)
    assert _failures(report) == [
        ("plain", "finite", "inf", 0),
        ("plain", "finite", "-inf", 1),
        ("plain", "finite", "NaN", 2),
    ]
    assert report.valid.height == 1  # a null in a nullable column is not a failure
    summary = report.summary()
    assert summary.startswith("plain: finite fails in 3 row(s): inf (row 0), -inf (row 1), NaN")
    assert '"allow_inf": True' in summary and "beyond ±1.8e308 reads as inf" in summary


def test_a_field_may_allow_inf_or_nan_and_its_other_checks_still_apply():
    inf, nan = float("inf"), float("nan")
    report = validate_frame(
        _readings(spiky=[inf, -inf, 1.0, nan], gappy=[nan, 1.0, -inf, -1.0]), _Readings
    )
    assert _failures(report) == [
        ("spiky", "finite", "NaN", 3),
        ("gappy", "finite", "-inf", 2),
        ("gappy", "greater_than_or_equal_to(0.0)", "-1.0", 3),
    ]


def test_text_that_casts_to_inf_is_refused():
    report = validate_frame(_readings(plain=["1e309", "inf", "2", "3"]), _Readings)
    assert _failures(report) == [("plain", "finite", "inf", 0), ("plain", "finite", "inf", 1)]


def test_summary_names_rows_with_the_row_label():
    report = validate_frame(_three_problems(), ViralPostsSeed, lambda row: f"line {row + 2}")
    assert "30 (line 5)" in report.summary()
    assert "30 (line 5)" in str(DataValidationError(report))
    assert report.rejected["row"].to_list() == BAD_ROWS
    assert report.rejected["where"].to_list() == ["line 5", "line 9", "line 11"]


def test_rejected_table_refuses_a_clashing_where_column():
    class _WithWhere(pa.DataFrameModel):
        where: str = pa.Field(isin=["here"])

    with pytest.raises(ValueError, match="the data has column.s. where"):
        validate_frame(pl.DataFrame({"where": ["here", "there"]}), _WithWhere)


def test_a_schema_object_derived_from_a_model_validates_too():
    without_target = ViralPostsSeed.to_schema().remove_columns(["viral"])
    report = validate_frame(_three_problems().drop("viral"), without_target)
    assert report.schema == "ViralPostsSeed"
    assert report.rejected["row"].to_list() == [3, 7]
    assert "hour: less_than_or_equal_to(23) fails in 1 row(s): 30 (row 3)" in report.summary()
