import subprocess
import sys

import polars as pl
import pytest

from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from pipelines.read_options import CsvOptions
from pipelines.sources import content_hash, file_row_label, read_source, read_table, row_label
from pipelines.spec import (
    CsvSource,
    GeneratorSource,
    ParquetSource,
    PipelineSpec,
    load_spec,
    load_specs,
)
from pipelines.validation import validate_frame
from schemas.viral_posts import ViralPostsSeed

SEED_SPEC = SPECS_DIR / "viral_posts_seed.yaml"
GENERATED_SPEC = SPECS_DIR / "viral_posts.yaml"


@pytest.fixture
def seed_spec() -> PipelineSpec:
    return load_spec(SEED_SPEC)


def _with_source(spec: PipelineSpec, source) -> PipelineSpec:
    return spec.model_copy(update={"source": source})


def test_seed_csv_reads_and_validates(seed_spec):
    posts = read_source(seed_spec)
    assert posts.columns == ["post_id", "hour", "content_length", "engagement_score", "viral"]
    assert posts.rows() == [
        (1, 10, 51, 41.80, 0),
        (2, 4, 764, 34.89, 1),
        (3, 14, 892, 47.12, 0),
        (4, 16, 575, 38.52, 1),
        (5, 22, 196, 5.94, 1),
    ]
    assert validate_frame(posts, ViralPostsSeed).ok


def test_generator_source_uses_rows_and_seed(seed_spec):
    spec = _with_source(seed_spec, GeneratorSource(generator="viral_posts", rows=50, seed=3))
    posts = read_source(spec)
    assert posts.height == 50
    assert posts.equals(read_source(spec))


def test_unknown_generator_lists_registered_names():
    with pytest.raises(
        ValueError, match="unknown data generator 'tweets'; registered: .*viral_posts"
    ):
        GeneratorSource(generator="tweets", rows=5)


def test_unknown_generator_parameter_lists_the_generator_parameters():
    with pytest.raises(ValueError, match="unknown parameter.*noize.*its parameters: n_features"):
        GeneratorSource(generator="regression", rows=5, params={"noize": 1.0})


def test_missing_file_names_path_and_pipeline(seed_spec):
    spec = _with_source(seed_spec, CsvSource(csv="data/no_such.csv"))
    with pytest.raises(FileNotFoundError) as info:
        read_source(spec)
    message = str(info.value)
    assert "data/no_such.csv" in message
    assert "viral_posts_seed" in message
    assert str(PROJECT_ROOT / "data" / "no_such.csv") in message


def test_absolute_csv_and_parquet_paths(seed_spec, tmp_path):
    frame = pl.DataFrame({"a": [1, 2], "b": [0.5, None]})
    frame.write_csv(tmp_path / "x.csv")
    frame.write_parquet(tmp_path / "x.parquet")
    from_csv = read_source(_with_source(seed_spec, CsvSource(csv=str(tmp_path / "x.csv"))))
    from_parquet = read_source(
        _with_source(seed_spec, ParquetSource(parquet=str(tmp_path / "x.parquet")))
    )
    assert from_csv.equals(frame)
    assert from_parquet.equals(frame)


def test_ragged_csv_gives_value_error_naming_file_and_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(ValueError) as info:
        read_table(path)
    message = str(info.value)
    assert str(path) in message
    assert "found more fields than defined" in message
    assert "line 3 has 3 fields, the header has 2" in message
    assert "truncate_ragged_lines" not in message


def test_empty_csv_gives_value_error_naming_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match=f"cannot read {path}: empty CSV"):
        read_table(path)


def test_corrupt_parquet_gives_value_error_naming_file(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(ValueError, match=f"cannot read {path}"):
        read_table(path)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match=r"expected a \.csv or \.parquet file"):
        read_table(path)


