"""The persistent Dagster instance in `<home>/.dagster/` and reads of what it recorded."""

from __future__ import annotations

import fcntl
import os
from typing import Any

import dagster as dg

from algorithms.atomic_files import atomic_write
from pipelines.paths import dagster_home

_INSTANCE_YAML = "telemetry:\n  enabled: false\n"


def persistent_instance() -> dg.DagsterInstance:
    """The SQLite instance the UI shows (`DAGSTER_HOME=<home>/.dagster`), created on first use."""
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():  # concurrent first runs: each writes it whole (atomic_write)
        atomic_write(config, _INSTANCE_YAML.encode())
    os.environ["DAGSTER_HOME"] = str(home)
    # Opening creates and migrates the SQLite databases on first use; two processes doing
    # that at once collide (UNIQUE constraint failed: alembic_version), so one at a time.
    with (home / ".instance.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return dg.DagsterInstance.get()


def latest_metadata(instance: dg.DagsterInstance, key: list[str]) -> dict[str, Any] | None:
    """Metadata values of the latest materialization of an asset, or None if never materialized."""
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    if event is None or event.asset_materialization is None:
        return None
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}
