import numpy as np
import polars as pl
import pytest

from pipelines.features import SPLIT, prepare
from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.spec import PipelineSpec
from pipelines.streaming.batches import batches, write_part
from pipelines.streaming.features import StreamedFeatures, baseline_value, prepare_stream

COLUMNS = ["hour", "content_length", "engagement_score", "has_media", "hashtag_count"]


def spec(stream: bool, normalize: str = "zscore", **split) -> PipelineSpec:
    source = {"parquet": "data/big/*.parquet"}
    if stream:
        source["stream"] = {"batch_rows": 700}
    return PipelineSpec.model_validate(
        {
            "name": "posts",
            "description": "posts",
            "source": source,
            "schema": "schemas.viral_posts:RawViralPosts",
            "features": {"columns": COLUMNS, "normalize": normalize, "polynomial": 2},
            "target": "viral",
            "split": {"test_fraction": 0.25, "seed": 3, "by": "hash", **split},
            "model": {"algorithm": "delta_rule", "params": {"epochs": 1}},
        }
    )


def stored_parts(directory, frame: pl.DataFrame, batch_rows: int) -> list:
    directory.mkdir(exist_ok=True)
    return [write_part(directory, i, b) for i, b in enumerate(batches(frame.lazy(), batch_rows))]


@pytest.mark.parametrize("normalize", ["zscore", "minmax", "none"])
def test_streamed_split_and_transform_equal_the_in_memory_ones(tmp_path, normalize):
    posts = generate_viral_posts(5_000, 11)
    plan = prepare_stream(stored_parts(tmp_path, posts, 700), spec(True, normalize))
    memory = prepare(posts, spec(False, normalize))
    streamed_split = pl.concat(plan.part(i)[SPLIT] for i in range(len(plan.parts)))
    assert streamed_split.equals(memory.frame[SPLIT])
    assert (plan.n_train, plan.n_test) == tuple(
        (memory.frame[SPLIT] == part).sum() for part in ("train", "test")
    )
    assert plan.transform.columns == memory.transform.columns
    assert plan.transform.inputs == memory.transform.inputs
    np.testing.assert_allclose(plan.transform.offset, memory.transform.offset, rtol=1e-12)
    np.testing.assert_allclose(plan.transform.scale, memory.transform.scale, rtol=1e-12)


def test_a_key_column_splits_rows_wherever_they_are(tmp_path):
    posts = generate_viral_posts(2_000, 5)
    plan = prepare_stream(stored_parts(tmp_path, posts, 300), spec(True, key="post_id"))
    streamed = pl.concat(plan.part(i) for i in range(len(plan.parts))).select("post_id", SPLIT)
    shuffled = posts.sample(fraction=1.0, shuffle=True, seed=1)
    memory = prepare(shuffled, spec(False, key="post_id")).frame
    in_memory = pl.DataFrame({"post_id": shuffled["post_id"], "memory": memory[SPLIT]})
    joined = streamed.join(in_memory, on="post_id")
    assert joined.height == 2_000
    assert (joined[SPLIT] == joined["memory"]).all()


def test_the_plan_counts_classes_and_survives_json(tmp_path):
    posts = generate_viral_posts(1_000, 2)
    plan = prepare_stream(stored_parts(tmp_path, posts, 400), spec(True))
    train = prepare(posts, spec(False)).frame.filter(pl.col(SPLIT) == "train")
    counts = dict(train["viral"].value_counts().iter_rows())
    assert dict(plan.class_counts) == counts
    assert plan.classes.tolist() == [0, 1]
    assert baseline_value(spec(True).task, plan) == max(counts, key=lambda c: (counts[c], -c))
    again = StreamedFeatures.from_dict(plan.to_dict())
    assert again == plan


def test_a_split_leaving_no_test_rows_is_refused(tmp_path):
    posts = generate_viral_posts(3, 2)
    with pytest.raises(ValueError, match="leaves the test part empty"):
        prepare_stream(stored_parts(tmp_path, posts, 2), spec(True, test_fraction=0.01))
