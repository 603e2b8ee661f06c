"""Dagster's SQLite run and event-log storage, each database's engine kept for the process.

Dagster's `SqliteRunStorage` and `SqliteEventLogStorage` create a SQLAlchemy engine for every
connection and throw it away after one transaction: a new engine, a new SQLite connection
that parses the schema again, and every statement compiled again (SQLAlchemy caches compiled
SQL per engine). A run writes ~70 events, each one to three databases, so on
`trainyard run --all` that was about a sixth of the wall time. These subclasses keep one
engine per database, with one pooled connection kept open; what is stored and how it is
locked (WAL, a busy timeout, one writer at a time) is Dagster's, unchanged. A new run's
database is a copy of the first one this process created, while still empty, rather than
built through Alembic again (~60 ms a run).

The embedded instance names them in its `dagster.yaml` (`assets.instance`), Dagster's own
extension point for storage classes. The event log has one database per run, so at most
`KEPT_SHARDS` of its engines stay open (least recently used closed first): a long-lived
webserver browsing thousands of runs holds a few files open, not thousands. What is still
open at exit is closed then, so the last close folds each write-ahead log back into its
database as before, rather than leaving `-wal` files beside it.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Per-run event databases whose engine (and open connection) is kept; a run writes to two.
KEPT_SHARDS = 8
# Every engine made here, closed at exit (weakly held: a collected storage's go with it).
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


@atexit.register
def _close_at_exit() -> None:
    for engine in list(_ENGINES):
        engine.dispose()


def pooled_engine(conn_string: str, **connect_args: Any) -> Engine:
    """An engine keeping one SQLite connection open between transactions; a second caller at
    the same time gets a connection of its own, closed when returned (no waiting on the pool).
    The kept connection may be handed to another thread, never to two at once."""
    engine = create_engine(
        conn_string,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=-1,
        connect_args={**connect_args, "check_same_thread": False},
    )
    _ENGINES.add(engine)
    return engine


class PooledSqliteRunStorage(SqliteRunStorage):
    """`SqliteRunStorage` (runs.db) with one engine for the process."""

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> PooledSqliteRunStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    @cached_property
    def _engine(self) -> Engine:
        return pooled_engine(self._conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if "_engine" in self.__dict__:
            self._engine.dispose()
        super().dispose()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` (index.db and one database per run) with an engine per database,
    the `KEPT_SHARDS` most recently used kept."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        self._template: sqlite3.Connection | None = None  # an empty run database, in memory
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; the least recently used beyond
        `KEPT_SHARDS` closed. Called with `_db_lock` held."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            conn_string = create_db_conn_string(self._base_dir, shard)
            engine = pooled_engine(conn_string, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As Dagster's `_connect`, the engine kept rather than made and disposed each time.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._create_or_check(shard, engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _create_or_check(self, shard: str, engine: Engine) -> None:
        """Dagster's `_initdb` (create the database, or check its schema revision), except that
        a new run's database is a copy of the first this process created, still empty, rather
        than built through Alembic again (~60 ms a run)."""
        path = self.path_for_shard(shard)
        new = shard != INDEX_SHARD_NAME and not os.path.exists(path)
        if new and self._template is not None and _copy_to_new(self._template, path):
            return
        self._initdb(engine)
        if new and self._template is None:
            self._template = _empty_copy(path)

    def has_table(self, table_name: str) -> bool:
        # Dagster asks on every asset event, each time through a new engine. Migrations only
        # add tables, so one found is not looked up again.
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        # Closed first: a kept connection to a deleted run database would write to nothing.
        self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


def _empty_copy(path: str) -> sqlite3.Connection | None:
    """An in-memory copy of the run database at `path`, None if it holds any event (another
    process wrote to it already: not a blank to copy)."""
    source = sqlite3.connect(path)
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        source.backup(copy)
    finally:
        source.close()
    if copy.execute("SELECT count(*) FROM event_logs").fetchone()[0]:
        copy.close()
        return None
    return copy


def _copy_to_new(template: sqlite3.Connection, path: str) -> bool:
    """Write `template` to `path` in WAL mode, whole or not at all; False if `path` exists
    by then (another process made it: Dagster's check takes over)."""
    partial = f"{path}.{os.getpid()}.new"  # not `*.db`: never listed as a run
    target = sqlite3.connect(partial)
    try:
        template.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
    try:
        os.link(partial, path)  # atomic, and never over a database made meanwhile
    except FileExistsError:
        return False
    finally:
        os.unlink(partial)
    return True
