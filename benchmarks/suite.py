"""Wall time of the README's test command on a clean checkout, written to `RESULTS.md`.

    .venv/bin/python -m benchmarks.suite [--ci]

Clones this repository's HEAD (committed work only) into a temporary directory, which has no
`.venv/` and no numba cache, and there, as CI and a new contributor do:

1. builds the environment from the lock: `python3 dev.py trainyard list` (the command
   imports no estimator, so no kernel compiles);
2. runs `python3 dev.py test`: ruff, then pytest, with every numba kernel compiled once, on
   its first use.

With --ci both run under CI=true, so the real-server and browser tests must run rather than
skip. Both steps are timed from outside; pytest's summary line gives its own time and counts.
The section is written only when both succeed; otherwise the command exits 1 naming the step,
with the end of its output, and keeps the clone and its logs for a look. About 10 to 12
minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import machine, utc_now, write_section

ROOT = Path(__file__).resolve().parents[1]
TITLE = "## Test suite: python3 dev.py test on a clean checkout"
# pytest's last line: "===== 4884 passed, 114 skipped, 11 xfailed in 510.23s (0:08:30) ====="
SUMMARY = re.compile(r"^=+ (?P<counts>.+) in (?P<seconds>[\d.]+)s.*=+$", re.MULTILINE)


def minutes(seconds: float) -> str:
    """`8 min 30 s`."""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def timed_step(name: str, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    """Wall seconds of `argv` in `cwd`, its output appended to `log`; exits naming the step
    (with the end of the log) when it fails."""
    print(f"{name}: {' '.join(argv)} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("a") as out:
        done = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    if done.returncode:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        sys.exit(
            f"{name} failed (exit {done.returncode}) after {minutes(wall)}:\n{tail}\nlog: {log}"
        )
    print(f"{name}: {minutes(wall)}", file=sys.stderr, flush=True)
    return wall


def measure(ci: bool, scratch: Path) -> str:
    """Clone, build, test; the RESULTS.md section."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    clone, log = scratch / "clone", scratch / "suite.log"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    build = timed_step(
        "environment", ["python3", "dev.py", "trainyard", "list"], clone, env, scratch / "env.log"
    )
    test = timed_step("tests", ["python3", "dev.py", "test"], clone, env, log)
    summary = SUMMARY.findall(log.read_text())
    if not summary:
        sys.exit(f"tests: no pytest summary line in the output; log: {log}")
    counts, pytest_seconds = summary[-1][0], float(summary[-1][1])
    return (
        f"{TITLE}\n\n"
        f"Measured {utc_now()}, commit {head}, {'CI=true' if ci else 'CI unset'}. "
        f"Machine: {machine()}.\n\n"
        "| step | wall |\n|---|---:|\n"
        f"| environment from the lock (`python3 dev.py trainyard list`) | {minutes(build)} |\n"
        f"| `python3 dev.py test`: ruff, then pytest, numba cache empty | {minutes(test)} |\n"
        f"|   of which pytest | {minutes(pytest_seconds)} |\n\n"
        f"pytest: {counts}.\n\n"
        "Method: `benchmarks/suite.py` (see its docstring): a fresh clone of the commit, so no "
        "environment and no numba cache; each kernel compiles once, on its first use.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ci", action="store_true", help="run both steps under CI=true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="suite-bench-"))
    section = measure(args.ci, scratch)  # exits on a failure, keeping `scratch`
    shutil.rmtree(scratch)
    print(f"wrote {write_section(TITLE, section)}")


if __name__ == "__main__":
    main()
