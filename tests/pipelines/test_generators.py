import numpy as np
import polars as pl
import pytest

from pipelines.generators import GENERATORS, get_generator
from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.sources import content_hash
from pipelines.validation import validate_frame
from schemas.viral_posts import RawViralPosts

FEATURES = ["hour", "content_length", "engagement_score", "has_media", "hashtag_count"]


@pytest.fixture(scope="module")
def posts() -> pl.DataFrame:
    return generate_viral_posts(10_000, 7)


def test_registry_returns_the_generator_and_lists_names_for_unknown():
    assert get_generator("viral_posts") is generate_viral_posts
    assert set(GENERATORS) == {
        *("viral_posts", "regression", "line", "sparse_linear", "noisy_sine", "sum_sign")
    }
    registered = "line, noisy_sine, regression, sparse_linear, sum_sign, viral_posts"
    with pytest.raises(
        ValueError, match=f"unknown data generator 'tweets'; registered: {registered}"
    ):
        get_generator("tweets")


def test_same_seed_gives_identical_frame_and_hash(posts):
    again = generate_viral_posts(10_000, 7)
    assert again.equals(posts)
    assert content_hash(again) == content_hash(posts)


def test_other_seed_gives_different_frame(posts):
    other = generate_viral_posts(10_000, 8)
    assert not other.equals(posts)
    assert content_hash(other) != content_hash(posts)


def test_size_columns_and_dtypes(posts):
    assert posts.shape == (10_000, 9)
    assert posts.schema == pl.Schema(
        {
            "post_id": pl.Int64,
            "hour": pl.Int64,
            "weekday": pl.Int64,
            "content_length": pl.Int64,
            "engagement_score": pl.Float64,
            "has_media": pl.Int64,
            "hashtag_count": pl.Int64,
            "follower_count": pl.Int64,
            "viral": pl.Int64,
        }
    )
    assert posts["post_id"].to_list() == list(range(1, 10_001))
    assert posts.null_count().sum_horizontal().item() == 0


def test_value_ranges(posts):
    def bounds(name: str) -> tuple[float, float]:
        return posts[name].min(), posts[name].max()

    assert bounds("hour") == (0, 23)
    assert bounds("weekday") == (0, 6)
    low, high = bounds("content_length")
    assert low >= 1 and high <= 5000
    low, high = bounds("engagement_score")
    assert low >= 0.0 and high <= 100.0
    assert set(posts["has_media"].unique()) == {0, 1}
    assert set(posts["viral"].unique()) == {0, 1}
    low, high = bounds("hashtag_count")
    assert low == 0 and high <= 15
    assert posts["follower_count"].min() >= 0


def test_hours_follow_a_daily_curve(posts):
    per_hour = posts["hour"].value_counts().sort("hour")["count"].to_numpy()
    night, evening = per_hour[2:6].mean(), per_hour[18:22].mean()
    assert evening > 5 * night


def test_class_balance(posts):
    assert 0.42 <= posts["viral"].mean() <= 0.58


def test_passes_raw_schema(posts):
    report = validate_frame(posts, RawViralPosts)
    assert report.ok, report.summary()
    assert report.valid.equals(posts)


def test_label_is_learnable_by_a_linear_fit(posts):
    x = posts.select(FEATURES).to_numpy().astype(float)
    x = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
    y = posts["viral"].to_numpy()
    train, test = slice(0, 8000), slice(8000, None)
    design = np.column_stack([x, np.ones(len(x))])
    weights, *_ = np.linalg.lstsq(design[train], y[train], rcond=None)
    accuracy = ((design[test] @ weights >= 0.5) == y[test]).mean()
    majority = max(y[test].mean(), 1 - y[test].mean())
    assert accuracy >= majority + 0.15
    assert accuracy > 0.8


def test_engagement_drives_virality(posts):
    high = posts.filter(pl.col("engagement_score") > 70)["viral"].mean()
    low = posts.filter(pl.col("engagement_score") < 40)["viral"].mean()
    assert high > 0.8 and low < 0.2


def test_ten_thousand_rows_are_generated():
    assert generate_viral_posts(10_000, 1).height == 10_000


def test_rejects_non_positive_rows():
    with pytest.raises(ValueError, match="rows must be a positive integer, got 0"):
        generate_viral_posts(0, 1)