def test_mixed_csv_column_is_read_as_text_for_validation_to_report(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("a\n" + "1\n" * 500 + "x\n")
    assert read_table(path)["a"].dtype == pl.String


def test_content_hash_equal_frames_equal_hashes():
    a = pl.DataFrame({"x": [1, 2], "y": [0.1, None], "s": ["", None]})
    b = pl.DataFrame({"x": [1, 2], "y": [0.1, None], "s": ["", None]})
    assert content_hash(a) == content_hash(b)
    assert len(content_hash(a)) == 64


@pytest.mark.parametrize(
    "other",
    [
        pl.DataFrame({"x": [1, 3], "y": [0.1, None], "s": ["", None]}),
        pl.DataFrame({"x": [1, 2], "y": [0.1, float("nan")], "s": ["", None]}),
        pl.DataFrame({"x": [1, 2], "y": [0.1, None], "s": [None, ""]}),
        pl.DataFrame({"x": [1, 2], "y": [0.1, None], "s": ["", None]}).cast({"x": pl.Int32}),
        pl.DataFrame({"z": [1, 2], "y": [0.1, None], "s": ["", None]}),
    ],
)
def test_content_hash_sees_values_nulls_dtypes_and_names(other):
    base = pl.DataFrame({"x": [1, 2], "y": [0.1, None], "s": ["", None]})
    assert content_hash(other) != content_hash(base)


@pytest.mark.parametrize("spec_path", [SEED_SPEC, GENERATED_SPEC])
def test_content_hash_is_stable_across_processes(spec_path):
    code = (
        "from pipelines.sources import content_hash, read_source;"
        "from pipelines.spec import load_spec;"
        f"print(content_hash(read_source(load_spec({str(spec_path)!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert out.stdout.strip() == content_hash(read_source(load_spec(spec_path)))


def test_content_hash_refuses_nested_columns_clearly():
    with pytest.raises(ValueError, match="cannot hash frame"):
        content_hash(pl.DataFrame({"l": [[1, 2]]}))


def _csv(tmp_path, content: str | bytes, name: str = "x.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_empty_na_and_null_are_nulls_by_default(tmp_path):
    path = _csv(tmp_path, "a,b,s\n1,NA,x\nnull,2.5,\n3,,NA\n")
    frame = read_table(path)
    assert frame.rows() == [(1, None, "x"), (None, 2.5, None), (3, None, None)]
    assert frame.schema == pl.Schema({"a": pl.Int64, "b": pl.Float64, "s": pl.String})


def test_null_values_separator_and_encoding_are_read_options(tmp_path):
    path = _csv(tmp_path, "a;s\n1;?\nNA;\n".encode("utf-16"))
    options = CsvOptions(separator=";", null_values=["?"], encoding="utf-16")
    frame = read_table(path, options)
    assert frame.rows() == [("1", None), ("NA", "")]  # "" is text unless listed as a null


def test_latin1_reads_with_its_encoding_and_utf8_lossy_replaces(tmp_path):
    path = _csv(tmp_path, "name,x\ncafé,1\n".encode("latin-1"))
    assert read_table(path, CsvOptions(encoding="latin-1"))["name"].to_list() == ["café"]
    assert read_table(path, CsvOptions(encoding="utf8-lossy"))["name"].to_list() == ["caf\ufffd"]


def test_source_options_reach_the_reader(seed_spec, tmp_path):
    path = _csv(tmp_path, "a|b\n1|-\n")
    source = CsvSource(csv=str(path), separator="|", null_values=["-"])
    assert read_source(_with_source(seed_spec, source)).rows() == [(1, None)]


def test_shipped_csv_files_read_as_with_plain_polars():
    """The default nulls ("", NA, null) change the meaning of no shipped file: every example
    pipeline reads the same frame, so its metrics stay the same."""
    for spec in load_specs().values():
        if isinstance(getattr(spec, "source", None), CsvSource):
            path = PROJECT_ROOT / spec.source.csv
            assert read_source(spec).equals(pl.read_csv(path, infer_schema_length=None)), path


def test_unset_read_options_leave_the_spec_hash_as_before(seed_spec):
    assert seed_spec.source.model_dump() == {"csv": "data/viral_posts_seed.csv"}
    given = CsvSource(csv="x.csv", separator=";", encoding="UTF-8")
    assert given.model_dump() == {"csv": "x.csv", "separator": ";"}  # UTF-8 is the default


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"encoding": "klingon"}, "unknown encoding 'klingon'; expected utf8, utf8-lossy"),
        ({"separator": ";;"}, "at most 1 character"),
        ({"null_values": [1]}, "null_values.0"),
    ],
)
def test_bad_read_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        CsvSource(csv="x.csv", **options)


