"""Wall time of the `trainyard` commands a user types most, each in fresh processes.

    .venv/bin/python -m benchmarks.cli [--repeat N]

prints the "CLI timings" table; `benchmarks.spine` (which rewrites the spine section of
`benchmarks/RESULTS.md`) includes the same table. Commands, each the median of N fresh
processes (`python -m assets.cli`, what the `trainyard` script runs):

- `run viral_posts` and `run --all`, each in its own empty `TRAINYARD_HOME` (a cold Dagster
  instance, no earlier artifacts or champion); the numba cache is warm (one untimed
  `run viral_posts` first compiles what it lacks);
- `list`, `show viral_posts` and `validate viral_posts_seed data/viral_posts_seed.csv` (five
  rows) in the home of the last `run viral_posts`, so they read a real instance and champion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINYARD = [sys.executable, "-m", "assets.cli"]
# (command, target in wall seconds, whether it writes: then each process gets a fresh home)
COMMANDS = (
    ("list", 1.0, False),
    ("validate viral_posts_seed data/viral_posts_seed.csv", 1.0, False),
    ("show viral_posts", 1.0, False),
    ("run viral_posts", 3.0, True),
    ("run --all", 30.0, True),
)
# What any `run` must import before its first step: the estimators' base classes (scikit-learn,
# which loads scipy.stats), Dagster with its SQLite storage, the frame, schema, plotting and
# JIT libraries. A fresh process importing only these, with the collector off as `run` imports,
# bounds `run` from below.
RUN_IMPORTS = (
    "sklearn.base, dagster, dagster._core.storage.sqlite_storage, polars, pandera.polars, "
    "matplotlib.figure, numba"
)


def timed(command: str, home: str) -> float:
    """Wall seconds of `trainyard COMMAND` in `home`; exits naming it if it fails."""
    env = {**os.environ, "TRAINYARD_HOME": home}
    started = time.monotonic()
    done = subprocess.run(
        [*TRAINYARD, *command.split()], cwd=ROOT, env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - started
    if done.returncode:
        sys.exit(f"trainyard {command} failed:\n{done.stdout}\n{done.stderr}")
    return wall


def pace() -> float:
    """Wall seconds of a fixed single-threaded Python workload (sorting 1,000,000 numbers,
    median of 3): how fast this machine runs Python right now. On a shared host it varies by
    a third within minutes, which the load average does not show."""
    numbers = [(i * 7_919) % 1_000_003 for i in range(1_000_000)]
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        sorted(numbers)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def cli_timings(repeat: int, paces: list[float] | None = None) -> list[tuple[str, float, float]]:
    """(command, median wall s of `repeat` fresh processes, target s) for each command; the
    machine's `pace()` before each repeat and after the last is appended to `paces`."""
    paces = [] if paces is None else paces
    walls: dict[str, list[float]] = {command: [] for command, _, _ in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="cli-bench-") as scratch:
        read_home = str(Path(scratch) / "read")
        timed("run viral_posts", read_home)  # numba cache warm; a champion to list and show
        for i in range(repeat):
            paces.append(pace())
            for command, _, writes in COMMANDS:
                home = str(Path(scratch) / f"{i}-{command.split()[-1]}") if writes else read_home
                walls[command].append(timed(command, home))
            print(
                f"repeat {i + 1}/{repeat}: "
                + ", ".join(f"{c} {w[-1]:.2f} s" for c, w in walls.items()),
                file=sys.stderr,
            )
        paces.append(pace())
    return [(c, statistics.median(walls[c]), target) for c, target, _ in COMMANDS]


def import_floor(repeat: int = 3) -> float:
    """Median wall seconds of `repeat` fresh processes that only import `RUN_IMPORTS`, with the
    garbage collector off as `trainyard run` imports them."""
    walls = []
    for _ in range(repeat):
        started = time.monotonic()
        code = f"import gc; gc.disable(); import {RUN_IMPORTS}"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        walls.append(time.monotonic() - started)
    return statistics.median(walls)


def timings_table(
    rows: list[tuple[str, float, float]], repeat: int, paces: list[float] | None = None
) -> str:
    """The rows as the "CLI timings" markdown table, the import floor of `run`, and the
    machine's pace during the timings when given."""
    lines = [
        f"CLI timings: median wall seconds of {repeat} fresh process{'es' if repeat > 1 else ''} "
        "each (`benchmarks/cli.py`).",
        "",
        "| command | median s | target s | |",
        "|---|---:|---:|---|",
    ]
    for command, wall, target in rows:
        verdict = "met" if wall < target else "missed"
        lines.append(f"| `trainyard {command}` | {wall:.2f} | < {target:.0f} | {verdict} |")
    lines += [
        "",
        f"Floor of `run`: a fresh process that only imports `{RUN_IMPORTS}` (collector off, "
        "as `run` imports) takes "
        f"{import_floor():.2f} s (median of 3).",
    ]
    if paces:
        lines += [
            "",
            f"Pace of the machine (`benchmarks/cli.py: pace`, sorting 1,000,000 numbers) between "
            f"the repeats: {min(paces):.3f}–{max(paces):.3f} s; a slower pace slows every row.",
        ]
    return "\n".join(lines)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeat", type=int, default=3)
    args = args.parse_args()
    paces: list[float] = []
    print(timings_table(cli_timings(args.repeat, paces), args.repeat, paces))


if __name__ == "__main__":
    main()
