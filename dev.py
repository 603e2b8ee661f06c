#!/usr/bin/env python3
"""Bootstrap the virtual environment from the lock file, then run a project command.

Usage (stdlib only, so a fresh machine with Python 3.11 and pip is enough):

    python3 dev.py job            # materialize every example pipeline, print the evaluations
    python3 dev.py test [ARGS]    # lint and run the test suite (ARGS go to pytest)
    python3 dev.py trainyard ...  # any trainyard CLI command inside the environment

The environment lives in `.venv/`. It is (re)built when it is missing or when
`requirements.lock` or `pyproject.toml` changed since it was built (a stamp file
records their hash), so a `git pull` that moves a pin is picked up on the next run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".trainyard-lock-hash"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def lock_hash() -> str:
    """Hash of the files that decide what the environment contains."""
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def quiet(argv: list[str]) -> None:
    """Run an install step; show its output only when it fails (pip warns about local indexes)."""
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"trainyard: environment set-up failed: {' '.join(argv)}")


def ensure_venv() -> None:
    """Create or refresh `.venv` from `requirements.lock` when missing or stale."""
    wanted = lock_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print(f"trainyard: installing the locked environment into {VENV} ...", flush=True)
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    # The lock is complete (every transitive pin, hashed), so --no-deps installs exactly it.
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    quiet([*pip, "--require-hashes", "-r", str(LOCK)])
    quiet([*pip, "--no-build-isolation", "-e", str(ROOT)])
    quiet([str(BIN / "python"), "-m", "pip", "check"])
    STAMP.write_text(wanted + "\n")


def run(argv: list[str]) -> int:
    """Run one tool from the environment with the repository as working directory."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(argv, cwd=ROOT, env=env).returncode


def main(args: list[str]) -> int:
    if not args or args[0] not in {"job", "test", "trainyard"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    command, rest = args[0], args[1:]
    if command == "job":
        return run([str(BIN / "trainyard"), "run", "--all", *rest])
    if command == "trainyard":
        return run([str(BIN / "trainyard"), *rest])
    lint = run([str(BIN / "ruff"), "check", "."]) or run(
        [str(BIN / "ruff"), "format", "--check", "."]
    )
    if lint:
        return lint
    return run([str(BIN / "python"), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
