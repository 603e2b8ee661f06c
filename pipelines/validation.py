"""Validate a Polars frame against a pandera DataFrameModel, reporting every problem at once.

The report splits the input rows into `valid` and `rejected` (with a reason per row) and keeps
failures that belong to no row (a missing column, a failed dataframe-level check) apart, so a
pipeline can either fail with the whole story or quarantine the bad rows and go on.

How pandera 0.35's polars backend reports `SchemaErrors.failure_cases` (columns
failure_case: str, schema_context, column, check, check_number, index: Int32), found by
experiment, and what this module makes of it:

- Column checks (ranges, isin, not_nullable, field_uniqueness) give one case per failing
  value with its 0-based row in `index`: row-level. NaN counts as null for not_nullable and
  also fails range checks; every copy of a duplicated value is reported.
- A dataframe-level check returning one boolean per row gives the failing rows (as JSON) with
  their index: row-level. One returning a single boolean is reported at index 0 with row 0
  as JSON: here a frame error. A check that raises gives the exception text, index null.
- A missing column (`column_in_dataframe`) and an unknown one under `strict`
  (`column_in_schema`) carry the column name in `failure_case`, the schema name in `column`.
- `coerce=True` cannot be reported on: a missing column makes polars raise
  ColumnNotFoundError out of `validate`; the first column that fails to cast stops the casting
  of all later ones, and its bad values are filed under the schema's name, not the column's;
  2.5 becomes the integer 2 without a word. So this module casts column by column itself
  (a value the cast loses is a row-level `coerce_dtype('<dtype>')` failure, reported once for
  its cell) and runs pandera on the cast frame with coercion off.

Non-finite numbers: after the cast, every inf, -inf or NaN in a float column is a row-level
`finite` failure (a number beyond float64's ±1.8e308, such as 1e309, is read as inf), unless
the column's Field allows it: `pa.Field(metadata={"allow_inf": True, "allow_nan": True})`
(either key alone). Like a cast failure, it is reported once for its cell, not again by
pandera's range or nullability checks. An allowed inf still meets the range checks; an
allowed NaN passes all the column's checks (pandera would fail it as a null and as out of
range). A missing value is a null, never NaN: say which texts
mean null with the CSV source's `null_values`.

Rows are named by a `row_label` (`line N` of a CSV file, `row N` of a frame; see
`pipelines.sources.row_label`); the `row` column of the tables stays the frame's 0-based row,
and the rejected table's `where` column holds the label (so it outlives the file).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

ROW = "row"
WHERE = "where"
REASON = "reason"
FAILURE_SCHEMA = {"column": pl.String, "check": pl.String, "failure_case": pl.String, ROW: pl.Int64}
_FRAME_CHECK_FAILED = "False"
FINITE = "finite"
_FINITE_HINT = (
    'refused unless its Field says metadata={"allow_inf": True} or {"allow_nan": True}; '
    "a number beyond ±1.8e308 reads as inf"
)


def frame_row(row: int) -> str:
    """A row of a frame (or a parquet file) as messages name it, counted from 0."""
    return f"row {row}"


@dataclass(frozen=True)
class ColumnInfo:
    """One column a schema declares: dtype, nullability, check names and description."""

    name: str
    dtype: str
    nullable: bool
    checks: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class ValidationReport:
    """All a validation found; `valid` and `rejected` share the input rows between them.

    `failures` has one row per failure case (column, check, failure_case, row); `row` is null
    for failures that belong to no row, which are also spelled out in `frame_errors`.
    `rejected` has `row`, `where` (the row's label), the input columns as read, and `reason`.
    """

    n_rows: int
    failures: pl.DataFrame
    valid: pl.DataFrame
    rejected: pl.DataFrame
    frame_errors: tuple[str, ...]
    schema: str
    row_label: Callable[[int], str] = frame_row

    @property
    def ok(self) -> bool:
        """True when nothing failed: no row and no frame-level check."""
        return self.failures.is_empty()

    @property
    def rejected_fraction(self) -> float:
        """Share of input rows rejected (0.0 for an empty input)."""
        return self.rejected.height / self.n_rows if self.n_rows else 0.0

    def summary(self, sample: int = 5) -> str:
        """Per failing (column, check): rows failing, sample values and rows; then frame errors."""
        return failure_summary(
            self.failures, self.frame_errors, self.n_rows, self.schema, self.row_label, sample
        )


def failure_summary(
    failures: pl.DataFrame,
    frame_errors: tuple[str, ...],
    n_rows: int,
    schema: str,
    row_label: Callable[[int], str] = frame_row,
    sample: int = 5,
) -> str:
    """Per failing (column, check) of a failures table: rows failing, sample values and rows;
    then the frame errors (`ValidationReport.summary`, also of a report merged over batches)."""
    lines = []
    row_level = failures.filter(pl.col(ROW).is_not_null())
    for (column, check), group in row_level.group_by(["column", "check"], maintain_order=True):
        cases = ", ".join(
            f"{_shorten(case)} ({row_label(row)})"
            for case, row in group.head(sample).select("failure_case", ROW).iter_rows()
        )
        more = f", and {group.height - sample} more" if group.height > sample else ""
        n_failing = group[ROW].n_unique()
        hint = f" ({_FINITE_HINT})" if check == FINITE else ""
        lines.append(
            f"{column or 'dataframe'}: {check} fails in {n_failing} row(s): {cases}{more}{hint}"
        )
    if frame_errors:
        lines.append("frame errors:")
        lines.extend(f"  {error}" for error in frame_errors)
    return "\n".join(lines) or f"all {n_rows} rows conform to {schema}"


class DataValidationError(ValueError):
    """Data that does not conform to its schema; `report` holds the full ValidationReport."""

    def __init__(self, report: ValidationReport):
        self.report = report
        headline = (
            f"{report.rejected.height} of {report.n_rows} rows fail schema {report.schema}"
            + (f"; {len(report.frame_errors)} frame error(s)" if report.frame_errors else "")
        )
        super().__init__(f"{headline}\n{report.summary()}")


def validate_frame(
    df: pl.DataFrame, schema: type | pa.DataFrameSchema, row_label: Callable[[int], str] = frame_row
) -> ValidationReport:
    """Check `df` against a pandera DataFrameModel (or a polars `DataFrameSchema` derived from
    one), all checks at once; never raises on bad data.

    `row_label` names a row in messages (`line N` of the CSV file `df` was read from, say)."""
    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"validate_frame expects a polars DataFrame, got {type(df).__name__}")
    frame_schema = copy.deepcopy(_to_schema(schema))
    typed, cast_failures = _cast_columns(df, frame_schema)
    non_finite, allowed_nan = _non_finite(typed, frame_schema)
    cell_failures = pl.concat([cast_failures, non_finite])
    frame_schema.coerce = False
    for column in frame_schema.columns.values():
        column.coerce = False
    try:
        frame_schema.validate(typed, lazy=True)
        checked = pl.DataFrame(schema=FAILURE_SCHEMA)
    except pa.errors.SchemaErrors as exc:
        checked = _pandera_failures(exc, frame_schema, df.height)
    # A cell that failed to cast (null in `typed`) or is not finite: report it once, as that.
    decided = pl.concat([cell_failures, allowed_nan]).select("column", ROW)
    checked = checked.join(decided, on=["column", ROW], how="anti")
    failures = ordered_failures(pl.concat([cell_failures, checked]), list(frame_schema.columns))

    row_failures = failures.filter(pl.col(ROW).is_not_null())
    bad_rows = row_failures[ROW].unique()
    in_bad_rows = pl.int_range(pl.len(), dtype=pl.Int64).is_in(bad_rows.implode())
    return ValidationReport(
        n_rows=df.height,
        failures=failures,
        valid=typed.filter(~in_bad_rows),
        rejected=_rejected(df, row_failures, row_label),
        frame_errors=tuple(
            _frame_error(*fields)
            for fields in failures.filter(pl.col(ROW).is_null())
            .select("column", "check", "failure_case")
            .iter_rows()
        ),
        schema=frame_schema.name,
        row_label=row_label,
    )


def column_schema(schema: type) -> list[ColumnInfo]:
    """The columns a pandera DataFrameModel declares, in order, with their checks."""
    return [
        ColumnInfo(
            name=name,
            dtype=str(column.dtype),
            nullable=column.nullable,
            checks=(
                *(["unique"] if column.unique else []),
                *(_check_name(c) for c in column.checks),
            ),
            description=column.description or column.title,
        )
        for name, column in _to_schema(schema).columns.items()
    ]


def _to_schema(schema: type | pa.DataFrameSchema) -> pa.DataFrameSchema:
    if isinstance(schema, pa.DataFrameSchema):
        return schema
    if not (isinstance(schema, type) and issubclass(schema, pa.DataFrameModel)):
        raise TypeError(f"expected a pandera.polars DataFrameModel class, got {schema!r}")
    return schema.to_schema()


def _check_name(check: pa.Check) -> str:
    """The name pandera files a check's failures under."""
    return check.error or check.name


def _cast_columns(
    df: pl.DataFrame, schema: pa.DataFrameSchema
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`df` with each declared column cast to its dtype, and one failure per value the cast lost.

    A column that cannot be cast at all (a list to an integer, say) is left as it is: pandera
    then reports its dtype as a frame error.
    """
    cast_columns, failures = [], [pl.DataFrame(schema=FAILURE_SCHEMA)]
    for name, column in schema.columns.items():
        if name not in df.columns or column.dtype is None:
            continue
        source, target = df.schema[name], column.dtype.type
        if source == target:
            continue
        cast = pl.col(name).cast(target, strict=False)
        if source.is_float() and target.is_integer():
            cast = pl.when(pl.col(name) == pl.col(name).round()).then(cast)
        try:
            cast_series = df.select(cast.alias(name)).to_series()
        except pl.exceptions.PolarsError:
            continue
        lost = cast_series.is_null() & df[name].is_not_null()
        if lost.any():
            failures.append(_cell_failures(name, f"coerce_dtype('{target}')", df[name], lost))
        cast_columns.append(cast_series)
    return df.with_columns(cast_columns), pl.concat(failures)


def _non_finite(df: pl.DataFrame, schema: pa.DataFrameSchema) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One `finite` failure per inf, -inf or NaN of a float column whose Field does not allow
    it (metadata allow_inf / allow_nan), and the (column, row) of each allowed NaN: pandera
    would fail it as a null and out of range, so it is exempt from the column's checks."""
    failures, exempt = [pl.DataFrame(schema=FAILURE_SCHEMA)], [pl.DataFrame(schema=FAILURE_SCHEMA)]
    for name, column in schema.columns.items():
        if name not in df.columns or not df.schema[name].is_float():
            continue
        allowed = column.metadata or {}
        tests = {"allow_inf": pl.col(name).is_infinite(), "allow_nan": pl.col(name).is_nan()}
        refused = [test for key, test in tests.items() if not allowed.get(key)]
        if refused:
            failing = df.select(pl.any_horizontal(refused).fill_null(False)).to_series()
            failures.append(_cell_failures(name, FINITE, df[name], failing))
        if allowed.get("allow_nan"):
            exempt.append(_cell_failures(name, "", df[name], df[name].is_nan().fill_null(False)))
    return pl.concat(failures), pl.concat(exempt)


def _cell_failures(column: str, check: str, values: pl.Series, failing: pl.Series) -> pl.DataFrame:
    """One failure of `check` per value of `column` where `failing` is true, with its row."""
    return pl.DataFrame(
        {
            "column": column,
            "check": check,
            "failure_case": values.filter(failing).cast(pl.String),
            ROW: failing.arg_true().cast(pl.Int64),
        },
        schema=FAILURE_SCHEMA,
    )


def _pandera_failures(
    exc: pa.errors.SchemaErrors, schema: pa.DataFrameSchema, n_rows: int
) -> pl.DataFrame:
    """pandera's failure cases as (column, check, failure_case, row), per the module docstring."""
    frame_check_ids = {id(check): number for number, check in enumerate(schema.checks)}
    one_value_checks = [
        frame_check_ids[id(error.check)]
        for error in exc.schema_errors
        if id(error.check) in frame_check_ids
        and isinstance(error.check_output, pl.DataFrame)
        and not error.check_output.height == n_rows > 1
    ]
    cases = exc.failure_cases
    in_frame = pl.col("schema_context") == "DataFrameSchema"
    one_value = in_frame & pl.col("check_number").is_in(one_value_checks)
    presence = in_frame & pl.col("check").is_in(["column_in_dataframe", "column_in_schema"])
    return cases.select(
        column=pl.when(presence)
        .then(pl.col("failure_case"))
        .when(~in_frame)
        .then(pl.col("column")),
        check=pl.col("check"),
        failure_case=pl.when(one_value)
        .then(pl.lit(_FRAME_CHECK_FAILED))
        .otherwise(pl.col("failure_case").cast(pl.String))
        .fill_null("null"),
        row=pl.when(~one_value).then(pl.col("index")).cast(pl.Int64),
    )


def ordered_failures(failures: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Frame-level failures first, then row failures by schema column, check and row."""
    position = (
        pl.col("column")
        .replace_strict(
            {name: i for i, name in enumerate(columns)}, default=len(columns), return_dtype=pl.Int64
        )
        .fill_null(len(columns))
    )
    return failures.sort(
        pl.col(ROW).is_not_null(),
        position.fill_null(len(columns)),
        "check",
        ROW,
        maintain_order=True,
    )


def _rejected(
    df: pl.DataFrame, row_failures: pl.DataFrame, row_label: Callable[[int], str]
) -> pl.DataFrame:
    """The failing input rows as read: `row`, `where`, the original columns, and the failing
    checks."""
    clash = [name for name in (ROW, WHERE, REASON) if name in df.columns]
    if clash and not row_failures.is_empty():
        raise ValueError(
            f"cannot list rejected rows: the data has column(s) {', '.join(clash)}, "
            "which the rejected table uses for the row number, its label and the reason"
        )
    label = pl.when(pl.col("column").is_null()).then(pl.col("check"))
    label = label.otherwise(pl.concat_str("column", pl.lit(":"), "check"))
    reasons = (
        row_failures.sort(ROW, maintain_order=True)
        .group_by(ROW, maintain_order=True)
        .agg(label.unique(maintain_order=True).str.join("; ").alias(REASON))
    )
    numbered = df.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    rejected = numbered.join(reasons, on=ROW, how="inner").sort(ROW)
    labels = pl.Series(WHERE, [row_label(row) for row in rejected[ROW]], pl.String)
    return rejected.insert_column(1, labels)


def _frame_error(column: str | None, check: str, failure_case: str) -> str:
    """One failure that belongs to no row, as a sentence."""
    if check == "column_in_dataframe":
        return f"column '{failure_case}' is missing"
    if check == "column_in_schema":
        return f"column '{failure_case}' is not declared in the schema (strict)"
    subject = "dataframe check" if column is None else f"column '{column}': check"
    detail = "" if failure_case == _FRAME_CHECK_FAILED else ": " + failure_case.partition("\n")[0]
    return _shorten(f"{subject} {check} failed{detail}", 160)


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
