"""The embedded instance's run and event-log storage: Dagster's SQLite classes with each
database's engine kept — one connection per database for a whole run, writes seen by other
instances at once, a bounded number of run databases open, nothing left open at exit."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import event
from sqlalchemy.pool import Pool

from assets import instance as instance_module
from assets.instance import persistent_instance
from assets.sqlite_storage import (
    KEPT_SHARDS,
    PooledSqliteEventLogStorage,
    PooledSqliteRunStorage,
    _copy_to_new,
)
from tests.assets.helpers import run_python


@dg.asset
def one() -> int:
    return 1


def _materialize(instance: dg.DagsterInstance) -> str:
    """Materialize `one` in process on `instance`; the run's id."""
    result = dg.materialize([one], instance=instance)
    assert result.success
    return result.run_id


@pytest.fixture
def home(trainyard_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("TRAINYARD_INSTANCE", raising=False)
    return trainyard_home / ".dagster"


def test_the_embedded_instance_stores_runs_and_events_in_the_pooled_classes(home):
    instance = persistent_instance()
    assert type(instance.run_storage) is PooledSqliteRunStorage
    assert type(instance.event_log_storage) is PooledSqliteEventLogStorage
    # Dagster's default SQLite layout, so an instance made before keeps its history.
    assert instance.run_storage._conn_string == f"sqlite:///{home}/history/runs.db"
    assert instance.event_log_storage._base_dir == str(home / "history" / "runs")


def test_the_first_default_yaml_is_upgraded_and_an_edited_one_is_kept(home):
    home.mkdir(parents=True)
    config = home / "dagster.yaml"
    config.write_text(instance_module._FIRST_INSTANCE_YAML)
    persistent_instance()
    assert "PooledSqliteEventLogStorage" in config.read_text()
    edited = "telemetry:\n  enabled: true\n"
    config.write_text(edited)
    assert type(persistent_instance().event_log_storage) is not PooledSqliteEventLogStorage
    assert config.read_text() == edited


def test_runs_reuse_one_connection_per_database(home):
    instance = persistent_instance()
    _materialize(instance)  # runs.db and index.db connected and kept
    opened: list[str] = []

    def on_connect(connection, _record):
        opened.append(Path(connection.execute("PRAGMA database_list").fetchone()[2]).name)

    event.listen(Pool, "connect", on_connect)
    try:
        run_ids = [_materialize(instance) for _ in range(2)]
    finally:
        event.remove(Pool, "connect", on_connect)
    # One kept for each new run database (copied from the first run's, so no Alembic check).
    # Dagster's own classes open one per transaction: 84 for these two runs.
    assert sorted(opened) == sorted(f"{run_id}.db" for run_id in run_ids)


def test_writes_are_seen_at_once_by_another_instance(home):
    writer, reader = persistent_instance(), persistent_instance()
    assert reader.get_runs() == []  # the reader's connections are open before the writes
    run_id = _materialize(writer)
    assert [run.run_id for run in reader.get_runs()] == [run_id]
    assert reader.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
    latest = reader.get_latest_materialization_event(dg.AssetKey("one"))
    assert latest is not None and latest.run_id == run_id
    second = _materialize(reader)
    assert writer.get_latest_materialization_event(dg.AssetKey("one")).run_id == second


def test_at_most_kept_shards_run_databases_stay_open_and_a_closed_one_reopens(home):
    instance = persistent_instance()
    storage = instance.event_log_storage
    run_ids = [_materialize(instance) for _ in range(KEPT_SHARDS + 2)]
    assert len(storage._engines) == KEPT_SHARDS
    assert run_ids[0] not in storage._engines
    first = instance.all_logs(run_ids[0])
    assert [e.dagster_event_type for e in first if e.is_dagster_event][-1] == (
        dg.DagsterEventType.RUN_SUCCESS
    )


def test_wipe_closes_the_run_databases_it_deletes(home):
    instance = persistent_instance()
    storage = instance.event_log_storage
    old = _materialize(instance)
    storage.wipe()
    assert list(storage._engines) == ["index"]  # reopened to clear the index, kept
    assert not (home / "history" / "runs" / f"{old}.db").exists()
    assert instance.all_logs(old) == []
    new = _materialize(instance)
    assert instance.get_latest_materialization_event(dg.AssetKey("one")).run_id == new


def _schema(path: Path) -> tuple[list, list]:
    with closing(sqlite3.connect(path)) as db:
        tables = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        return tables, db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_new_run_databases_are_copies_of_the_first_with_dagsters_schema(
    home, tmp_path, monkeypatch
):
    built: list[str] = []
    initdb = PooledSqliteEventLogStorage._initdb

    def counting(storage, engine, for_index_shard=False):
        built.append(Path(engine.url.database).name)
        initdb(storage, engine, for_index_shard)

    monkeypatch.setattr(PooledSqliteEventLogStorage, "_initdb", counting)
    instance = persistent_instance()
    run_ids = [_materialize(instance) for _ in range(3)]
    # The first run's database built by Dagster, the later two copied: no Alembic for them.
    assert [name for name in built if name != "index.db"] == [f"{run_ids[0]}.db"]
    dagsters = SqliteEventLogStorage(str(tmp_path / "dagster"))
    with dagsters.run_connection("reference"):
        pass
    reference = _schema(tmp_path / "dagster" / "reference.db")
    for run_id in run_ids:
        assert _schema(home / "history" / "runs" / f"{run_id}.db") == reference
    steps = [e.step_key for e in instance.all_logs(run_ids[2]) if e.step_key]
    assert set(steps) == {"one"}


def test_a_copy_never_replaces_a_database_made_meanwhile(tmp_path):
    template = sqlite3.connect(":memory:")
    template.execute("CREATE TABLE event_logs (id INTEGER)")
    made = tmp_path / "run.db"
    made.write_bytes(b"another process's database")
    assert not _copy_to_new(template, str(made))
    assert made.read_bytes() == b"another process's database"
    assert [p.name for p in tmp_path.iterdir()] == ["run.db"]  # no partial copy left
    assert _copy_to_new(template, str(tmp_path / "new.db"))
    with closing(sqlite3.connect(tmp_path / "new.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM event_logs").fetchone()[0] == 0


def test_nothing_is_left_open_at_exit(home):
    # A process that stores a run and exits without disposing its instance: the kept
    # connections close at exit, the last close of each folds its write-ahead log back.
    script = (
        "import dagster as dg\n"
        "from assets.instance import persistent_instance\n"
        "from tests.assets.test_sqlite_storage import _materialize\n"
        "_materialize(persistent_instance())\n"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr
    databases = sorted(p.name for p in home.rglob("*.db*"))
    assert len(databases) == 4, databases  # runs.db, index.db, the run's, schedules.db
    assert [name for name in databases if not name.endswith(".db")] == []
