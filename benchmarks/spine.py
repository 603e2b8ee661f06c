"""Wall time of `trainyard run viral_posts`, split into start-up, Dagster overhead and work.

Run by hand from the repository root (takes a minute or two on 2 cores):

    .venv/bin/python benchmarks/spine.py [--repeat N]

Each repeat runs three fresh processes, each with its own empty `TRAINYARD_HOME` (a cold
Dagster instance, no earlier artifacts or champion):

- end to end: the real command `.venv/bin/trainyard run viral_posts`;
- work probe: imports the libraries one by one, loads the definitions, then calls the
  pipeline functions each asset calls (read_source + content_hash, validate_frame, prepare,
  train, evaluate, write_report, decide_promotion) directly, without Dagster;
- Dagster probe: the same start-up, then `assets.runner.materialize_pipeline` as the CLI does.

start-up = process spawn until the definitions are loaded; work = the direct calls;
Dagster overhead = materialize_pipeline - work (storage through the IO managers, metadata,
the SQLite instance and event log, step orchestration); the remainder of the end-to-end time
is CLI glue and interpreter exit. Medians over the repeats. Before the repeats, one end-to-end
run uses an empty `NUMBA_CACHE_DIR`, i.e. the first run ever (the numba cache beside the
source, `algorithms/**/__pycache__/*.nbi|nbc`, is warm after that and is never touched).
Results replace the "Spine" section of `benchmarks/RESULTS.md`, leaving other sections alone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = "viral_posts"
TARGET_S = 10.0
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
    from pipelines.spec import load_specs

    _definitions()
    spec = load_specs()[PIPELINE]
    out["imports"]["project + definitions"] = time.perf_counter() - started
    out["t_ready"] = time.monotonic()
    if mode == "dagster":
        started = time.perf_counter()
        assert materialize_pipeline(spec).success, "the Dagster run failed"
        out["materialize"] = time.perf_counter() - started
        return out

    from pipelines.evaluation import evaluate
    from pipelines.features import prepare
    from pipelines.gate import decide_promotion
    from pipelines.paths import reports_dir
    from pipelines.report import write_report
    from pipelines.sources import content_hash, read_source
    from pipelines.spec import resolve_schema
    from pipelines.training import train
    from pipelines.validation import validate_frame

    def step(name, function, *args):
        started = time.perf_counter()
        value = function(*args)
        out["steps"][name] = time.perf_counter() - started
        return value

    raw = step("raw: read_source", read_source, spec)
    step("raw: content_hash", content_hash, raw)
    report = step("validated: validate_frame", validate_frame, raw, resolve_schema(spec.schema_))
    assert report.ok, report.summary()
    prepared = step("normalized: prepare", prepare, report.valid, spec)
    bundle = step("model: train", train, spec, prepared.frame, prepared.transform)
    result = step("evaluation: evaluate", evaluate, spec, bundle, prepared.frame)
    step("evaluation: write_report", write_report, spec, bundle, result, reports_dir(PIPELINE))
    assert step("champion: decide_promotion", decide_promotion, spec, result, None).passed
    out["work"] = sum(out["steps"].values())
    return out


def spawn(command: list[str], **env: str) -> tuple[float, float, str]:
    """(monotonic start, wall seconds, stdout) of `command` in a fresh TRAINYARD_HOME."""
    with tempfile.TemporaryDirectory(prefix="spine-") as home:
        env = {**os.environ, "TRAINYARD_HOME": home, **env}
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return started, wall, done.stdout


def run_probe(mode: str) -> dict:
    started, _, stdout = spawn([sys.executable, __file__, "--probe", mode])
    out = json.loads(stdout.strip().splitlines()[-1])
    out["interpreter"] = out["t_start"] - started
    out["startup"] = out["t_ready"] - started
    return out


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    ram = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())[1]) / 2**20
    libs = ", ".join(f"{n} {version(n)}" for n in ["dagster", "polars", "numpy", "numba"])
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return (
        f"{cpu[1] if cpu else platform.processor()}, {os.cpu_count()} cores, {ram:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {libs}; load average before the run {load}"
    )


def section(e2e: list[float], first: float, work: list[dict], dag: list[dict], head: str) -> str:
    med = statistics.median
    probes = work + dag
    startup, the_work = med(p["startup"] for p in probes), med(p["work"] for p in work)
    overhead = med(p["materialize"] for p in dag) - the_work
    total = med(e2e)
    rest = total - startup - overhead - the_work
    rows = [
        ("start-up (interpreter, imports, definitions)", startup),
        ("Dagster overhead (materialize_pipeline − work)", overhead),
        ("the work itself (pipeline functions, no Dagster)", the_work),
        ("CLI glue and interpreter exit (remainder)", rest),
    ]
    table = ["| part | median s | share |", "|---|---:|---:|"]
    table += [f"| {name} | {s:.2f} | {s / total:.0%} |" for name, s in rows]
    verdict = "meets" if total < TARGET_S else "misses"
    table.append(f"| **end to end** (target < {TARGET_S:.0f} s: {verdict}) | **{total:.2f}** | |")
    table.append(f"| first run ever (empty numba cache), not in the median | {first:.2f} | |")
    parts = {"start-up": med(p["interpreter"] for p in probes)}
    parts |= {k: med(p["imports"][k] for p in probes) for k in probes[0]["imports"]}
    startup_split = ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
    steps = {k: med(p["steps"][k] for p in work) for k in work[0]["steps"]}
    work_split = ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
    ranked = sorted(rows[:3], key=lambda r: -r[1])
    libs = sorted(((v, k) for k, v in parts.items() if k != "start-up"), reverse=True)[:3]
    slowest = max(steps, key=steps.get)
    smaller = "smaller" if overhead < the_work else "larger"
    reading = (
        f"End to end takes {total:.1f} s, {'under' if total < TARGET_S else 'over'} the "
        f"{TARGET_S:.0f} s target. {ranked[0][0].split(' (')[0].capitalize()} dominates "
        f"({ranked[0][1]:.1f} s, {ranked[0][1] / total:.0%}); the Dagster overhead "
        f"({overhead:.1f} s) is the {smaller} part next to the work ({the_work:.1f} s). "
        f"Start-up goes mostly to importing {', '.join(f'{k} ({v:.1f} s)' for v, k in libs)}; "
        "every CLI command pays it, so the lever there is importing less at start-up (the "
        "report's matplotlib and pandera only when a run needs them) and keeping the "
        "process alive (a long-lived `dagster dev` pays it once). The Dagster overhead is "
        "mostly a cold instance (SQLite schema created on the first run in a fresh home), "
        "storing every asset through the IO managers, metadata (previews, the inline report) "
        "and the event log; a warm instance or in-memory IO managers would shrink it. In the "
        f"work, {slowest} is the slowest step ({steps[slowest]:.2f} s)."
    )
    return "\n".join(
        [
            TITLE,
            "",
            f"Measured {head}.",
            f"Machine: {machine()}.",
            "",
            *table,
            "",
            f"Start-up, s: {startup_split}.  ",
            f"Work, s: {work_split}.",
            "",
            reading,
            "",
            "Method: `benchmarks/spine.py` (see its docstring); each process gets an empty "
            "`TRAINYARD_HOME` (cold Dagster instance); the numba cache is warm except in the "
            "first-run row; the OS file cache is warm throughout.",
            "",
        ]
    )


def write_results(text: str) -> Path:
    path = ROOT / "benchmarks" / "RESULTS.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n\nOne section per benchmark.\n"
    sections = re.split(r"(?m)^(?=## )", old)
    kept = [s for s in sections if not s.startswith(TITLE)]
    if len(kept) == len(sections):
        kept.append(text)
    else:
        kept.insert(next(i for i, s in enumerate(sections) if s.startswith(TITLE)), text)
    path.write_text(
        "".join(s if s.endswith("\n\n") else s.rstrip() + "\n\n" for s in kept).rstrip() + "\n"
    )
    return path


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeat", type=int, default=5)
    args.add_argument("--probe", choices=["work", "dagster"], help=argparse.SUPPRESS)
    args = args.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe)))
        return
    command = [str(ROOT / ".venv" / "bin" / "trainyard"), "run", PIPELINE]
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="spine-numba-") as cache:
        first = spawn(command, NUMBA_CACHE_DIR=cache)[1]
    print(f"first run, empty numba cache: {first:.2f} s", file=sys.stderr)
    e2e, work, dag = [], [], []
    for i in range(args.repeat):
        e2e.append(spawn(command)[1])
        work.append(run_probe("work"))
        dag.append(run_probe("dagster"))
        print(
            f"repeat {i + 1}/{args.repeat}: end to end {e2e[-1]:.2f} s, start-up "
            f"{work[-1]['startup']:.2f}/{dag[-1]['startup']:.2f} s, work {work[-1]['work']:.2f} s,"
            f" materialize {dag[-1]['materialize']:.2f} s",
            file=sys.stderr,
        )
    head = f"{date}, median of {args.repeat} repeats"
    print(f"wrote {write_results(section(e2e, first, work, dag, head))}", file=sys.stderr)


if __name__ == "__main__":
    main()
