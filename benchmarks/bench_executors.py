"""Wall time of a many-candidate pipeline per executor, and what each executor adds per step.

Run by hand from the repository root, with PostgreSQL and Redis running (about 5 minutes on
2 cores):

    .venv/bin/python -m benchmarks.bench_executors [--pipeline breast_cancer] [--repeat 2]

Every executor runs the same `trainyard run <pipeline>` command against one PostgreSQL
instance (a database made for the benchmark and dropped after), so only the executor
differs: `in_process` (the default), `multiprocess` (a process per step, at most 2 at once)
and `celery` on two `trainyard worker` processes started here, fed by Redis. From each run's
event log:

- command: the `trainyard run` process, start to exit (its start-up included);
- run: RUN_START to RUN_SUCCESS;
- step time: STEP_START to STEP_SUCCESS summed over the steps (each step's own work, its
  inputs and outputs through the IO managers);
- dispatch per step: how long a step waits between being handed to the executor and
  starting: the event "Submitting celery task" or "Launching subprocess" to its STEP_START;
  in process, the previous step's end to the next STEP_START. Median over the steps handed
  over while no other step ran (a step queued behind a busy worker would time the queue).

Medians over the repeats. Results replace the "Executors" section of `benchmarks/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from benchmarks.results import machine, utc_now, write_section
from tests.servers import scratch_database

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "deploy" / "postgres-celery"
TITLE = "## Executors: one pipeline in process, a process per step, two Celery workers"
EXECUTORS = ("in_process", "multiprocess", "celery")
_DISPATCH = {"celery": "Submitting celery task", "multiprocess": "Launching subprocess"}


def environment(scratch: Path, database: str, executor: str) -> dict[str, str]:
    """The settings of the README's "Running at scale", with `executor`."""
    env = {
        **os.environ,
        "TRAINYARD_INSTANCE": str(PROFILE),
        "TRAINYARD_POSTGRES_URL": database,
        "TRAINYARD_EXECUTOR": executor,
        "TRAINYARD_BROKER": f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}",
        "TRAINYARD_HOME": str(scratch / "home"),
        "TRAINYARD_ARTIFACTS": str(scratch / "artifacts"),
        "TRAINYARD_REPORTS": str(scratch / "reports"),
    }
    env.pop("DAGSTER_HOME", None)
    return env


