"""Wall time of `trainyard run viral_posts`, split into start-up, Dagster overhead and work.

Run by hand from the repository root (takes a minute or two on 2 cores):

    .venv/bin/python -m benchmarks.spine [--repeat N] [--cli-repeat N] [--print]

Each repeat runs three fresh processes, each with its own empty `TRAINYARD_HOME` (a cold
Dagster instance, no earlier artifacts or champion):

- end to end: the real command `.venv/bin/trainyard run viral_posts`;
- work probe: imports the libraries one by one, loads the definitions, then calls the
  pipeline functions each asset calls (read_source + content_hash, validate_frame, prepare,
  train, evaluate_models, write_report, decide_promotion) directly, without Dagster;
- Dagster probe: the same start-up, then `assets.runner.materialize_pipeline` as the CLI does.

start-up = process spawn until the definitions are loaded; work = the direct calls;
Dagster overhead = materialize_pipeline - work (storage through the IO managers, metadata,
the SQLite instance and event log, step orchestration); the remainder of the end-to-end time
is CLI glue and interpreter exit. Medians over the repeats. Before the repeats, one end-to-end
run uses an empty `NUMBA_CACHE_DIR`, i.e. the first run ever (the numba cache beside the
source, `algorithms/**/__pycache__/*.nbi|nbc`, is warm after that and is never touched).
Then the "CLI timings" table of `benchmarks/cli.py` (list, validate, show, run viral_posts,
run --all; `--cli-repeat` fresh processes each, 0 leaves it out). Results replace the "Spine"
section of `benchmarks/RESULTS.md`, leaving other sections alone; `--print` prints the section
instead.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cli import cli_timings, timings_table
from benchmarks.results import machine, utc_now, write_section

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = "viral_posts"
TARGET_S = 3.0
TITLE = f"## Spine: trainyard run {PIPELINE}"
# Imported first, in this order, each timed on top of the ones before (all are start-up
# imports of the CLI anyway); the rest of start-up is the project and `build_definitions`.
LIBRARIES = ["numpy", "polars", "numba", "sklearn.base", "pandera.polars", "matplotlib.figure"]
LIBRARIES += ["dagster"]


def probe(mode: str) -> dict:
    """Runs inside a fresh process: time start-up, then the work or the Dagster run."""
    out: dict = {"t_start": time.monotonic(), "imports": {}, "steps": {}}
    for name in LIBRARIES:
        started = time.perf_counter()
        importlib.import_module(name)
        out["imports"][name.split(".")[0]] = time.perf_counter() - started
    started = time.perf_counter()
    from assets.runner import _definitions, materialize_pipeline
    from pipelines.paths import SPECS_DIR, artifacts_root
    from pipelines.spec import load_spec

    spec = load_spec(SPECS_DIR / f"{PIPELINE}.yaml")
    _definitions(artifacts_root(), spec)
    out["imports"]["project + definitions"] = time.perf_counter() - started
    out["t_ready"] = time.monotonic()
    if mode == "dagster":
        started = time.perf_counter()
        assert materialize_pipeline(spec).success, "the Dagster run failed"
        out["materialize"] = time.perf_counter() - started
        return out

    from assets.instance import persistent_instance
    from pipelines.features import prepare
    from pipelines.gate import decide_promotion
    from pipelines.kinds.table import evaluate_models
    from pipelines.paths import reports_dir
    from pipelines.report import write_report
    from pipelines.sources import content_hash, read_source
    from pipelines.spec import resolve_schema
    from pipelines.training import train
    from pipelines.validation import validate_frame

    def step(function, *args):
        started = time.perf_counter()
        value = function(*args)
        out["steps"][function.__name__] = time.perf_counter() - started
        return value

    raw = step(read_source, spec)
    step(content_hash, raw)
    report = step(validate_frame, raw, resolve_schema(spec.schema_))
    assert report.ok, report.summary()
    prepared = step(prepare, report.valid, spec)
    bundle = step(train, spec, prepared)
    result, sections = step(evaluate_models, spec, {"model": bundle}, prepared)
    step(write_report, reports_dir(PIPELINE), sections)
    assert step(decide_promotion, spec, result, None).passed
    out["work"] = sum(out["steps"].values())
    started = time.perf_counter()
    persistent_instance()  # the cold instance that materialize_pipeline starts with
    out["instance"] = time.perf_counter() - started
    gc.freeze()  # so its exit skips the final GC that the Dagster probe (like the CLI) pays
    return out


def spawn(command: list[str], **env: str) -> tuple[float, float, float, str]:
    """(monotonic start, wall s, CPU s, stdout) of `command` in a fresh TRAINYARD_HOME."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="spine-") as home:
        env = {**os.environ, "TRAINYARD_HOME": home, **env}
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return started, wall, cpu_s, done.stdout


def run_probe(mode: str) -> dict:
    started, wall, _, stdout = spawn([sys.executable, "-m", "benchmarks.spine", "--probe", mode])
    out = json.loads(stdout.strip().splitlines()[-1])
    out["interpreter"] = out["t_start"] - started
    out["startup"] = out["t_ready"] - started
    out["exit"] = started + wall - out["t_end"]
    return out


