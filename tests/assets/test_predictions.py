"""`<p>/predictions` and the `<p>_to_score` sensor: the champion of the moment scores each file
of the spec's `score:` folder, on a real (temporary) instance."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.factory import build_definitions
from pipelines.bundle import ModelBundle
from pipelines.champions import rollback
from pipelines.generators.weekly_posts import weekly_posts
from tests.assets.helpers import make_spec

pytestmark = pytest.mark.slow

P = "viral_posts_weekly"
PREDICTIONS = dg.AssetKey([P, "predictions"])


@pytest.fixture
def loop(tmp_path: Path, trainyard_home):
    landing, to_score = tmp_path / "landing", tmp_path / "to_score"
    landing.mkdir()
    to_score.mkdir()
    spec = make_spec(
        P,
        source={"landing": str(landing)},
        score={"landing": str(to_score)},
        evaluation={"promote_if": {"accuracy": ">= 0.5"}},
    )
    defs = build_definitions({spec.name: spec}, base_dir=tmp_path / "artifacts")
    with dg.instance_for_test() as instance:
        yield defs, instance, landing, to_score, tmp_path / "artifacts"


def _train(defs, instance, landing: Path, name: str, frame: pl.DataFrame) -> None:
    frame.write_csv(landing / name)
    instance.add_dynamic_partitions(f"{P}__batches", [name])
    ingest = defs.resolve_job_def(f"{P}_ingest")
    assert ingest.execute_in_process(instance=instance, partition_key=name).success
    assert defs.resolve_job_def(f"{P}_retrain").execute_in_process(instance=instance).success


def _score(defs, instance, to_score: Path, name: str, frame: pl.DataFrame):
    frame.write_csv(to_score / name)
    instance.add_dynamic_partitions(f"{P}__to_score", [name])
    job = defs.resolve_job_def(f"{P}_score")
    return job.execute_in_process(instance=instance, partition_key=name, raise_on_error=False)


def _stored(artifacts: Path, name: str) -> pl.DataFrame:
    [path] = (artifacts / P / "predictions").glob(f"{name}*")
    return pl.read_parquet(path)


def test_the_champion_scores_a_file_as_its_bundle_predicts(loop):
    defs, instance, landing, to_score, artifacts = loop
    _train(defs, instance, landing, "w1.csv", weekly_posts(1))
    rows = weekly_posts(5).drop("viral")
    result = _score(defs, instance, to_score, "w5.csv", rows)
    assert result.success
    stored = _stored(artifacts, "w5.csv")
    champion = ModelBundle.load(artifacts / P / "champion")
    assert stored.columns == [*rows.columns, "prediction", "champion_version"]
    assert stored.drop("prediction", "champion_version").equals(rows)
    assert stored["prediction"].to_list() == champion.predict(rows).tolist()
    assert set(stored["champion_version"]) == {"v1"}
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["champion_version"].value == "v1"
    assert event.materialization.metadata["dagster/row_count"].value == 1000


def test_without_a_champion_scoring_fails_saying_so_and_stores_nothing(loop):
    defs, instance, _, to_score, artifacts = loop
    result = _score(defs, instance, to_score, "w5.csv", weekly_posts(5).drop("viral"))
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert f"pipeline '{P}' has no champion yet" in failure.step_failure_data.error.to_string()
    assert not (artifacts / P / "predictions").exists()
    assert instance.get_latest_materialization_event(PREDICTIONS) is None


def test_rows_that_break_the_schema_fail_with_their_line_and_store_nothing(loop):
    defs, instance, landing, to_score, artifacts = loop
    _train(defs, instance, landing, "w1.csv", weekly_posts(1))
    bad = weekly_posts(5).drop("viral").with_columns(pl.lit(30).alias("hour"))
    result = _score(defs, instance, to_score, "bad.csv", bad.head(3))
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.to_string()
    assert "hour: less_than_or_equal_to(23) fails in 3 row(s): 30 (line 2)" in message
    assert not list((artifacts / P / "predictions").glob("bad.csv*"))


def test_after_a_rollback_predictions_record_the_rolled_back_version(loop):
    defs, instance, landing, to_score, artifacts = loop
    _train(defs, instance, landing, "w1.csv", weekly_posts(1).head(300))
    _train(defs, instance, landing, "w2.csv", weekly_posts(2))
    rows = weekly_posts(5).drop("viral").head(50)
    assert set(_score_and_read(defs, instance, to_score, artifacts, "a.csv", rows)) == {"v2"}
    rollback(artifacts / P, "v1")
    v1 = ModelBundle.load(artifacts / P / "champions" / "v1")
    versions = _score_and_read(defs, instance, to_score, artifacts, "b.csv", rows)
    assert set(versions) == {"v1"}
    assert _stored(artifacts, "b.csv")["prediction"].to_list() == v1.predict(rows).tolist()


def _score_and_read(defs, instance, to_score, artifacts, name, rows) -> list[str]:
    assert _score(defs, instance, to_score, name, rows).success
    return _stored(artifacts, name)["champion_version"].to_list()


def test_the_sensor_requests_a_scoring_run_per_new_file_once(loop):
    defs, instance, _, to_score, _ = loop
    sensor = defs.resolve_sensor_def(f"{P}_to_score")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    path = to_score / "w5.csv"
    weekly_posts(5).drop("viral").write_csv(path)
    os.utime(path, (time.time() - 60, time.time() - 60))
    first = sensor(dg.build_sensor_context(instance=instance))
    assert [(r.job_name, r.partition_key) for r in first.run_requests] == [(f"{P}_score", "w5.csv")]
    [add] = first.dynamic_partitions_requests
    assert list(add.partition_keys) == ["w5.csv"]
    again = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    assert again.run_requests == []


def _tick(defs, instance, name: str, cursor: str | None):
    """One tick of sensor `name`, its partition requests applied as the daemon does."""
    context = dg.build_sensor_context(
        instance_ref=instance.get_ref(), cursor=cursor, definitions=defs
    )
    with dg.partition_loading_context(dynamic_partitions_store=instance):
        data = defs.resolve_sensor_def(name).evaluate_tick(context)
    for request in data.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    for request in data.run_requests:
        job = defs.resolve_job_def(request.job_name)
        assert job.execute_in_process(instance=instance, partition_key=request.partition_key)
    return data


def _aged(path: Path, frame: pl.DataFrame) -> None:
    frame.write_csv(path)
    os.utime(path, (time.time() - 60, time.time() - 60))


def test_the_loop_land_validate_retrain_score(loop):
    defs, instance, landing, to_score, artifacts = loop
    _aged(landing / "w1.csv", weekly_posts(1))
    landed = _tick(defs, instance, f"{P}_new_data", None)
    assert [r.job_name for r in landed.run_requests] == [f"{P}_ingest"]
    retrained = _tick(defs, instance, f"{P}_new_data", landed.cursor)
    assert [r.job_name for r in retrained.run_requests] == [f"{P}_retrain"]
    champion = instance.get_latest_materialization_event(dg.AssetKey([P, "champion"]))
    assert champion.asset_materialization.metadata["version"].value == "v1"

    _aged(to_score / "w5.csv", weekly_posts(5).drop("viral"))
    scored = _tick(defs, instance, f"{P}_to_score", None)
    assert [r.partition_key for r in scored.run_requests] == ["w5.csv"]
    stored = _stored(artifacts, "w5.csv")
    assert stored.height == 1000 and set(stored["champion_version"]) == {"v1"}
