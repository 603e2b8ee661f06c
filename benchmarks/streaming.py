"""Peak memory and throughput of the streamed `viral_posts_large` at two table sizes, and its
learner against scikit-learn's `SGDClassifier.partial_fit` fed the same Polars batches.

Run by hand from the repository root (a few minutes on 2 cores; the 20-million-row table
takes about 2 GB of disk under a temporary home, removed afterwards):

    .venv/bin/python -m benchmarks.streaming [--rows 2000000 20000000]

For each row count, one fresh process runs `trainyard run viral_posts_large` with the spec's
`rows` replaced (a copy of the spec in a temporary `TRAINYARD_SPECS`), in an empty
`TRAINYARD_HOME`: the generator step writes the parts, then every step streams them. Its
peak resident memory is the child's `ru_maxrss` (`os.wait4`), so it holds everything the
process ever held: interpreter, Dagster, and the batches. Rows per second end to end = rows
÷ wall time; the model step's = train rows × epochs ÷ its time (the CLI's progress line).

Then a second process, on the parts that run stored, times two loops over the same batches
(`pipelines.streaming.training.train_batches`: each part read, split and scaled by the
stored plan, epoch after epoch): one feeding the spec's learner (the delta rule's
`partial_fit`), one feeding scikit-learn's `SGDClassifier(random_state=0).partial_fit`.
Both loops include reading and scaling the parts, so they differ only by the learner; a
third loop without a learner times the reading and scaling alone. Each loop runs twice,
alternated, and its best time is kept.
Flat memory: peak at the largest size within 1.3× of the smallest. Results replace the
"Streaming" section of `benchmarks/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.results import machine, utc_now, write_section

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = "viral_posts_large"
TITLE = f"## Streaming: trainyard run {PIPELINE}"
MAX_MEMORY_RATIO = 1.3
_STEP = re.compile(r"✓ (\S+)\s+materialized in ([0-9.]+) s")


def spec_with_rows(folder: Path, rows: int) -> dict:
    """Write the shipped spec with `rows` generated posts into `folder`; return it."""
    spec = yaml.safe_load((ROOT / "pipelines" / "specs" / f"{PIPELINE}.yaml").read_text())
    spec["source"]["rows"] = rows
    (folder / f"{PIPELINE}.yaml").write_text(yaml.safe_dump(spec))
    return spec


def run_pipeline(rows: int, home: Path) -> dict:
    """Run the pipeline on `rows` posts in a fresh process: wall s, peak RSS MiB, step times."""
    specs = home / "specs"
    specs.mkdir(parents=True)
    spec = spec_with_rows(specs, rows)
    env = {**os.environ, "TRAINYARD_HOME": str(home), "TRAINYARD_SPECS": str(specs)}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("TRAINYARD_ARTIFACTS", None)
    command = [sys.executable, "-m", "assets.cli", "run", PIPELINE]
    started = time.monotonic()
    child = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{' '.join(command)} failed with {rows} rows:\n{stdout}")
    plan = json.loads((home / "artifacts" / PIPELINE / "normalized.json").read_text())
    evaluation = json.loads((home / "artifacts" / PIPELINE / "evaluation.json").read_text())
    steps = {key.split("/", 1)[1]: float(s) for key, s in _STEP.findall(stdout)}
    epochs = spec["source"]["stream"]["epochs"]
    return {
        "rows": rows,
        "wall": wall,
        "peak_mib": usage.ru_maxrss / 1024,
        "steps": steps,
        "n_train": plan["n_train"],
        "epochs": epochs,
        "model_rows_per_s": plan["n_train"] * epochs / steps["model"],
        "accuracy": evaluation["metrics"]["accuracy"],
    }


def probe_learners(home: Path) -> dict:
    """In this process: rows per second of the two learners over the stored batches."""
    from sklearn.linear_model import SGDClassifier

    from pipelines.spec import load_spec
    from pipelines.streaming.features import StreamedFeatures
    from pipelines.streaming.training import fit_incrementally, train_batches
    from pipelines.training import build_estimator

    spec = load_spec(home / "specs" / f"{PIPELINE}.yaml")
    plan_path = home / "artifacts" / PIPELINE / "normalized.json"
    plan = StreamedFeatures.from_dict(json.loads(plan_path.read_text()))
    stream = spec.stream
    learners = {
        "ours": lambda: build_estimator(spec.model),
        "sklearn": lambda: SGDClassifier(random_state=0),
    }
    rows = plan.n_train * stream.epochs
    seconds = {name: [] for name in [*learners, "batches"]}
    # Alternated and repeated, the best time of each kept: the first pass pays cold caches.
    for name in [*learners, "batches", *reversed(learners), "batches"]:
        batches = train_batches(plan, spec.target, stream.seed, stream.epochs)
        started = time.perf_counter()
        if name == "batches":
            for _ in batches:
                pass
        else:
            fit_incrementally(learners[name](), batches, plan.classes)
        seconds[name].append(time.perf_counter() - started)
    return {name: rows / min(times) for name, times in seconds.items()}


def run_probe(home: Path) -> dict:
    """`probe_learners` in a fresh process (its own memory, warm OS cache of the parts)."""
    env = {**os.environ, "TRAINYARD_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env["TRAINYARD_SPECS"] = str(home / "specs")
    command = [sys.executable, "-m", "benchmarks.streaming", "--probe", str(home)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"learner probe failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def section(runs: list[dict], when: str) -> str:
    """The RESULTS.md section: one row per size, then the verdicts."""
    rows = [
        f"| {r['rows']:,} | {r['peak_mib']:.0f} | {r['wall']:.1f} | {r['rows'] / r['wall']:,.0f} "
        f"| {r['model_rows_per_s']:,.0f} | {r['learners']['ours']:,.0f} "
        f"| {r['learners']['sklearn']:,.0f} | {r['learners']['batches']:,.0f} "
        f"| {r['accuracy']:.4f} |"
        for r in runs
    ]
    ratio = runs[-1]["peak_mib"] / runs[0]["peak_mib"]
    flat = "met" if ratio <= MAX_MEMORY_RATIO else "missed"
    faster = all(r["learners"]["ours"] >= r["learners"]["sklearn"] for r in runs)
    steps = "; ".join(
        f"{r['rows']:,} rows: " + ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
        for r in runs
    )
    return (
        f"{TITLE}\n\n{when}. Machine: {machine()}.\n\n"
        "| rows | peak RSS MiB | wall s | rows/s end to end | model step train rows/s "
        "| delta rule partial_fit rows/s | scikit-learn SGDClassifier partial_fit rows/s "
        "| reading + scaling alone rows/s | test accuracy |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(rows)
        + f"\n\nPeak memory at {runs[-1]['rows']:,} rows is {ratio:.2f}× the peak at "
        f"{runs[0]['rows']:,} (target ≤ {MAX_MEMORY_RATIO}×: {flat}). The learner fed the "
        f"same Polars batches is {'at least as fast as' if faster else 'slower than'} "
        "scikit-learn's SGDClassifier.partial_fit at every size (target: at least as fast: "
        f"{'met' if faster else 'missed'}); both columns include reading and scaling the "
        f"parts.\n\nStep times, s: {steps}.\n\n"
        "Method: `benchmarks/streaming.py` (see its docstring). One fresh process per size "
        "with an empty home; peak RSS is the whole process's, Dagster and interpreter "
        "included. Wall times on a shared machine.\n"
    )


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 20_000_000])
    args.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = args.parse_args()
    if args.probe:
        print(json.dumps(probe_learners(args.probe)), flush=True)
        return
    when = f"Measured {utc_now()}"
    runs = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="streaming-") as home:
            run = run_pipeline(rows, Path(home))
            run["learners"] = run_probe(Path(home))
        runs.append(run)
        print(
            f"{rows:,} rows: {run['wall']:.1f} s, peak {run['peak_mib']:.0f} MiB, "
            f"learners {run['learners']}",
            file=sys.stderr,
        )
    print(f"wrote {write_section(TITLE, section(runs, when))}", file=sys.stderr)


if __name__ == "__main__":
    main()
