"""Read a pipeline's source data into a Polars frame, and fingerprint a frame's content.

File paths in a spec are relative to the project root (absolute paths are allowed). A CSV is
read with its source's options (`pipelines.read_options.CsvOptions`); a CSV column with mixed
values is read as text so that validation, not the reader, reports the offending rows.

A file that cannot be read gives one short ValueError naming the file and, for a CSV, the
line at fault: a quote that is never closed, a line with too many fields, bytes that are not
in the file's encoding (with the `encoding` option to set), a directory given as the file.
Messages about rows name them as the user finds them: `line N` of a CSV file (the header is
line 1) and `row N` of a parquet file or a generated frame (counted from 0, as
`frame[N]`); `row_label` gives that numbering for a source.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from pipelines.generators import get_generator
from pipelines.paths import PROJECT_ROOT
from pipelines.read_options import CsvOptions
from pipelines.spec import CsvSource, GeneratorSource, LandingSource, PipelineSpec

RowLabel = Callable[[int], str]
DEFAULT_CSV = CsvOptions()
_SNIFF_BYTES = 1 << 16
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_QUOTED = re.compile(r"`([^`]*)`")


def read_source(spec: PipelineSpec, batch: str | None = None) -> pl.DataFrame:
    """The raw frame of a pipeline: its CSV or parquet file, its generator's output, or the
    file `batch` of its landing folder."""
    source = spec.source
    if isinstance(source, GeneratorSource):
        return get_generator(source.generator)(source.rows, source.seed, **source.params)
    path = source_path(spec, batch)
    if isinstance(source, LandingSource):
        if not path.is_file():
            raise FileNotFoundError(
                f"batch {batch} of pipeline '{spec.name}' not found in its landing folder "
                f"{source.landing} (looked for {path}); was it moved or deleted?"
            )
    elif not path.exists():
        ref = source.csv if isinstance(source, CsvSource) else source.parquet
        raise FileNotFoundError(
            f"source file {ref} of pipeline '{spec.name}' not found (looked for {path})"
        )
    return read_table(path, _csv_options(spec))


def source_path(spec: PipelineSpec, batch: str | None = None) -> Path | None:
    """The file a pipeline reads (absolute): its source file, or the file `batch` of its
    landing folder; None for a generated source."""
    source = spec.source
    if isinstance(source, GeneratorSource):
        return None
    if isinstance(source, LandingSource):
        if batch is None:
            raise ValueError(f"pipeline '{spec.name}' reads batches: name the batch to read")
        return source.folder / batch
    ref = source.csv if isinstance(source, CsvSource) else source.parquet
    return Path(ref) if Path(ref).is_absolute() else PROJECT_ROOT / ref


def row_label(spec: PipelineSpec, batch: str | None = None) -> RowLabel:
    """How messages name a row of the pipeline's raw frame (of landing batch `batch`): `line N`
    of its CSV file, else `row N`."""
    path = source_path(spec, batch)
    return file_row_label(path, _csv_options(spec)) if path is not None else frame_row


def file_row_label(path: Path | str, options: CsvOptions = DEFAULT_CSV) -> RowLabel:
    """`line N` of a CSV file's row (where its record starts; header = line 1), else `row N`."""
    path = Path(path)
    return CsvLines(path, options) if path.suffix.lower() == ".csv" else frame_row


def frame_row(row: int) -> str:
    """A row of a frame or a parquet file, counted from 0."""
    return f"row {row}"


class CsvLines:
    """Row → `line N` of a CSV file. Row r starts on line r + 2 unless quoted fields hold line
    breaks; the file is scanned once, on the first call, to count them."""

    def __init__(self, path: Path, options: CsvOptions):
        self.path, self.options = path, options
        self._starts: list[int] | None = None

    def __call__(self, row: int) -> str:
        if self._starts is None:
            self._starts = _record_starts(self.path, self.options)
        starts = self._starts
        return f"line {starts[row] if row < len(starts) else row + 2}"


