"""`kept_open`: an idle connection kept to each WAL database of the instance while a run
writes, commits without a sync, and nothing left hooked or open afterwards."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from assets.sqlite_writes import kept_open

FULL, NORMAL = 2, 1


def _wal_database(path):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE events (n INTEGER)")
    connection.commit()
    connection.close()
    # As Dagster's SQLite storage connects: a new engine and connection per event.
    return create_engine(f"sqlite:///{path}", poolclass=NullPool)


def _write(engine, n):
    """Insert `n`; the connection's `synchronous` setting while it wrote."""
    with engine.connect() as connection, connection.begin():
        connection.execute(text("INSERT INTO events VALUES (:n)"), {"n": n})
        return connection.execute(text("PRAGMA synchronous")).scalar()


def test_databases_under_the_directory_are_kept_open_and_commit_without_sync(tmp_path):
    inside, outside = tmp_path / "instance", tmp_path / "elsewhere"
    inside.mkdir(), outside.mkdir()
    ours, theirs = _wal_database(inside / "runs.db"), _wal_database(outside / "other.db")
    with kept_open(inside) as kept:
        assert [_write(ours, n) for n in range(3)] == [NORMAL] * 3
        assert _write(theirs, 0) == FULL
        assert list(kept) == [str(inside / "runs.db")]
        # The log is not checkpointed away while the kept connection is open.
        assert (inside / "runs.db-wal").exists()
    assert not (inside / "runs.db-wal").exists()  # the last close checkpointed it
    assert _write(ours, 3) == FULL  # unhooked
    rows = sqlite3.connect(inside / "runs.db").execute("SELECT n FROM events").fetchall()
    assert rows == [(0,), (1,), (2,), (3,)]


def test_a_database_not_yet_in_wal_mode_is_kept_from_a_later_connection(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'new.db'}", poolclass=NullPool)
    with kept_open(tmp_path) as kept:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("PRAGMA journal_mode=WAL"))
            connection.execute(text("CREATE TABLE events (n INTEGER)"))
        assert kept == {}
        _write(engine, 1)
        assert list(kept) == [str(tmp_path / "new.db")]
