"""Run a job out of process (multiprocess or Celery executor), with the CLI's progress lines.

Steps executed elsewhere log to the instance, not to this process's loggers, so the lines
are read back from the run's event log as it grows. The job is loaded by workers from the
module `assets.definitions` (`retrain_job`), the code location the UI serves too.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sys
import threading
import warnings
from collections.abc import Iterator

import dagster as dg

from assets.engine import check_broker, executor_name
from assets.progress import ProgressHandler
from pipelines.paths import PROJECT_ROOT

INVOCATION_TAG = "trainyard/invocation"
# Steps in other processes would print to this terminal from multiprocess children only, and
# twice beside the lines read back from the event log, which has them all: no console lines.
_QUIET = {"loggers": {"progress": {"config": {"silent": True}}}}
_POLL_SECONDS = 0.5


def reconstructable_job(name: str) -> dg.ReconstructableJob:
    """A pointer to the job `name` of `assets.definitions` that another process can load."""
    return dg.build_reconstructable_job(
        "assets.definitions",
        "retrain_job",
        reconstructable_args=(name,),
        reconstructor_working_directory=str(PROJECT_ROOT),
    )


def execute_out_of_process(
    job_name: str, instance: dg.DagsterInstance, tags: dict[str, str]
) -> dg.JobExecutionResult:
    """Run `job_name` with the configured executor, printing one line per asset event."""
    if executor_name() == "celery":
        check_broker()
        # dagster-celery registers its step task again for every step it submits (the same
        # callable each time), which Celery 5.7 warns about once per run.
        from celery.exceptions import DuplicateTaskNameWarning

        warnings.filterwarnings("ignore", category=DuplicateTaskNameWarning)
    token = secrets.token_hex(8)
    with _printing_progress(instance, token):
        return dg.execute_job(
            reconstructable_job(job_name),
            instance=instance,
            run_config=_QUIET,
            tags={**tags, INVOCATION_TAG: token},
            raise_on_error=False,
        )


@contextlib.contextmanager
def _printing_progress(instance: dg.DagsterInstance, token: str) -> Iterator[None]:
    """Print the progress lines of the run tagged `token` while the block runs."""
    stop = threading.Event()
    printer = threading.Thread(target=_follow, args=(instance, token, stop), daemon=True)
    printer.start()
    try:
        yield
    finally:
        stop.set()
        printer.join()


def _follow(instance: dg.DagsterInstance, token: str, stop: threading.Event) -> None:
    """Poll the event log of the run tagged `token` until `stop` is set, then read it once
    more to the end."""
    handler, cursor, run_id = ProgressHandler(sys.stderr), None, None
    while True:
        finished = stop.wait(_POLL_SECONDS)
        if run_id is None:
            runs = instance.get_runs(dg.RunsFilter(tags={INVOCATION_TAG: token}), limit=1)
            run_id = runs[0].run_id if runs else None
        while run_id is not None:
            batch = instance.get_records_for_run(run_id, cursor=cursor, limit=200)
            for record in batch.records:
                _print(handler, record.event_log_entry)
            cursor = batch.cursor
            if not batch.has_more:
                break
        if finished:
            return


def _print(handler: ProgressHandler, entry: dg.EventLogEntry) -> None:
    """Show one event log entry as the in-process progress logger would."""
    event = entry.dagster_event
    if event is None:
        if entry.level >= logging.WARNING:
            print(f"    ! {entry.user_message}", file=handler.stream, flush=True)
        return
    line = handler.line(event, at=entry.timestamp)
    if line:
        print(line, file=handler.stream, flush=True)
