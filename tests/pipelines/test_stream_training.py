import numpy as np
import polars as pl
import pytest

from algorithms.linear.delta_rule import DeltaRuleClassifier
from algorithms.linear.sgd import SGDRegressor
from algorithms.naive_bayes import GaussianNB
from pipelines.features import SPLIT
from pipelines.generators.viral_posts import generate_viral_posts
from pipelines.spec import PipelineSpec
from pipelines.streaming.batches import batches, write_part
from pipelines.streaming.features import prepare_stream
from pipelines.streaming.training import part_order, train_stream

COLUMNS = ["hour", "content_length", "has_media", "hashtag_count"]


def spec(target: str, model: dict, epochs: int = 1) -> PipelineSpec:
    return PipelineSpec.model_validate(
        {
            "name": "posts",
            "description": "posts",
            "source": {
                "parquet": "data/big/*.parquet",
                "stream": {"batch_rows": 640, "epochs": epochs, "seed": 9},
            },
            "schema": "schemas.viral_posts:RawViralPosts",
            "features": {"columns": COLUMNS},
            "target": target,
            "split": {"test_fraction": 0.2, "seed": 1, "by": "hash"},
            "model": model,
        }
    )


def stored(tmp_path, rows: int = 6_400):
    posts = generate_viral_posts(rows, 4)
    return [write_part(tmp_path, i, b) for i, b in enumerate(batches(posts.lazy(), 640))]


def rows_in_epoch_order(plan, target: str, epoch: int, seed: int):
    parts = [plan.part(int(i)) for i in part_order(len(plan.parts), seed, epoch)]
    train = pl.concat(parts).filter(pl.col(SPLIT) == "train")
    return plan.transform.to_array(train), train[target].to_numpy()


def test_one_epoch_of_the_delta_rule_equals_the_in_memory_fit_in_the_same_order(tmp_path):
    params = {"learning_rate": 0.01, "epochs": 1, "fit_intercept": True, "random_state": 0}
    streamed_spec = spec("viral", {"algorithm": "delta_rule", "params": params})
    plan = prepare_stream(stored(tmp_path), streamed_spec)
    bundle = train_stream(streamed_spec, plan)
    X, y = rows_in_epoch_order(plan, "viral", 0, 9)
    memory = DeltaRuleClassifier(**params).fit(X, y)
    np.testing.assert_allclose(bundle.estimator.coef_, memory.coef_, rtol=1e-12)
    assert bundle.estimator.intercept_ == pytest.approx(memory.intercept_, rel=1e-12)
    assert bundle.transform == plan.transform and bundle.reference is None


def test_one_epoch_of_sgd_equals_the_in_memory_fit_in_the_same_order(tmp_path):
    # The parts' train rows are cut in mini-batches of 1, so the updates line up exactly.
    params = {"batch_size": 1, "shuffle": False, "max_iter": 1, "tol": None, "eta0": 0.001}
    streamed_spec = spec("engagement_score", {"algorithm": "sgd_regressor", "params": params})
    plan = prepare_stream(stored(tmp_path), streamed_spec)
    bundle = train_stream(streamed_spec, plan)
    X, y = rows_in_epoch_order(plan, "engagement_score", 0, 9)
    memory = SGDRegressor(**params).fit(X, y)
    np.testing.assert_allclose(bundle.estimator.coef_, memory.coef_, rtol=1e-10)
    assert bundle.estimator.intercept_ == pytest.approx(memory.intercept_, rel=1e-10)


def test_each_epoch_visits_the_parts_in_a_fresh_seeded_order(tmp_path):
    orders = [part_order(10, 9, epoch).tolist() for epoch in range(3)]
    assert all(sorted(order) == list(range(10)) for order in orders)
    assert orders[0] != orders[1] != orders[2]
    assert part_order(10, 9, 1).tolist() == orders[1]
    params = {"random_state": 0, "fit_intercept": True}
    streamed_spec = spec("viral", {"algorithm": "delta_rule", "params": params}, epochs=3)
    plan = prepare_stream(stored(tmp_path), streamed_spec)
    estimator = train_stream(streamed_spec, plan).estimator
    assert len(estimator.loss_curve_) == 3 * len(plan.parts)
    # The same rows, epoch by epoch in each epoch's part order, learned post by post.
    memory = DeltaRuleClassifier(**params)
    for epoch in range(3):
        X, y = rows_in_epoch_order(plan, "viral", epoch, 9)
        memory.partial_fit(X, y, classes=[0, 1])
    np.testing.assert_allclose(estimator.coef_, memory.coef_, rtol=1e-12)


def test_naive_bayes_learned_batch_by_batch_equals_its_fit_on_all_train_rows(tmp_path):
    streamed_spec = spec("viral", {"algorithm": "gaussian_nb"})
    plan = prepare_stream(stored(tmp_path), streamed_spec)
    streamed = train_stream(streamed_spec, plan).estimator
    X, y = rows_in_epoch_order(plan, "viral", 0, 9)
    memory = GaussianNB().fit(X, y)
    np.testing.assert_allclose(streamed.theta_, memory.theta_, rtol=1e-12)
    np.testing.assert_allclose(streamed.var_, memory.var_, rtol=1e-10)
    np.testing.assert_array_equal(streamed.class_count_, memory.class_count_)