def test_stray_quote_names_its_line_and_stays_short(tmp_path):
    rows = "".join(f"{i},{i}\n" for i in range(2000))
    path = _csv(tmp_path, 'a,b\n1,2\n3,"4\n' + rows)
    with pytest.raises(ValueError) as info:
        read_table(path)
    message = str(info.value)
    assert f"cannot read {path}: line 3: a quote opens a field that is never closed" in message
    assert len(message) < 300 + len(str(path))


def test_quoted_field_running_over_lines_is_named(tmp_path):
    path = _csv(tmp_path, 'a,b\n1,"x\ny",2\n')
    with pytest.raises(ValueError, match="line 2: a quoted field runs on to line 3"):
        read_table(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_wide_encodings_are_named_with_the_option(tmp_path, encoding):
    path = _csv(tmp_path, "a,b\n1,2\n".encode(encoding))
    with pytest.raises(ValueError, match=r"looks UTF-(16|32) encoded; set the read option"):
        read_table(path)


def test_bytes_not_in_the_encoding_name_the_line_and_the_option(tmp_path):
    path = _csv(tmp_path, b"a,b\n1,2\ncaf\xe9,3\n")
    with pytest.raises(ValueError, match="line 3 is not valid utf8 text; set the read option"):
        read_table(path)
    with pytest.raises(ValueError, match="line 3 is not valid utf-16 text"):
        read_table(_csv(tmp_path, b"a,b\n1,2\n3", "odd.csv"), CsvOptions(encoding="utf-16"))


def test_directory_is_named_as_a_directory(seed_spec, tmp_path):
    with pytest.raises(ValueError, match="it is a directory; expected a .csv or .parquet file"):
        read_table(tmp_path)
    with pytest.raises(ValueError, match="is a directory"):
        read_source(_with_source(seed_spec, CsvSource(csv=str(tmp_path))))


def test_rows_are_named_by_file_line_for_csv_and_by_row_otherwise(seed_spec, tmp_path):
    path = _csv(tmp_path, 'a,b\n1,"two\nlines"\n\n3,x\n')
    label = file_row_label(path)
    assert [label(row) for row in range(3)] == ["line 2", "line 4", "line 5"]
    assert row_label(seed_spec)(0) == "line 2"
    generated = _with_source(seed_spec, GeneratorSource(generator="viral_posts", rows=5))
    assert row_label(generated)(0) == "row 0"
    assert file_row_label(tmp_path / "x.parquet")(3) == "row 3"


def test_a_landing_source_reads_one_named_batch():
    spec = load_spec(SPECS_DIR / "viral_posts_weekly.yaml")
    batch = "2024-01-15.csv"
    folder = PROJECT_ROOT / "data" / "landing" / "viral_posts_weekly"
    assert read_source(spec, batch).equals(pl.read_csv(folder / batch))
    assert row_label(spec, batch)(0) == "line 2"
    with pytest.raises(
        FileNotFoundError,
        match="batch 2023-12-25.csv of pipeline "
        "'viral_posts_weekly' not found in its landing folder",
    ):
        read_source(spec, "2023-12-25.csv")
    with pytest.raises(ValueError, match="reads batches: name the batch to read"):
        read_source(spec)