@contextlib.contextmanager
def workers(env: dict[str, str], logs: Path, count: int = 2) -> Iterator[None]:
    """`trainyard worker` × count until the block ends (SIGTERM each, by its pid)."""
    processes = []
    for i in range(count):
        with open(logs / f"worker{i}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "assets.cli", "worker"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
    try:
        for i, process in enumerate(processes):
            log = logs / f"worker{i}.log"
            while " ready." not in log.read_text(errors="replace"):
                if process.poll() is not None:
                    raise SystemExit(f"worker {i} exited:\n{log.read_text(errors='replace')}")
                time.sleep(0.5)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def run_once(env: dict[str, str], pipeline: str) -> float:
    """Wall seconds of `trainyard run <pipeline>`; exits when the run fails."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assets.cli", "run", pipeline],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"trainyard run {pipeline} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def measure(instance: dg.DagsterInstance, run_id: str, executor: str) -> dict[str, float]:
    """Run time, summed step time, mean dispatch per step and step count from the event log."""
    events = [(e, e.dagster_event.event_type_value) for e in instance.all_logs(run_id)
              if e.dagster_event]  # fmt: skip
    run_start = dg.DagsterEventType.RUN_START.value
    run_success = dg.DagsterEventType.RUN_SUCCESS.value
    at = {name: e.timestamp for e, name in events if name in (run_start, run_success)}
    starts = {e.step_key: e.timestamp for e, name in events if name == "STEP_START"}
    ends = {e.step_key: e.timestamp for e, name in events if name == "STEP_SUCCESS"}
    if executor in _DISPATCH:
        handed = {
            e.step_key: e.timestamp
            for e, name in events
            if (e.dagster_event.message or "").startswith(_DISPATCH[executor])
        }
    else:  # in process: a step is handed over when the one before it ends
        order = sorted(starts, key=starts.get)
        handed = {step: ends[before] for before, step in zip(order, order[1:], strict=False)}
    # Only steps handed to an idle executor: a step queued behind another measures the queue.
    idle = [
        step
        for step in handed
        if step in starts
        and not any(
            starts[o] < starts[step] and ends.get(o, 0) > handed[step] for o in starts if o != step
        )
    ]
    waits = [starts[step] - handed[step] for step in idle]
    return {
        "run": at[run_success] - at[run_start],
        "steps": sum(ends[s] - starts[s] for s in ends),
        "dispatch": statistics.median(waits),
        "count": len(ends),
    }


def bench(pipeline: str, repeat: int) -> dict[str, dict[str, float]]:
    """Median measurements per executor."""
    results: dict[str, dict[str, float]] = {}
    with scratch_database("trainyard_bench") as database:
        for executor in EXECUTORS:
            scratch = Path(tempfile.mkdtemp(prefix=f"trainyard-bench-{executor}-"))
            env = environment(scratch, database, executor)
            rows = []
            with workers(env, scratch) if executor == "celery" else contextlib.nullcontext():
                run_once(env, pipeline)  # warm-up: numba caches, first materializations
                for _ in range(repeat):
                    seconds = run_once(env, pipeline)
                    os.environ["TRAINYARD_POSTGRES_URL"] = database
                    instance = dg.DagsterInstance.from_config(str(PROFILE))
                    [run] = instance.get_runs(limit=1)
                    rows.append({"command": seconds, **measure(instance, run.run_id, executor)})
                    print(executor, rows[-1], file=sys.stderr, flush=True)
            shutil.rmtree(scratch, ignore_errors=True)
            results[executor] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    return results


def section(pipeline: str, repeat: int, results: dict, load: str, when: str) -> str:
    """The Markdown section for RESULTS.md."""
    rows = [
        "| executor | command s | run s | Σ step s | dispatch per idle step s | steps |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for executor, r in results.items():
        rows.append(
            f"| {executor} | {r['command']:.1f} | {r['run']:.1f} | {r['steps']:.1f} | "
            f"{r['dispatch']:.2f} | {r['count']:.0f} |"
        )
    base = results["in_process"]
    lines = [
        TITLE,
        "",
        f"Measured {when}, `trainyard run {pipeline}`, median of {repeat} runs after one "
        f"warm-up run each, 1-minute load average {load} during the benchmark. Machine: "
        f"{machine(('dagster', 'dagster-celery', 'celery', 'numpy'))}; PostgreSQL instance "
        "for every executor, Redis broker, both workers on this machine "
        f"({socket.gethostname()}).",
        "",
        *rows,
        "",
        f"Per step, the Celery executor adds {results['celery']['dispatch']:.2f} s of dispatch "
        f"(broker round trip, the worker loading the run and the plan) and multiprocess "
        f"{results['multiprocess']['dispatch']:.2f} s (a fresh interpreter importing the "
        f"project), against {base['dispatch']:.2f} s in process. Step time is the sum over the "
        "steps of their own execution; on two workers steps overlap, so the run can take less "
        "than that sum.",
        "",
        f"Here the two workers share this machine's two cores with the run's own process, so "
        f"the pipeline takes {results['celery']['run']:.1f} s on them against "
        f"{base['run']:.1f} s in process: Celery spreads steps over machines, and pays off "
        "when the workers bring cores (and memory) of their own; a process per step pays "
        "the interpreter start-up on every step.",
        "",
        "Method: `benchmarks/bench_executors.py` (see its docstring).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", default="breast_cancer")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    before = os.getloadavg()[0]
    results = bench(args.pipeline, args.repeat)
    load = f"{min(before, os.getloadavg()[0]):.2f}–{max(before, os.getloadavg()[0]):.2f}"
    text = section(args.pipeline, args.repeat, results, load, utc_now())
    path = write_section(TITLE, text)
    print(path.read_text().split(TITLE)[1].split("\n## ")[0])


if __name__ == "__main__":
    main()
