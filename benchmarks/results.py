"""Shared by the benchmark scripts: the machine line and `RESULTS.md` section replacement."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmarks\n\nOne `##` section per benchmark, each rewritten only by its own script.\n"


def machine(libraries: tuple[str, ...] = ("dagster", "polars", "numpy", "numba")) -> str:
    """CPU model, cores, RAM, Python and library versions, in one line."""
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    ram = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())[1]) / 2**20
    libs = ", ".join(f"{name} {version(name)}" for name in libraries)
    return (
        f"{cpu[1] if cpu else platform.processor()}, {os.cpu_count()} cores, {ram:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {libs}"
    )


def utc_now() -> str:
    """`date -u`, as the results record it."""
    return subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()


def write_section(title: str, text: str) -> Path:
    """Replace the `## title` section of RESULTS.md (or append it), keeping the others."""
    old = RESULTS.read_text() if RESULTS.exists() else HEADER
    sections = re.split(r"(?m)^(?=## )", old)
    mine = [i for i, s in enumerate(sections) if s.startswith(title + "\n")]
    if mine:
        sections[mine[0]] = text
    else:
        sections.append(text)
    RESULTS.write_text("".join(s.rstrip() + "\n\n" for s in sections).rstrip() + "\n")
    return RESULTS
