"""The persistent Dagster instance and reads of what it recorded.

By default it is SQLite in `<home>/.dagster/`, created on first use, its runs and events
stored by Dagster's SQLite classes with each database's engine kept for the process
(`assets.sqlite_storage`). `TRAINYARD_INSTANCE`
names a deploy profile instead: a directory whose `dagster.yaml` says where runs, events
and schedules are stored (`deploy/postgres-celery/`: PostgreSQL, its URL read from
`TRAINYARD_POSTGRES_URL`). A storage that cannot be reached is an `EngineError` naming it,
its password hidden.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from algorithms.atomic_files import atomic_write
from assets.engine import EngineError, redact
from pipelines.paths import dagster_home

INSTANCE_ENV = "TRAINYARD_INSTANCE"
# What `persistent_instance` wrote before the storage classes were named; upgraded on open.
_FIRST_INSTANCE_YAML = "telemetry:\n  enabled: false\n"
_INSTANCE_YAML = """\
telemetry:
  enabled: false
# Dagster's SQLite storage, each database's engine kept for the process (assets/sqlite_storage.py)
run_storage:
  module: assets.sqlite_storage
  class: PooledSqliteRunStorage
  config:
    base_dir: {runs}
event_log_storage:
  module: assets.sqlite_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {events}
"""
_PASSWORD_IN_URL = re.compile(r"(\w+://[^:/@\s]*):[^@\s]*@")


def instance_dir() -> Path:
    """The instance's directory (`DAGSTER_HOME`): the `TRAINYARD_INSTANCE` profile, else
    `<home>/.dagster`. Only trainyard's own variable moves it, so a `DAGSTER_HOME` left in a
    shell for another project cannot send trainyard's runs there."""
    profile = os.environ.get(INSTANCE_ENV)
    if not profile:
        return dagster_home()
    directory = Path(profile).resolve()
    if not (directory / "dagster.yaml").is_file():
        raise FileNotFoundError(f"{INSTANCE_ENV}={profile}: no dagster.yaml in {directory}")
    return directory


def storage_url(directory: Path) -> str | None:
    """The PostgreSQL URL the instance in `directory` stores into, None for other storage."""
    config = yaml.safe_load((directory / "dagster.yaml").read_text()) or {}
    postgres = (config.get("storage") or {}).get("postgres") or {}
    url = postgres.get("postgres_url")
    if isinstance(url, dict) and "env" in url:
        if not os.environ.get(url["env"]):
            raise EngineError(f"{url['env']} is not set; {directory / 'dagster.yaml'} reads it")
        return os.environ[url["env"]]
    if url is None and "postgres_db" in postgres:
        db = postgres["postgres_db"]
        return f"postgresql://{db.get('username')}@{db.get('hostname')}/{db.get('db_name')}"
    return url


def persistent_instance() -> dg.DagsterInstance:
    """The instance the UI shows (`DAGSTER_HOME`: `instance_dir()`), created on first use."""
    home = instance_dir()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # Concurrent first runs each write it whole (atomic_write); a yaml the user edited is kept.
    if not config.exists() or config.read_text() == _FIRST_INSTANCE_YAML:
        atomic_write(config, _instance_yaml(home).encode())
    os.environ["DAGSTER_HOME"] = str(home)
    url = storage_url(home)
    if url is not None:
        check_database(url)
    # Opening creates and migrates the SQLite databases on first use; two processes doing
    # that at once collide (UNIQUE constraint failed: alembic_version), so one at a time.
    with (home / ".instance.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return dg.DagsterInstance.get()
        except Exception as exc:
            raise _storage_error(home, exc) from None


def _instance_yaml(home: Path) -> str:
    """The embedded instance's `dagster.yaml`: Dagster's default SQLite layout under `home`."""
    # JSON strings are YAML strings: a home path with spaces, colons or quotes stays one value.
    runs, events = home / "history", home / "history" / "runs"
    return _INSTANCE_YAML.format(runs=json.dumps(f"{runs}/"), events=json.dumps(f"{events}/"))


def check_database(url: str, timeout: int = 5) -> None:
    """One connection attempt to the instance's PostgreSQL: an `EngineError` naming the URL
    (password hidden) and the reason, rather than Dagster's half-minute of logged retries."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    try:
        engine = sqlalchemy.create_engine(
            url, poolclass=NullPool, connect_args={"connect_timeout": timeout}
        )
        with engine.connect():
            pass
    except Exception as exc:
        raise EngineError(f"cannot reach the database at {redact(url)}: {_reason(exc)}") from None


def _storage_error(home: Path, exc: Exception) -> EngineError:
    """The error of an instance that cannot be opened, naming its storage, no password."""
    url = storage_url(home)
    where = f"the database at {redact(url)}" if url else f"the instance in {home}"
    return EngineError(f"cannot open {where}: {_reason(exc)} (instance: {home / 'dagster.yaml'})")


def _reason(exc: Exception) -> str:
    """The first line of a driver's error, passwords hidden, with a hint where one helps."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = _PASSWORD_IN_URL.sub(r"\1:***@", text.splitlines()[0] if text else repr(exc))
    if "No module named 'psycopg'" in reason:
        reason += (
            " (write the URL as postgresql+psycopg2://…: SQLAlchemy 2.1 reads a bare "
            "postgresql:// as psycopg 3, and dagster-postgres installs psycopg2)"
        )
    return reason


def latest_metadata(instance: dg.DagsterInstance, key: list[str]) -> dict[str, Any] | None:
    """Metadata values of the latest materialization of an asset, or None if never materialized."""
    return _metadata_values(instance.get_latest_materialization_event(dg.AssetKey(key)))


def _metadata_values(event: dg.EventLogEntry | None) -> dict[str, Any] | None:
    if event is None or event.asset_materialization is None:
        return None
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}