def section(
    e2e: list[tuple], first: float, work: list[dict], dag: list[dict], when: str, cli: str
) -> str:
    med = statistics.median
    probes = work + dag
    total, cpu = med(w for _, w, _, _ in e2e), med(c for _, _, c, _ in e2e)
    startup, the_work = med(p["startup"] for p in probes), med(p["work"] for p in work)
    overhead = med(p["materialize"] for p in dag) - the_work
    instance, exit_s = med(p["instance"] for p in work), med(p["exit"] for p in dag)
    rows = [
        ("start-up: interpreter, imports, definitions", startup),
        ("Dagster overhead: materialize_pipeline − work", overhead),
        ("  of which getting the instance (fresh home)", instance),
        ("the work itself: pipeline functions, no Dagster", the_work),
        ("remainder: CLI glue and interpreter exit", total - startup - overhead - the_work),
        ("  interpreter exit alone (measured in the Dagster probe)", exit_s),
    ]
    verdict = ("met" if total < TARGET_S else "missed") + ", overhead < work: "
    verdict += "met" if overhead < the_work else "missed"
    table = ["| part | median s | share |", "|---|---:|---:|"]
    table += [f"| {name} | {s:.2f} | {s / total:.0%} |" for name, s in rows]
    table += [
        f"| **end to end** (target < {TARGET_S:.0f} s: {verdict}) | **{total:.2f}** | 100% |",
        f"| end to end, CPU time (user + sys) | {cpu:.2f} | |",
        f"| first run ever (empty numba cache), 1 run | {first:.2f} | |",
    ]
    imports = {"interpreter": med(p["interpreter"] for p in probes)}
    imports |= {k: med(p["imports"][k] for p in probes) for k in probes[0]["imports"]}
    steps = {k: med(p["steps"][k] for p in work) for k in work[0]["steps"]}
    top = sorted(((v, k) for k, v in imports.items() if k != "interpreter"), reverse=True)[:3]
    big = max(rows[0], rows[1], rows[3], key=lambda r: r[1])[0].split(":")[0]
    slowest = sorted(steps, key=steps.get, reverse=True)[:3]
    reading = (
        f"End to end takes {total:.1f} s ({cpu:.1f} s of CPU), "
        f"{'under' if total < TARGET_S else 'over'} the {TARGET_S:.0f} s target; "
        f"{big} is the largest part, and the Dagster overhead "
        f"({overhead:.1f} s) is {'smaller' if overhead < the_work else 'larger'} than the work "
        f"({the_work:.1f} s). Start-up goes mostly to importing "
        f"{', '.join(f'{k} ({v:.1f} s)' for v, k in top)}; every command pays it, so importing "
        "less eagerly is the lever there. Of the Dagster overhead, "
        f"{instance:.1f} s is getting the SQLite instance of a fresh home, most of which every "
        "process pays even when the home has one (the lazy SQLAlchemy/Alembic imports, the "
        "schema check); the rest is the event log's SQLite writes, storing each asset through "
        "the IO managers and computing metadata. A process that exits without freezing the "
        f"garbage collector spends {exit_s:.1f} s on the final collection over every imported "
        "module (the Dagster probe); the CLI's `main` calls `gc.freeze()`, as the work probe "
        f"does ({med(p['exit'] for p in work):.2f} s to exit), so the CLI does not pay it. "
        "The work itself is mostly "
        + ", ".join(f"{k} ({steps[k]:.2f} s)" for k in slowest)
        + "; evaluate_models refits the model once per loss-curve value."
    )
    return "\n".join(
        [
            TITLE,
            "",
            f"{when}. Machine: {machine()}.",
            "",
            *table,
            "",
            "Start-up, s: " + ", ".join(f"{k} {v:.2f}" for k, v in imports.items()) + ".  ",
            "Work, s: " + ", ".join(f"{k} {v:.3f}" for k, v in steps.items()) + ".",
            "",
            reading,
            "",
            "Method: `benchmarks/spine.py` (see its docstring). Every process starts with an "
            "empty `TRAINYARD_HOME`, so a cold Dagster instance; the numba cache is warm except "
            "in the first-run row, and the OS file cache is warm throughout. Wall times on a "
            "shared machine: compare the CPU time row when the load average is high.",
            "",
            *([cli, ""] if cli else []),
        ]
    )


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeat", type=int, default=5)
    args.add_argument("--cli-repeat", type=int, default=3, help="0: no CLI timings table")
    args.add_argument("--print", action="store_true", help="print the section, write nothing")
    args.add_argument("--probe", choices=["work", "dagster"], help=argparse.SUPPRESS)
    args = args.parse_args()
    if args.probe:
        out = probe(args.probe)
        print(json.dumps(out | {"t_end": time.monotonic()}), flush=True)
        return
    command = [str(ROOT / ".venv" / "bin" / "trainyard"), "run", PIPELINE]
    date = utc_now()
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="spine-numba-") as cache:
        first = spawn(command, NUMBA_CACHE_DIR=cache)[1]
    print(f"first run, empty numba cache: {first:.2f} s", file=sys.stderr)
    e2e, work, dag = [], [], []
    for i in range(args.repeat):
        e2e.append(spawn(command))
        work.append(run_probe("work"))
        dag.append(run_probe("dagster"))
        load.append(os.getloadavg()[0])
        print(
            f"repeat {i + 1}/{args.repeat}: end to end {e2e[-1][1]:.2f} s "
            f"(CPU {e2e[-1][2]:.2f} s), start-up {work[-1]['startup']:.2f} s, "
            f"work {work[-1]['work']:.2f} s, materialize {dag[-1]['materialize']:.2f} s",
            file=sys.stderr,
        )
    when = (
        f"Measured {date}, median of {args.repeat} repeats, 1-minute load average "
        f"{min(load):.2f}–{max(load):.2f} during the run"
    )
    paces: list[float] = []
    cli = ""
    if args.cli_repeat:
        cli = timings_table(cli_timings(args.cli_repeat, paces), args.cli_repeat, paces)
    text = section(e2e, first, work, dag, when, cli)
    if args.print:
        print(text)
    else:
        print(f"wrote {write_section(TITLE, text)}", file=sys.stderr)


if __name__ == "__main__":
    main()
