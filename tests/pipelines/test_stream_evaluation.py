import pytest

from pipelines.evaluation import HELD_OUT, evaluate
from pipelines.features import prepare
from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.spec import PipelineSpec
from pipelines.streaming.batches import batches, write_part
from pipelines.streaming.evaluation import evaluate_stream
from pipelines.streaming.features import prepare_stream
from pipelines.streaming.training import train_stream

COLUMNS = ["hour", "content_length", "engagement_score", "has_media", "hashtag_count"]
CASES = [
    ("viral", "delta_rule", {"fit_intercept": True, "random_state": 0}),
    ("viral", "mlp_classifier", {"hidden_layer_sizes": [4], "random_state": 0}),
    ("viral", "gaussian_nb", {}),
    ("engagement_score", "sgd_regressor", {"random_state": 0}),
    ("engagement_score", "mlp_regressor", {"hidden_layer_sizes": [4], "random_state": 0}),
]


def spec(stream: bool, target: str, algorithm: str, params: dict) -> PipelineSpec:
    source = {"parquet": "data/big/*.parquet"}
    if stream:
        source["stream"] = {"batch_rows": 500, "epochs": 2}
    return PipelineSpec.model_validate(
        {
            "name": "posts",
            "description": "posts",
            "source": source,
            "schema": "schemas.viral_posts:RawViralPosts",
            "features": {"columns": [c for c in COLUMNS if c != target]},
            "target": target,
            "split": {"test_fraction": 0.3, "seed": 5, "by": "hash"},
            "model": {"algorithm": algorithm, "params": params},
        }
    )


@pytest.mark.parametrize(("target", "algorithm", "params"), CASES)
def test_streamed_metrics_equal_the_in_memory_metrics_of_the_same_model(
    tmp_path, target, algorithm, params
):
    posts = generate_viral_posts(3_000, 8)
    stored = [write_part(tmp_path, i, b) for i, b in enumerate(batches(posts.lazy(), 500))]
    streamed_spec = spec(True, target, algorithm, params)
    plan = prepare_stream(stored, streamed_spec)
    bundle = train_stream(streamed_spec, plan)
    streamed = evaluate_stream(streamed_spec, bundle, plan)
    memory_spec = spec(False, target, algorithm, params)
    memory = evaluate(memory_spec, bundle, prepare(posts, memory_spec).frame)
    assert streamed.metrics == pytest.approx(memory.metrics, rel=1e-9)
    assert streamed.baseline == pytest.approx(memory.baseline, rel=1e-9)
    assert (streamed.n_scored, streamed.scored_on) == (memory.n_scored, HELD_OUT)
    assert streamed.details["n_train"] == memory.details["n_train"]
    assert streamed.headline == memory.headline