def read_table(path: Path | str, options: CsvOptions = DEFAULT_CSV) -> pl.DataFrame:
    """A `.csv` (read with `options`) or `.parquet` file as a frame; ValueError naming the file
    (and the line at fault) if it cannot be read."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"cannot read {path}: it is a directory; expected a .csv or .parquet file")
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} not found")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"cannot read {path}: expected a .csv or .parquet file")
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        _refuse_wide_encodings(path, options)
        return pl.read_csv(
            path,
            infer_schema_length=None,
            separator=options.separator,
            null_values=list(options.null_values),
            empty_string_is_null="" in options.null_values,
            encoding=options.encoding,
        )
    except UnicodeDecodeError as exc:
        raise ValueError(_encoding_message(path, options, exc.start)) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        reason = _QUOTED.sub(_shorten_quoted, str(exc).split("\n\n")[0].strip())
        if suffix == ".parquet":
            raise ValueError(f"cannot read {path}: {reason}") from None
        if "invalid utf-8" in reason:
            raise ValueError(_encoding_message(path, options, _first_bad_utf8(path))) from None
        raise ValueError(f"cannot read {path}: {_csv_problem(path, options)}{reason}") from None


def _shorten_quoted(match: re.Match) -> str:
    """A `value` polars quotes in its message, on one line and cut to 40 characters: a stray
    quote makes polars quote the rest of the file."""
    text = match.group(1).replace("\n", "\\n")
    return f"`{text[:40]}…`" if len(text) > 40 else f"`{text}`"


def _refuse_wide_encodings(path: Path, options: CsvOptions) -> None:
    """ValueError when a file to be read as UTF-8 is UTF-16/32 (a byte-order mark or NULs):
    polars would read it without an error, as columns of garbage."""
    if options.python_encoding[0] != "utf-8":
        return
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    guess = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if guess is None and b"\x00" in head:
        guess = "utf-16"
    if guess is not None:
        raise ValueError(
            f"cannot read {path}: it is not UTF-8 text, it looks {guess.upper()} encoded; "
            f"set the read option `encoding: {guess}` in the pipeline's csv source"
        )


def _encoding_message(path: Path, options: CsvOptions, offset: int) -> str:
    """'not valid <encoding> text at line N' with the read option that fixes it."""
    with path.open("rb") as handle:
        line = handle.read(offset).count(b"\n") + 1
    return (
        f"cannot read {path}: line {line} is not valid {options.encoding} text; set the read "
        "option `encoding` in the pipeline's csv source to the file's encoding (e.g. "
        "`encoding: latin-1`), or `encoding: utf8-lossy` to replace the bad bytes"
    )


def _first_bad_utf8(path: Path) -> int:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


class _MalformedRecord(ValueError):
    """A CSV record Python's csv module cannot parse; `line` is where the record starts."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line


def _csv_records(path: Path, options: CsvOptions) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of each CSV record, the header first, as Python's csv
    module reads it with the file's separator and encoding; _MalformedRecord at a bad one."""
    codec, errors = options.python_encoding
    with path.open(newline="", encoding=codec, errors=errors) as handle:
        records = csv.reader(handle, delimiter=options.separator, strict=True)
        end = 0
        while True:
            try:
                fields = next(records)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _MalformedRecord(end + 1, str(exc)) from None
            yield end + 1, records.line_num, fields
            end = records.line_num


def _record_starts(path: Path, options: CsvOptions) -> list[int]:
    """The line each data row of a CSV file starts on (empty if the file cannot be scanned)."""
    try:
        return [start for start, _, _ in _csv_records(path, options)][1:]
    except (_MalformedRecord, OSError, UnicodeError):
        return []


def _csv_problem(path: Path, options: CsvOptions) -> str:
    """'line N: what is wrong; ' for the first malformed CSV record, else ''."""
    header: list[str] | None = None
    try:
        for start, end, fields in _csv_records(path, options):
            if header is None:
                header = fields
            elif len(fields) > len(header) and start == end:
                return f"line {start} has {len(fields)} fields, the header has {len(header)}; "
            elif len(fields) != len(header) and start != end:
                return f"line {start}: a quoted field runs on to line {end} (a stray quote?); "
    except _MalformedRecord as exc:
        if "unexpected end of data" in str(exc):
            return f"line {exc.line}: a quote opens a field that is never closed; "
        return f"line {exc.line}: {exc}; "
    except (OSError, UnicodeError):
        return ""
    return ""


def _csv_options(spec: PipelineSpec) -> CsvOptions:
    return spec.source if isinstance(spec.source, CsvOptions) else DEFAULT_CSV


def content_hash(df: pl.DataFrame) -> str:
    """SHA-256 hex of the frame's schema and CSV text: equal frames hash equal in any process."""
    digest = hashlib.sha256(repr(list(df.schema.items())).encode())
    try:
        digest.update(df.write_csv(null_value="", quote_style="necessary").encode())
    except pl.exceptions.ComputeError as exc:
        raise ValueError(f"cannot hash frame with schema {dict(df.schema)}: {exc}") from None
    return digest.hexdigest()
