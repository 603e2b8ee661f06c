"""Servers the end-to-end tests start: a free loopback port, a process group of their own with
the output in a log file, and a stop that leaves nothing of that group behind; and the
machine's own servers (PostgreSQL, Redis, RabbitMQ) that tests require: under `CI=true` a
missing one fails the test, elsewhere it skips, naming the server and how to start it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.paths import PROJECT_ROOT

# name → (host, port, the command that starts it on this project's machines)
SERVICES = {
    "PostgreSQL": (
        "127.0.0.1", 5432,
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    "Redis": (
        "127.0.0.1", 6379,
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log",
    ),
    "RabbitMQ": ("127.0.0.1", 5672, "rabbitmq-server -detached"),
}  # fmt: skip


def require_service(name: str) -> None:
    """Skip the test (fail it under `CI=true`) unless the machine's server `name` answers."""
    host, port, start = SERVICES[name]
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        message = f"{name} is not running on {host}:{port} ({error}); start it with: {start}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Run `command` from the project root in a new session, stdout and stderr to `log_path`."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM the server (it stops its children), wait up to `grace` seconds, then SIGKILL
    what is left of the process group it leads, which only the test started."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A database of its own (`<prefix>_<random hex>`) in the local PostgreSQL, as a SQLAlchemy
    URL; dropped afterwards, open connections or not."""
    import psycopg2

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host="127.0.0.1", user="root", dbname="test")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg2://root@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
