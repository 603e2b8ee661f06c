"""Which Dagster engine runs the steps, chosen by configuration: in process (the default),
one process per step, or Celery workers on any number of machines.

`TRAINYARD_EXECUTOR` is `in_process` (default), `multiprocess` or `celery`. For Celery,
`TRAINYARD_BROKER` is the broker URL (default: RabbitMQ on localhost, dagster-celery's own
default) and `TRAINYARD_BACKEND` the result backend (default `rpc://`, results over the
broker). The executor is part of the definitions (`assets.factory`), so runs launched from
the UI use it too; the executor config refers to the URLs by environment variable, so no
password is stored in a run, an event or a definition.

The Celery workers and the executor share one app configuration (`celery_app_args`): late
acknowledgement, so a task whose worker dies before finishing goes back to the queue and
another worker runs the step again, and one task fetched at a time, so a dead worker takes
no other queued step with it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # imported where used: the CLI loads this module for every command
    import dagster as dg

EXECUTOR_ENV = "TRAINYARD_EXECUTOR"
BROKER_ENV = "TRAINYARD_BROKER"
BACKEND_ENV = "TRAINYARD_BACKEND"
EXECUTORS = ("in_process", "multiprocess", "celery")
DEFAULT_BROKER = "pyamqp://guest@localhost//"
DEFAULT_BACKEND = "rpc://"
# Modules a worker imports before it takes a task: the code location itself, loaded once
# per worker rather than once per step.
WORKER_INCLUDES = ["assets.definitions"]
# A Redis broker has no connection-bound delivery: a task taken by a worker that died is
# handed out again only after this many seconds. It must exceed the longest step, or a
# step still running is started a second time elsewhere.
REDIS_VISIBILITY_SECONDS = int(os.environ.get("TRAINYARD_BROKER_VISIBILITY_TIMEOUT", "3600"))


class EngineError(RuntimeError):
    """A server trainyard needs (database, broker) cannot be used; the message names it."""


def executor_name() -> str:
    """The configured executor, `in_process` unless `TRAINYARD_EXECUTOR` says otherwise."""
    name = os.environ.get(EXECUTOR_ENV, "in_process") or "in_process"
    if name not in EXECUTORS:
        raise ValueError(f"{EXECUTOR_ENV}={name!r} is not an executor; use one of {EXECUTORS}")
    return name


def redact(url: str) -> str:
    """`url` with any password replaced by `***`, to show in a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def broker_url() -> str:
    """The Celery broker URL this process talks to."""
    return os.environ.get(BROKER_ENV) or DEFAULT_BROKER


def _from_env(variable: str, default: str) -> str | dict[str, str]:
    """A StringSource: the variable's name when set (resolved where the run executes, so the
    URL stays out of the run's record), else the default."""
    return {"env": variable} if os.environ.get(variable) else default


def celery_config_source() -> dict[str, Any]:
    """Celery settings shared by the executor and every worker."""
    return {
        "task_acks_late": True,
        # A pool process killed mid-task (out of memory, SIGKILL) gives its task back.
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "max_retries": 3,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
            "visibility_timeout": REDIS_VISIBILITY_SECONDS,
        },
    }


def celery_executor_config() -> dict[str, Any]:
    """The `celery_executor` config of this environment."""
    return {
        "broker": _from_env(BROKER_ENV, DEFAULT_BROKER),
        "backend": _from_env(BACKEND_ENV, DEFAULT_BACKEND),
        "include": WORKER_INCLUDES,
        "config_source": celery_config_source(),
    }


def celery_app_args() -> dict[str, Any]:
    """Arguments of the Celery app, as the executor builds it from `celery_executor_config`
    (the workers use the same, so both ends agree on queues and acknowledgement)."""
    from dagster._core.execution.retries import RetryMode
    from dagster_celery.executor import CeleryExecutor

    return CeleryExecutor(
        retries=RetryMode.ENABLED,
        broker=broker_url(),
        backend=os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND,
        include=WORKER_INCLUDES,
        config_source=celery_config_source(),
    ).app_args()


def chosen_executor() -> dg.ExecutorDefinition:
    """The executor definition `TRAINYARD_EXECUTOR` selects."""
    import dagster as dg

    name = executor_name()
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured(celery_executor_config(), name="celery")
    return dg.in_process_executor


def check_broker(timeout: float = 5.0) -> None:
    """Raise `EngineError` naming the broker (password hidden) when it cannot be reached."""
    from celery import Celery

    url = broker_url()
    app = Celery("trainyard-check", broker=url)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        raise EngineError(
            f"cannot reach the Celery broker at {redact(url)}: {scrub(str(exc), url)}; "
            f"is it running, and is {BROKER_ENV} right?"
        ) from None


def scrub(text: str, url: str) -> str:
    """`text` (an error message) with `url` shown redacted and its password nowhere."""
    password = urlsplit(url).password
    text = text.replace(url, redact(url))
    return text.replace(password, "***") if password else text
