import polars as pl

from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.streaming.batches import batches, parts
from pipelines.streaming.validation import validate_stream
from pipelines.validation import validate_frame
from schemas.viral_posts import RawViralPosts


def _bad_posts() -> pl.DataFrame:
    posts = generate_viral_posts(1_000, 3)
    bad_hour = pl.int_range(pl.len()).is_in([5, 420, 421, 999])
    return posts.with_columns(
        hour=pl.when(bad_hour).then(99).otherwise(pl.col("hour")),
        viral=pl.when(pl.int_range(pl.len()) == 250).then(7).otherwise(pl.col("viral")),
    )


def test_one_report_over_all_batches_names_rows_as_the_whole_table_does(tmp_path):
    posts = _bad_posts()
    valid_dir, rejected_dir = tmp_path / "valid", tmp_path / "rejected"
    valid_dir.mkdir(), rejected_dir.mkdir()
    merged = validate_stream(batches(posts.lazy(), 300), RawViralPosts, valid_dir, rejected_dir)
    whole = validate_frame(posts, RawViralPosts)
    assert (merged.n_rows, merged.n_valid, merged.n_batches) == (1_000, 995, 4)
    assert not merged.ok and merged.rejected_fraction == 0.005
    assert merged.failures.equals(whole.failures)
    assert merged.summary() == whole.summary()
    assert merged.headline() == "5 of 1000 rows fail schema RawViralPosts (validated in 4 batches)"
    stored = pl.concat(pl.read_parquet(p) for p in parts(valid_dir))
    assert stored.equals(whole.valid)
    rejected = pl.concat(pl.read_parquet(p) for p in parts(rejected_dir))
    assert rejected.equals(whole.rejected)
    assert rejected["where"].to_list() == ["row 5", "row 250", "row 420", "row 421", "row 999"]


def test_a_batch_failing_a_frame_check_is_reported_once(tmp_path):
    # Every batch lacks viral = 1: the dataframe check fails in each, reported once.
    posts = generate_viral_posts(600, 1).with_columns(viral=pl.lit(0))
    merged = validate_stream(batches(posts.lazy(), 200), RawViralPosts, tmp_path)
    assert merged.n_batches == 3 and not merged.ok
    assert len(merged.frame_errors) == 1
    assert "viral_has_both_classes" in merged.frame_errors[0]
