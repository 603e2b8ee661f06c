"""Read a pipeline's source data into a Polars frame, and fingerprint a frame's content.

File paths in a spec are relative to the project root (absolute paths are allowed). A file
that is missing or cannot be parsed gives an error naming the file; a CSV column with mixed
values is read as text so that validation, not the reader, reports the offending rows.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import polars as pl

from pipelines.generators import get_generator
from pipelines.paths import PROJECT_ROOT
from pipelines.spec import CsvSource, GeneratorSource, PipelineSpec


def read_source(spec: PipelineSpec) -> pl.DataFrame:
    """The raw frame of a pipeline: its CSV or parquet file, or its generator's output."""
    source = spec.source
    if isinstance(source, GeneratorSource):
        return get_generator(source.generator)(source.rows, source.seed, **source.params)
    ref = source.csv if isinstance(source, CsvSource) else source.parquet
    path = Path(ref) if Path(ref).is_absolute() else PROJECT_ROOT / ref
    if not path.is_file():
        raise FileNotFoundError(
            f"source file {ref} of pipeline '{spec.name}' not found (looked for {path})"
        )
    return read_table(path)


def read_table(path: Path | str) -> pl.DataFrame:
    """A `.csv` or `.parquet` file as a frame; ValueError naming the file if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema_length=None)
        if suffix == ".parquet":
            return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        reason = str(exc).split("\n\n")[0].strip()
        where = _ragged_line(path) if suffix == ".csv" else ""
        raise ValueError(f"cannot read {path}: {reason}{where}") from None
    raise ValueError(f"cannot read {path}: expected a .csv or .parquet file")


def _ragged_line(path: Path) -> str:
    """'; line N has K fields, the header has H' for the first over-long CSV line, else ''."""
    with path.open(newline="", errors="replace") as handle:
        rows = csv.reader(handle)
        header = next(rows, [])
        for row in rows:
            if len(row) > len(header):
                return f"; line {rows.line_num} has {len(row)} fields, the header has {len(header)}"
    return ""


def content_hash(df: pl.DataFrame) -> str:
    """SHA-256 hex of the frame's schema and CSV text: equal frames hash equal in any process."""
    digest = hashlib.sha256(repr(list(df.schema.items())).encode())
    try:
        digest.update(df.write_csv(null_value="", quote_style="necessary").encode())
    except pl.exceptions.ComputeError as exc:
        raise ValueError(f"cannot hash frame with schema {dict(df.schema)}: {exc}") from None
    return digest.hexdigest()
