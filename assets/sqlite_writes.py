"""Cheaper commits to the SQLite instance while `trainyard run` writes to it.

Dagster's SQLite storage opens a connection per event and closes it after one commit. The
last connection to close a WAL database checkpoints it (copies the log into the database and
syncs both), so every event paid two or three disk syncs. `kept_open(directory)` keeps one idle
connection open to each database under `directory` (no checkpoint until it closes, at the end)
and sets `synchronous=NORMAL` on Dagster's connections: in WAL mode a commit then writes the
log without a sync, the database stays consistent after a crash, and only a power loss can
lose the last commits (SQLite's "WAL mode is always consistent with synchronous=NORMAL").
What is written is unchanged.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import Pool


@contextmanager
def kept_open(directory: Path) -> Iterator[dict[str, sqlite3.Connection]]:
    """While inside: every SQLite database under `directory` that SQLAlchemy connects to, in
    WAL mode, has an idle connection kept open (yielded: path → connection), and each new
    connection to one commits with `synchronous=NORMAL`. Other databases are left alone."""
    root = os.path.join(directory.resolve(), "")  # with the separator: not its sibling dirs
    kept: dict[str, sqlite3.Connection] = {}

    def on_connect(connection: object, _record: object) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        path = next(
            row[2] for row in connection.execute("PRAGMA database_list") if row[1] == "main"
        )
        if not path.startswith(root):
            return
        connection.execute("PRAGMA synchronous=NORMAL")
        if path in kept:
            return
        keeper = sqlite3.connect(path, check_same_thread=False)
        # A database still being created is not in WAL mode yet: kept from its next connection.
        if keeper.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            kept[path] = keeper
        else:
            keeper.close()

    event.listen(Pool, "connect", on_connect)
    try:
        yield kept
    finally:
        event.remove(Pool, "connect", on_connect)
        for keeper in kept.values():
            keeper.close()
