import numpy as np
import polars as pl
import pytest
import yaml

from pipelines.champions import Promotion, promote
from pipelines.features import prepare
from pipelines.paths import DATA_DIR, SPECS_DIR
from pipelines.scoring import (
    NoChampionError,
    predict_with_champion,
    score_frame,
    scoring_schema,
)
from pipelines.sources import file_row_label, read_table
from pipelines.spec import PipelineSpec, load_spec
from pipelines.training import train
from pipelines.validation import DataValidationError


@pytest.fixture(scope="module")
def posts() -> pl.DataFrame:
    return pl.read_csv(DATA_DIR / "viral_posts_seed.csv")


def _spec(**changes) -> PipelineSpec:
    data = yaml.safe_load((SPECS_DIR / "viral_posts_seed.yaml").read_text()) | changes
    return PipelineSpec.model_validate(data)


@pytest.fixture(scope="module")
def delta(posts):
    spec = _spec()
    return spec, train(spec, prepare(posts, spec), {})


@pytest.fixture(scope="module")
def knn(posts):
    spec = _spec(
        model={"algorithm": "k_neighbors_classifier", "params": {"n_neighbors": 3}},
        evaluation={"metrics": ["accuracy"]},
    )
    return spec, train(spec, prepare(posts, spec), {})


def test_predictions_equal_the_bundle_on_the_same_rows(delta, posts):
    spec, bundle = delta
    scored = score_frame(spec, bundle, "v4", posts)
    assert scored.columns == [*posts.columns, "prediction", "champion_version"]
    assert scored.select(posts.columns).equals(posts)
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), bundle.predict(posts))
    assert scored["champion_version"].to_list() == ["v4"] * posts.height


def test_a_model_with_probabilities_gets_one_column_per_class(knn, posts):
    spec, bundle = knn
    rows = posts.drop("viral")
    scored = score_frame(spec, bundle, "v1", rows)
    assert scored.columns == [*rows.columns, "prediction", "proba_0", "proba_1", "champion_version"]
    expected = bundle.estimator.predict_proba(bundle.transform.to_array(rows))
    np.testing.assert_allclose(scored.select("proba_0", "proba_1").to_numpy(), expected)
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), bundle.predict(rows))


def test_the_target_is_not_needed_and_training_set_checks_do_not_apply(delta, posts):
    spec, bundle = delta
    schema = scoring_schema(spec)
    assert "viral" not in schema.columns and schema.checks == []
    one_row = posts.drop("viral").head(1)  # one class only: a training set would be refused
    assert score_frame(spec, bundle, "v1", one_row)["prediction"].len() == 1


def test_a_column_the_output_adds_is_refused_by_name(delta, posts):
    spec, bundle = delta
    with pytest.raises(ValueError, match="already have column\\(s\\) prediction, champion_version"):
        score_frame(
            spec, bundle, "v1", posts.with_columns(prediction=1, champion_version=pl.lit("x"))
        )


def test_a_missing_column_is_named(delta, posts):
    spec, bundle = delta
    with pytest.raises(DataValidationError, match="column 'hour' is missing"):
        score_frame(spec, bundle, "v1", posts.drop("hour"))


def test_a_bad_value_is_named_by_column_and_line(delta, posts, tmp_path):
    spec, bundle = delta
    path = tmp_path / "bad.csv"
    posts.with_columns(pl.col("hour").cast(pl.String)).with_columns(
        hour=pl.when(pl.col("post_id") == 2).then(pl.lit("noon")).otherwise("hour")
    ).write_csv(path)
    with pytest.raises(DataValidationError) as failure:
        score_frame(spec, bundle, "v1", read_table(path), file_row_label(path))
    assert "hour: coerce_dtype('Int64') fails in 1 row(s): noon (line 3)" in str(failure.value)


def test_no_rows_and_an_environment_pipeline_are_refused(delta, posts):
    spec, bundle = delta
    with pytest.raises(ValueError, match="no rows to score"):
        score_frame(spec, bundle, "v1", posts.head(0))
    gridworld = load_spec(SPECS_DIR / "gridworld.yaml")
    with pytest.raises(ValueError, match="'gridworld' is an environment .* no rows to score"):
        score_frame(gridworld, bundle, "v1", posts)


def test_predict_with_champion_uses_the_stored_champion(delta, posts, tmp_path, monkeypatch):
    spec, bundle = delta
    monkeypatch.setenv("TRAINYARD_ARTIFACTS", str(tmp_path))
    with pytest.raises(NoChampionError, match="'viral_posts_seed' has no champion yet; run `tra"):
        predict_with_champion("viral_posts_seed", posts)
    promote(
        tmp_path / "viral_posts_seed", Promotion(bundle, {"accuracy": 0.6}, "accuracy", "r", {})
    )
    scored = predict_with_champion("viral_posts_seed", posts)
    assert scored["champion_version"].unique().to_list() == ["v1"]
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), bundle.predict(posts))
    with pytest.raises(ValueError, match="unknown pipeline nope; pipelines: .*viral_posts_seed"):
        predict_with_champion("nope", posts)
