"""Every benchmark case against scikit-learn; writes the table to `benchmarks/RESULTS.md`.

Run by hand from the repository root (minutes; nothing else heavy should run meanwhile):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python -m benchmarks.compare [-k TEXT]

(the two variables, set on some machines here for old OpenBLAS builds, slow a current numpy
down; unset them for timing only). `-k` runs the cases whose name contains TEXT and does not
rewrite RESULTS.md. Exit status 1 when a case misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks.cases
from benchmarks.harness import Case, Result, run_case
from benchmarks.results import machine, utc_now, write_section

TITLE = "## Algorithms against scikit-learn"


def all_cases() -> list[Case]:
    """CASES of every module in `benchmarks/cases/`, in module order."""
    cases = []
    for module in pkgutil.iter_modules(benchmarks.cases.__path__):
        cases += importlib.import_module(f"benchmarks.cases.{module.name}").CASES
    return cases


def row(result: Result) -> str:
    case = result.case
    verdict = "met" if result.passed else "**missed**"
    return (
        f"| {case.name} | {result.ours_s:.3f} | {result.reference_s:.3f} | {result.ratio:.2f} "
        f"(≤ {case.max_ratio}) | {result.ours_score:.4f} | {result.reference_score:.4f} | "
        f"{result.score_gap:.4f} (≤ {case.max_score_gap}) | {verdict} |"
    )


def section(results: list[Result]) -> str:
    lines = [
        TITLE,
        "",
        f"Measured {utc_now()}. Machine: {machine(('numpy', 'numba', 'scipy', 'scikit-learn'))}.",
        "Median fit time of the repeats, fits interleaved in one process after one warm-up fit "
        "each; scores on the held-out rows (R² or accuracy unless the case says otherwise).",
        "",
        "| case | ours s | scikit-learn s | ratio (target) | our score | their score | "
        "gap (target) | |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        *(row(r) for r in results),
        "",
        "Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python -m "
        "benchmarks.compare`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose name contains this text")
    args = parser.parse_args()
    results = []
    for case in all_cases():
        if args.k in case.name:
            results.append(run_case(case))
            print(row(results[-1]), flush=True)
    if not args.k:
        print(f"wrote {write_section(TITLE, section(results))}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
