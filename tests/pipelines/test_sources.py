import subprocess
import sys

import polars as pl
import pytest

from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from pipelines.sources import content_hash, read_source, read_table
from pipelines.spec import CsvSource, GeneratorSource, ParquetSource, PipelineSpec, load_spec
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
