import polars as pl
import pytest
from pandera.errors import SchemaErrors

from pipelines.paths import DATA_DIR
from schemas.viral_posts import RawViralPosts, ViralPostsSeed

SEED_COLUMNS = ["post_id", "hour", "content_length", "engagement_score", "viral"]
RAW_EXTRA = ["weekday", "has_media", "hashtag_count", "follower_count"]


@pytest.fixture
def seed_posts() -> pl.DataFrame:
    return pl.read_csv(DATA_DIR / "viral_posts_seed.csv")


@pytest.fixture
def raw_posts(seed_posts) -> pl.DataFrame:
    return seed_posts.with_columns(
        weekday=pl.Series([0, 1, 2, 5, 6]),
        has_media=pl.Series([0, 1, 0, 1, 1]),
        hashtag_count=pl.Series([0, 3, 30, 2, 1]),
        follower_count=pl.Series([0, 150, 20_000, 75, 1_200]),
    )


def _failed_checks(schema, df: pl.DataFrame) -> set[tuple[str, str]]:
    with pytest.raises(SchemaErrors) as info:
        schema.validate(df, lazy=True)
    return set(info.value.failure_cases.select("column", "check").iter_rows())


def test_seed_schema_declares_the_chapter_columns_with_descriptions():
    columns = ViralPostsSeed.to_schema().columns
    assert list(columns) == SEED_COLUMNS
    assert all(col.description for col in columns.values())
    assert not any(col.nullable for col in columns.values())


def test_raw_schema_extends_seed_schema():
    columns = RawViralPosts.to_schema().columns
    assert list(columns) == SEED_COLUMNS + RAW_EXTRA
    assert all(col.description for col in columns.values())
    assert [check.name for check in RawViralPosts.to_schema().checks] == ["viral_has_both_classes"]


def test_seed_data_conforms(seed_posts):
    out = ViralPostsSeed.validate(seed_posts)
    assert out["engagement_score"].to_list() == [41.80, 34.89, 47.12, 38.52, 5.94]


def test_raw_data_conforms_and_seed_schema_refuses_extra_columns(raw_posts):
    assert RawViralPosts.validate(raw_posts).height == 5
    assert ("ViralPostsSeed", "column_in_schema") in _failed_checks(ViralPostsSeed, raw_posts)


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("post_id", 0, "greater_than_or_equal_to(1)"),
        ("hour", 24, "less_than_or_equal_to(23)"),
        ("hour", -1, "greater_than_or_equal_to(0)"),
        ("content_length", -5, "greater_than_or_equal_to(0)"),
        ("engagement_score", 100.5, "less_than_or_equal_to(100.0)"),
        ("viral", 2, "isin([0, 1])"),
        ("weekday", 7, "less_than_or_equal_to(6)"),
        ("has_media", 3, "isin([0, 1])"),
        ("hashtag_count", 31, "less_than_or_equal_to(30)"),
        ("follower_count", -1, "greater_than_or_equal_to(0)"),
    ],
)
def test_out_of_range_values_fail(raw_posts, column, value, check):
    changed = pl.when(pl.col("post_id") == 2).then(value).otherwise(pl.col(column))
    bad = raw_posts.with_columns(changed.cast(raw_posts.schema[column]).alias(column))
    assert (column, check) in _failed_checks(RawViralPosts, bad)


def test_duplicate_post_ids_fail(raw_posts):
    bad = raw_posts.with_columns(post_id=pl.Series([1, 2, 2, 4, 5]))
    assert ("post_id", "field_uniqueness") in _failed_checks(RawViralPosts, bad)


def test_nulls_fail(raw_posts):
    bad = raw_posts.with_columns(hour=pl.Series([10, None, 14, 16, 22]))
    assert ("hour", "not_nullable") in _failed_checks(RawViralPosts, bad)


def test_a_single_viral_class_fails_the_dataframe_check(seed_posts):
    one_class = seed_posts.with_columns(viral=pl.lit(1, dtype=pl.Int64))
    assert ("ViralPostsSeed", "viral_has_both_classes") in _failed_checks(ViralPostsSeed, one_class)


def test_numeric_text_is_coerced(seed_posts):
    as_text = seed_posts.with_columns(pl.col("hour").cast(pl.String))
    assert ViralPostsSeed.validate(as_text)["hour"].dtype == pl.Int64
