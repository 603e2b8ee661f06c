import numpy as np
import polars as pl
import pytest

from pipelines.read_options import CsvOptions
from pipelines.sources import content_hash
from pipelines.streaming.batches import (
    StreamHash,
    batches,
    part_rows,
    parts,
    scan,
    source_files,
    write_part,
)


@pytest.fixture
def table() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {"a": np.arange(2_500), "b": rng.random(2_500), "s": ["x,y", None, "z"] * 833 + ["w"]}
    )


def test_parquet_parts_and_a_csv_come_back_in_order_in_fixed_batches(tmp_path, table):
    table.slice(0, 1_200).write_parquet(tmp_path / "p-0.parquet")
    table.slice(1_200).write_parquet(tmp_path / "p-1.parquet")
    table.write_csv(tmp_path / "t.csv")
    files = source_files(tmp_path / "p-*.parquet")
    assert [f.name for f in files] == ["p-0.parquet", "p-1.parquet"]
    for lazy in (scan(files), scan([tmp_path / "t.csv"], CsvOptions())):
        got = list(batches(lazy, 700))
        assert [b.height for b in got] == [700, 700, 700, 400]
        assert pl.concat(got).equals(table)


def test_a_glob_matching_nothing_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file matches .*missing-\*\.parquet"):
        source_files(tmp_path / "missing-*.parquet")


def test_a_csv_codec_polars_cannot_stream_is_refused(tmp_path):
    with pytest.raises(ValueError, match="encoding 'latin-1' is not supported"):
        scan([tmp_path / "t.csv"], CsvOptions(encoding="latin-1"))


def test_the_streamed_hash_equals_the_whole_frame_hash(table):
    digest = StreamHash()
    for batch in batches(table.lazy(), 333):
        digest.update(batch)
    assert digest.hexdigest() == content_hash(table)
    other = StreamHash()
    other.update(table.with_columns(pl.col("b") * 2))
    assert other.hexdigest() != digest.hexdigest()


def test_stored_parts_are_listed_in_order_with_their_rows(tmp_path, table):
    for index, batch in enumerate(batches(table.lazy(), 1_000)):
        write_part(tmp_path, index, batch)
    stored = parts(tmp_path)
    assert [p.name for p in stored] == [f"part-0000{i}.parquet" for i in range(3)]
    assert part_rows(stored) == [1_000, 1_000, 500]
