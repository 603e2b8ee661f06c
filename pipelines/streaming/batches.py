"""Batches of a table that does not fit in memory: lazy scans of parquet files (a glob) or a
CSV file, cut into batches of a fixed number of rows, and the parquet parts a streamed step
stores (`part-00000.parquet`, …, one batch each, in order).

Nothing here collects a whole table: `batches` hands over one frame of at most `batch_rows`
rows at a time (Polars' `collect_batches`), and a stored part is read on its own.
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.read_options import POLARS_ENCODINGS, CsvOptions

PART_PATTERN = "part-*.parquet"


def source_files(pattern: str | Path) -> list[Path]:
    """The files a source path or glob names, sorted; FileNotFoundError when it names none."""
    files = sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
    if not files:
        raise FileNotFoundError(f"no file matches {pattern}")
    return files


def scan(files: Sequence[Path], csv: CsvOptions | None = None) -> pl.LazyFrame:
    """A lazy scan of parquet files (in the order given), or of one CSV file read with `csv`."""
    if csv is None:
        return pl.scan_parquet([str(f) for f in files])
    if len(files) != 1:
        raise ValueError(f"a streamed CSV source is one file, got {len(files)}")
    if csv.encoding not in POLARS_ENCODINGS:
        raise ValueError(
            f"a streamed CSV is decoded as it is read: encoding {csv.encoding!r} is not "
            f"supported, use one of {', '.join(POLARS_ENCODINGS)}"
        )
    return pl.scan_csv(
        files[0],
        infer_schema_length=None,
        separator=csv.separator,
        null_values=list(csv.null_values),
        encoding=csv.encoding,
    )


def batches(lazy: pl.LazyFrame, batch_rows: int) -> Iterator[pl.DataFrame]:
    """The rows of `lazy` in order, `batch_rows` at a time (the last batch may be shorter)."""
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")
    for batch in lazy.collect_batches(chunk_size=batch_rows):
        if batch.height:
            yield batch


def part_path(directory: Path, index: int) -> Path:
    """The path of stored part `index` in `directory`."""
    return Path(directory) / f"part-{index:05d}.parquet"


def write_part(directory: Path, index: int, frame: pl.DataFrame) -> Path:
    """Store one batch as part `index` of `directory`; returns its path."""
    path = part_path(directory, index)
    frame.write_parquet(path)
    return path


def parts(directory: Path) -> list[Path]:
    """The stored parts of `directory`, in order; FileNotFoundError if it is not a folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"stored parts folder {directory} not found")
    return sorted(directory.glob(PART_PATTERN))


def part_rows(paths: Sequence[Path]) -> list[int]:
    """The row count of each stored part, from the parquet metadata (no rows are read)."""
    return [pl.scan_parquet(p).select(pl.len()).collect().item() for p in paths]


class StreamHash:
    """SHA-256 of a table's schema and CSV text, fed one batch at a time: equal tables hash
    equal however they are batched (`pipelines.sources.content_hash` of the whole table)."""

    def __init__(self) -> None:
        self._digest = None

    def update(self, batch: pl.DataFrame) -> None:
        """Add the next batch's rows."""
        if self._digest is None:
            self._digest = hashlib.sha256(repr(list(batch.schema.items())).encode())
            text = batch.write_csv(null_value="", quote_style="necessary")
        else:
            text = batch.write_csv(null_value="", quote_style="necessary", include_header=False)
        self._digest.update(text.encode())

    def hexdigest(self) -> str:
        """The hash of every row added so far; ValueError before the first batch."""
        if self._digest is None:
            raise ValueError("no batch was hashed")
        return self._digest.hexdigest()


@dataclass(frozen=True)
class StoredParts:
    """A folder of parquet parts (`part-00000.parquet`, …) holding a streamed table."""

    directory: Path

    def paths(self) -> list[Path]:
        """The parts, in order."""
        return parts(self.directory)

    def rows(self) -> int:
        """Rows over all parts, from the parquet metadata."""
        return sum(part_rows(self.paths()))
