"""Validate a table batch by batch with the pandera schema (every check, data checks too) and
merge what each batch found into one report over the whole table.

Each batch goes through `pipelines.validation.validate_frame`; its failures and rejected rows
are renumbered to the row's place in the whole table (`row` counted from 0 over all batches),
so the merged report names rows as a report on the whole table would. A check across rows
(`unique`, a dataframe-level check over all rows) sees one batch at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.streaming.batches import write_part
from pipelines.validation import (
    FAILURE_SCHEMA,
    ROW,
    ValidationReport,
    failure_summary,
    frame_row,
    ordered_failures,
    validate_frame,
)


def validate_batch(
    batch: pl.DataFrame,
    schema: type,
    first_row: int,
    row_label: Callable[[int], str] = frame_row,
) -> ValidationReport:
    """`validate_frame` of one batch whose first row is row `first_row` of the table: its
    failures' and rejected rows' `row` are the table's row numbers."""
    report = validate_frame(batch, schema, lambda row: row_label(first_row + row))
    return ValidationReport(
        n_rows=report.n_rows,
        failures=report.failures.with_columns(pl.col(ROW) + first_row),
        valid=report.valid,
        rejected=report.rejected.with_columns(pl.col(ROW) + first_row),
        frame_errors=report.frame_errors,
        schema=report.schema,
        row_label=row_label,
    )


@dataclass
class MergedValidation:
    """What validating every batch found, as one report: rows read, valid and rejected, the
    failures (one row per failure, `row` over the whole table) and the frame errors, for the
    schema named `schema` declaring `columns`. The failures are kept in memory: their size
    grows with the bad rows, not with the table."""

    schema: str
    columns: tuple[str, ...]
    row_label: Callable[[int], str] = frame_row
    n_rows: int = 0
    n_valid: int = 0
    n_batches: int = 0
    frame_errors: tuple[str, ...] = ()
    _failures: list[pl.DataFrame] = field(default_factory=list)

    def add(self, report: ValidationReport) -> None:
        """Merge one batch's report (from `validate_batch`)."""
        self.n_rows += report.n_rows
        self.n_valid += report.valid.height
        self.n_batches += 1
        if not report.failures.is_empty():
            self._failures.append(report.failures)
        new = [e for e in report.frame_errors if e not in self.frame_errors]
        self.frame_errors = (*self.frame_errors, *new)

    @property
    def failures(self) -> pl.DataFrame:
        """Every batch's failures, ordered as `validate_frame` orders a whole table's."""
        failures = pl.concat([pl.DataFrame(schema=FAILURE_SCHEMA), *self._failures])
        return ordered_failures(failures, list(self.columns))

    @property
    def n_rejected(self) -> int:
        """Rows set aside over all batches."""
        return self.n_rows - self.n_valid

    @property
    def ok(self) -> bool:
        """True when no batch had a failure."""
        return not self._failures

    @property
    def rejected_fraction(self) -> float:
        """Share of all rows rejected (0.0 when no row was read)."""
        return self.n_rejected / self.n_rows if self.n_rows else 0.0

    def summary(self, sample: int = 5) -> str:
        """The failures over all batches, as `ValidationReport.summary` words them."""
        return failure_summary(
            self.failures, self.frame_errors, self.n_rows, self.schema, self.row_label, sample
        )

    def headline(self) -> str:
        """'N of M rows fail schema S (in B batches)'."""
        return (
            f"{self.n_rejected} of {self.n_rows} rows fail schema {self.schema} "
            f"(validated in {self.n_batches} batches)"
            + (f"; {len(self.frame_errors)} frame error(s)" if self.frame_errors else "")
        )


def validate_stream(
    batches: Iterable[pl.DataFrame],
    schema: type,
    valid_dir: Path,
    rejected_dir: Path | None = None,
    row_label: Callable[[int], str] = frame_row,
) -> MergedValidation:
    """Validate each batch and store its valid rows as the next part of `valid_dir` (and its
    rejected rows, with `row`, `where` and `reason`, in `rejected_dir` when given); returns
    the one report over all batches. Batches whose rows all fail leave no valid part."""
    declared = schema.to_schema()
    merged = MergedValidation(declared.name, tuple(declared.columns), row_label)
    first_row = n_valid_parts = n_rejected_parts = 0
    for batch in batches:
        report = validate_batch(batch, schema, first_row, row_label)
        merged.add(report)
        first_row += batch.height
        if report.valid.height:
            write_part(valid_dir, n_valid_parts, report.valid)
            n_valid_parts += 1
        if rejected_dir is not None and report.rejected.height:
            write_part(rejected_dir, n_rejected_parts, report.rejected)
            n_rejected_parts += 1
    return merged
