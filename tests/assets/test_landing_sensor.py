"""The new-data sensor of a landing pipeline, ticked on a real (temporary) instance, and the
loop end to end: land a batch, tick, run what it asks, tick again, retrain."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.factory import build_definitions
from pipelines.generators.weekly_posts import weekly_posts
from pipelines.landing import file_hash
from tests.assets.helpers import make_spec

SENSOR = "viral_posts_weekly_new_data"
INGEST = "viral_posts_weekly_ingest"
RETRAIN = "viral_posts_weekly_retrain"
PARTITIONS = "viral_posts_weekly__batches"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def defs(landing: Path, tmp_path: Path) -> dg.Definitions:
    spec = make_spec("viral_posts_weekly", source={"landing": str(landing), "format": "csv"})
    return build_definitions({spec.name: spec}, base_dir=tmp_path / "artifacts")


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def land(folder: Path, name: str, frame: pl.DataFrame, age: float = 60.0) -> Path:
    """Write a batch whose last write was `age` seconds ago."""
    path = folder / name
    frame.write_csv(path)
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None):
    """One evaluation of the sensor, its partition requests applied as the daemon does (which
    passes an instance ref, as here, and resolves partitions against the instance)."""
    sensor = defs.resolve_sensor_def(SENSOR)
    context = dg.build_sensor_context(
        instance_ref=instance.get_ref(), cursor=cursor, definitions=defs
    )
    with dg.partition_loading_context(dynamic_partitions_store=instance):
        data = sensor.evaluate_tick(context)
    for request in data.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    return data


def test_the_sensor_ships_stopped_and_targets_ingest_and_retrain(defs):
    sensor = defs.resolve_sensor_def(SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert {job.name for job in sensor.jobs} == {INGEST, RETRAIN}


def test_a_new_file_is_one_run_request_for_its_partition(defs, instance, landing):
    path = land(landing, "2024-01-08.csv", weekly_posts(1).head(50))
    data = tick(defs, instance, None)
    assert [(r.job_name, r.partition_key) for r in data.run_requests] == [
        (INGEST, "2024-01-08.csv")
    ]
    [add] = data.dynamic_partitions_requests
    assert (add.partitions_def_name, list(add.partition_keys)) == (PARTITIONS, ["2024-01-08.csv"])
    assert json.loads(data.cursor)["2024-01-08.csv"]["hash"] == file_hash(path)


def test_the_same_file_again_requests_nothing(defs, instance, landing):
    land(landing, "2024-01-08.csv", weekly_posts(1).head(50))
    first = tick(defs, instance, None)
    again = tick(defs, instance, first.cursor)
    assert again.run_requests == [] and again.dynamic_partitions_requests == []
    assert again.skip_message == "no new or changed batch file"


def test_changed_content_is_a_new_request(defs, instance, landing):
    land(landing, "2024-01-08.csv", weekly_posts(1).head(50))
    first = tick(defs, instance, None)
    land(landing, "2024-01-08.csv", weekly_posts(1).head(60), age=30)
    changed = tick(defs, instance, first.cursor)
    [request] = changed.run_requests
    assert request.partition_key == "2024-01-08.csv"
    assert request.run_key != first.run_requests[0].run_key
    assert changed.dynamic_partitions_requests == []  # the partition exists already


def test_a_half_written_file_waits_until_it_settles(defs, instance, landing):
    path = land(landing, "2024-01-08.csv", weekly_posts(1).head(50), age=0)
    early = tick(defs, instance, None)
    assert early.run_requests == []
    assert early.skip_message == "no new or changed batch file; not settled yet: 2024-01-08.csv"
    past = time.time() - 11
    os.utime(path, (past, past))
    later = tick(defs, instance, early.cursor)
    assert [r.partition_key for r in later.run_requests] == ["2024-01-08.csv"]


def test_a_vanished_file_is_reported_and_its_partition_kept(defs, instance, landing):
    path = land(landing, "2024-01-08.csv", weekly_posts(1).head(50))
    first = tick(defs, instance, None)
    path.unlink()
    gone = tick(defs, instance, first.cursor)
    assert gone.run_requests == []
    assert gone.skip_message == "no new or changed batch file; vanished: 2024-01-08.csv"
    [event] = gone.asset_events
    assert isinstance(event, dg.AssetObservation)
    assert (event.asset_key.to_user_string(), event.partition) == (
        "viral_posts_weekly/raw",
        "2024-01-08.csv",
    )
    assert event.metadata["file_vanished"].value == str(landing / "2024-01-08.csv")
    assert instance.get_dynamic_partitions(PARTITIONS) == ["2024-01-08.csv"]
    assert json.loads(gone.cursor) == {}


def test_a_file_name_dagster_refuses_is_skipped_not_blocking(defs, instance, landing):
    land(landing, "week...csv", weekly_posts(1).head(50))
    land(landing, "2024-01-15.csv", weekly_posts(2).head(50))
    data = tick(defs, instance, None)
    assert [r.partition_key for r in data.run_requests] == ["2024-01-15.csv"]
    assert instance.get_dynamic_partitions(PARTITIONS) == ["2024-01-15.csv"]


def run_requested(defs, instance, data) -> list[dg.ExecuteInProcessResult]:
    """Execute every run the tick requested, in process, on the instance."""
    return [
        defs.resolve_job_def(r.job_name).execute_in_process(
            instance=instance, partition_key=r.partition_key, raise_on_error=False
        )
        for r in data.run_requests
    ]


def test_land_validate_retrain_end_to_end(defs, instance, landing, trainyard_home):
    land(landing, "2024-01-08.csv", weekly_posts(1))
    land(landing, "2024-01-15.csv", weekly_posts(2))
    first = tick(defs, instance, None)
    assert [r.partition_key for r in first.run_requests] == ["2024-01-08.csv", "2024-01-15.csv"]
    assert all(result.success for result in run_requested(defs, instance, first))

    second = tick(defs, instance, first.cursor)
    [retrain] = second.run_requests
    assert retrain.job_name == RETRAIN and retrain.partition_key is None
    assert tick(defs, instance, first.cursor).run_requests[0].run_key == retrain.run_key
    [result] = run_requested(defs, instance, second)
    assert result.success
    evaluation = instance.get_latest_materialization_event(
        dg.AssetKey(["viral_posts_weekly", "evaluation"])
    ).asset_materialization
    assert evaluation.metadata["batches"].value == {"2024-01-08.csv": 1000, "2024-01-15.csv": 1000}
    report = (trainyard_home / "reports" / "viral_posts_weekly" / "report.md").read_text()
    assert "## Data" in report and "| `2024-01-15.csv` | 1000 |" in report
    assert instance.get_latest_materialization_event(
        dg.AssetKey(["viral_posts_weekly", "champion"])
    )
    assert tick(defs, instance, second.cursor).run_requests == []

    # A bad batch fails alone; the next good one is trained on, the bad one left out by name.
    bad = weekly_posts(3).with_columns(pl.lit(30).alias("hour"))
    land(landing, "2024-01-22.csv", bad)
    third = tick(defs, instance, second.cursor)
    [failed] = run_requested(defs, instance, third)
    assert not failed.success
    assert tick(defs, instance, third.cursor).run_requests == []  # nothing new validated
    land(landing, "2024-01-29.csv", weekly_posts(4))
    fourth = tick(defs, instance, third.cursor)
    assert all(r.success for r in run_requested(defs, instance, fourth))
    [retrained] = run_requested(defs, instance, tick(defs, instance, fourth.cursor))
    assert retrained.success
    normalized = instance.get_latest_materialization_event(
        dg.AssetKey(["viral_posts_weekly", "normalized"])
    ).asset_materialization.metadata
    assert list(normalized["batches"].value) == [
        "2024-01-08.csv",
        "2024-01-15.csv",
        "2024-01-29.csv",
    ]
    assert normalized["left_out_batches"].value == {
        "2024-01-22.csv": "its latest validation failed"
    }


def test_train_on_the_last_n_batches_and_a_deleted_one_drops_out(
    landing, tmp_path, instance, trainyard_home
):
    spec = make_spec(
        "viral_posts_weekly",
        source={"landing": str(landing), "train_on": {"last": 1}},
        evaluation={"promote_if": {"accuracy": ">= 0.5"}},
    )
    defs = build_definitions({spec.name: spec}, base_dir=tmp_path / "artifacts")
    names = ["2024-01-08.csv", "2024-01-15.csv"]
    for week, name in enumerate(names, start=1):
        land(landing, name, weekly_posts(week).head(200))
    instance.add_dynamic_partitions(PARTITIONS, names)
    for name in names:
        ingest = defs.resolve_job_def(INGEST)
        assert ingest.execute_in_process(instance=instance, partition_key=name).success
    assert defs.resolve_job_def(RETRAIN).execute_in_process(instance=instance).success
    normalized = instance.get_latest_materialization_event(
        dg.AssetKey(["viral_posts_weekly", "normalized"])
    ).asset_materialization.metadata
    assert normalized["batches"].value == {"2024-01-15.csv": 200}
    assert normalized["left_out_batches"].value == {"2024-01-08.csv": "older than the last 1"}
    assert normalized["dagster/row_count"].value == 200
    report = (trainyard_home / "reports" / "viral_posts_weekly" / "report.md").read_text()
    assert "1 validated batch of" in report and "(the last 1 by file name)" in report

    # Deleting a batch's partition drops it from training (as the README says).
    instance.delete_dynamic_partition(PARTITIONS, "2024-01-15.csv")
    assert defs.resolve_job_def(RETRAIN).execute_in_process(instance=instance).success
    latest = instance.get_latest_materialization_event(
        dg.AssetKey(["viral_posts_weekly", "normalized"])
    ).asset_materialization.metadata
    assert latest["batches"].value == {"2024-01-08.csv": 200}
