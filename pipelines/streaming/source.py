"""A streamed source: the files a spec's `source: {parquet|csv: …, stream: …}` names (or the
parts a streamed generator source writes, `generate_parts`), their batches, and what
`<p>/raw` records of them after one streamed pass (`StreamSource`: the files, rows, schema
and content hash), which is all it stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pipelines.generators import get_generator
from pipelines.paths import PROJECT_ROOT
from pipelines.spec import CsvSource, GeneratorSource, PipelineSpec
from pipelines.streaming.batches import StreamHash, batches, scan, source_files, write_part


@dataclass(frozen=True)
class StreamSource:
    """The files of a streamed source (absolute, in read order), their rows and columns
    (name → Polars dtype), and the SHA-256 of their content (`StreamHash`)."""

    files: tuple[str, ...]
    rows: int
    schema: dict[str, str]
    content_hash: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; `from_dict` inverts it."""
        return {
            "files": list(self.files),
            "rows": self.rows,
            "schema": self.schema,
            "content_hash": self.content_hash,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StreamSource:
        """Rebuild from `to_dict` output."""
        return cls(
            tuple(data["files"]), int(data["rows"]), dict(data["schema"]), data["content_hash"]
        )


def source_pattern(spec: PipelineSpec) -> Path:
    """The source's path or glob, absolute (relative ones are under the project root)."""
    source = spec.source
    ref = Path(source.csv if isinstance(source, CsvSource) else source.parquet)
    return ref if ref.is_absolute() else PROJECT_ROOT / ref


def stream_files(spec: PipelineSpec) -> list[Path]:
    """The files the streamed source names, sorted; FileNotFoundError naming the pipeline."""
    if spec.stream is None:
        raise ValueError(f"pipeline {spec.name} does not stream its source")
    if isinstance(spec.source, GeneratorSource):
        raise ValueError(f"pipeline {spec.name} streams generated parts: pass their files")
    try:
        return source_files(source_pattern(spec))
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"source of pipeline '{spec.name}': {exc}") from None


def scan_source(spec: PipelineSpec, files: list[Path] | None = None) -> pl.LazyFrame:
    """A lazy scan of the streamed source's files (`stream_files` if not given)."""
    csv = spec.source if isinstance(spec.source, CsvSource) else None
    return scan(files or stream_files(spec), csv)


def source_batches(spec: PipelineSpec, files: list[Path] | None = None) -> Iterator[pl.DataFrame]:
    """The streamed source's rows, `stream.batch_rows` at a time."""
    return batches(scan_source(spec, files), spec.stream.batch_rows)


def generate_parts(spec: PipelineSpec, folder: Path) -> int:
    """Write a streamed generator source's rows into `folder` as parts of `stream.batch_rows`
    rows, part i drawn with the seed SeedSequence([seed, i]) gives; returns the parts
    written. One part is in memory at a time."""
    source = spec.source
    if not isinstance(source, GeneratorSource) or spec.stream is None:
        raise ValueError(f"pipeline {spec.name} does not stream a generator source")
    generate = get_generator(source.generator)
    size = spec.stream.batch_rows
    starts = range(0, source.rows, size)
    for index, start in enumerate(starts):
        seed = int(np.random.SeedSequence([source.seed, index]).generate_state(1)[0])
        rows = min(size, source.rows - start)
        write_part(folder, index, generate(rows, seed, **source.params))
    return len(starts)


def describe_source(spec: PipelineSpec, files: list[Path] | None = None) -> StreamSource:
    """One streamed pass over the source (or over `files`, generated parts): its files,
    rows, schema and content hash."""
    files = files or stream_files(spec)
    digest, rows, schema = StreamHash(), 0, None
    for batch in source_batches(spec, files):
        digest.update(batch)
        rows += batch.height
        schema = schema or {name: str(dtype) for name, dtype in batch.schema.items()}
    if schema is None:
        raise ValueError(f"source of pipeline '{spec.name}' has no rows ({source_pattern(spec)})")
    return StreamSource(tuple(str(f) for f in files), rows, schema, digest.hexdigest())
