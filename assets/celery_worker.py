"""The Celery app of trainyard's workers (`trainyard worker`, or
`celery -A assets.celery_worker worker`): dagster-celery's step task on an app configured as
the executor is (`assets.engine.celery_app_args`).

A worker takes one step at a time from the `dagster` queue, loads the job from the pointer
in the task (the module `assets.definitions`, imported once when the worker starts), opens
the instance from the reference in the task (its storage URL resolved from this machine's
environment: `TRAINYARD_POSTGRES_URL`) and writes the step's outputs under this machine's
`TRAINYARD_ARTIFACTS`, which must name the storage every machine shares. Unlike
`dagster-celery worker start -y`, it writes no file holding the broker URL.
"""

from __future__ import annotations

import os
import socket

from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from assets.engine import celery_app_args

app = make_app(celery_app_args())
execute_plan = create_task(app)


def worker_name(name: str | None) -> str:
    """The worker's node name: `name@host`, by default `trainyard-<pid>@host`, which the
    engine event of every step it runs records ("Celery worker")."""
    return f"{name or f'trainyard-{os.getpid()}'}@{socket.gethostname()}"


def start_worker(name: str | None, concurrency: int, loglevel: str) -> None:
    """Run a worker in this process until it is stopped (SIGTERM: finish the step, then exit).

    Prefork pool: the steps run in `concurrency` child processes while this one keeps the
    broker connection alive, so a long step does not miss the broker's heartbeats, and a
    child killed mid-step gives its task back (`task_reject_on_worker_lost`).
    """
    app.worker_main(
        [
            "worker",
            f"--hostname={worker_name(name)}",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--queues=dagster",
            "--prefetch-multiplier=1",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
