"""After a killed run: mark its run failed and remove the temporaries it left behind.

A run killed with `kill -9` cannot report its end, so the instance keeps it STARTED (the UI
shows it running forever), and a write it was in the middle of leaves a temporary file or
folder (`.champion.<host>-<pid>-<random>.tmp`). `trainyard run` calls `recover` first: a
STARTING/STARTED run whose process no longer exists on this machine is marked FAILURE with
a message, and temporaries of dead processes of this machine are removed. The process is
known from the run's `trainyard/pid` + `trainyard/host` tags (set by `assets.runner`), else
from the pid Dagster's executor records in its "Executing steps in process" engine event; a
run whose process cannot be told, or runs elsewhere, is left alone.
"""

from __future__ import annotations

import os

import dagster as dg
from upath import UPath

from algorithms.atomic_files import HOST, process_alive, remove_leftovers

PID_TAG = "trainyard/pid"
HOST_TAG = "trainyard/host"
_OPEN = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def run_tags() -> dict[str, str]:
    """Tags that tell a later `recover` which process on which machine runs this run."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: HOST}


def _run_pid(instance: dg.DagsterInstance, run: dg.DagsterRun) -> int | None:
    """The id of the process on this machine that executes `run`, or None when unknown."""
    if HOST_TAG in run.tags:
        return int(run.tags[PID_TAG]) if run.tags[HOST_TAG] == HOST else None
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        pid = entry.dagster_event.engine_event_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value)
    return None


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark every open run whose process is gone as FAILURE; their run ids."""
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_OPEN)):
        pid = _run_pid(instance, run)
        if pid is None or pid == os.getpid() or process_alive(pid):
            continue
        instance.report_run_failed(
            run,
            message=f"the run's process {pid} ended without finishing the run (killed?); "
            "marked failed by the next `trainyard run`.",
        )
        failed.append(run.run_id)
    return failed


def recover(instance: dg.DagsterInstance, roots: list[str | os.PathLike]) -> list[str]:
    """Fail orphaned runs and remove dead processes' temporaries below `roots` (paths or
    URLs); one line per thing done, to show the user."""
    lines = [f"run {run_id} was killed; marked failed" for run_id in fail_orphaned_runs(instance)]
    for root in roots:
        lines += [f"removed leftover {path}" for path in remove_leftovers(UPath(root))]
    return lines
