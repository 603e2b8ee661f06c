"""Every benchmark case against scikit-learn; writes the table to `benchmarks/RESULTS.md`.

Run by hand from the repository root (minutes; nothing else heavy should run meanwhile):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python -m benchmarks.compare [-k TEXT]

(the two variables, set on some machines here for old OpenBLAS builds, slow a current numpy
down; unset them for timing only). Every case runs twice: on the quiet machine, then while a
background process keeps one core busy (`benchmarks.load`), since our estimators should slow
down on a shared machine no more than scikit-learn's. `-k` runs the cases whose name contains
TEXT and does not rewrite RESULTS.md; `--quiet-only` / `--loaded-only` run one of the two passes.
Exit status 1 when a case misses its target in either pass.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks.cases
from benchmarks.harness import SHORT_FIT_S, SHORT_REPEATS, Case, Result, run_case
from benchmarks.load import one_busy_core
from benchmarks.results import machine, utc_now, write_section

TITLE = "## Algorithms against scikit-learn"


def all_cases() -> list[Case]:
    """CASES of every module in `benchmarks/cases/`, in module order."""
    cases = []
    for module in pkgutil.iter_modules(benchmarks.cases.__path__):
        cases += importlib.import_module(f"benchmarks.cases.{module.name}").CASES
    return cases


def _times(result: Result | None) -> str:
    if result is None:
        return "– | – | –"
    return f"{result.ours_s:.3f} | {result.reference_s:.3f} | {result.ratio:.2f}"


def row(quiet: Result | None, loaded: Result | None) -> str:
    """One table row: both passes' times and ratios, the quiet pass's scores, the verdict."""
    scored = quiet or loaded
    case = scored.case
    verdict = "met" if all(r.passed for r in (quiet, loaded) if r) else "**missed**"
    return (
        f"| {case.name} | {_times(quiet)} | {_times(loaded)} | {scored.ours_score:.4f} | "
        f"{scored.reference_score:.4f} | {scored.score_gap:.4f} (≤ {case.max_score_gap}) | "
        f"{verdict} |"
    )


def section(results: list[tuple[Result, Result]]) -> str:
    lines = [
        TITLE,
        "",
        f"Measured {utc_now()}. Machine: {machine(('numpy', 'numba', 'scipy', 'scikit-learn'))}.",
        "Median fit + predict time on the held-out rows of the repeats (3, or as the case "
        f"says; at least {SHORT_REPEATS} when both fits take under {SHORT_FIT_S} s), "
        "interleaved in one process after one warm-up each; target ratio ≤ 1.0 in both "
        "passes. The loaded pass "
        "runs while another process keeps one of the cores busy. Scores on the held-out rows "
        "(R² or accuracy unless the case says otherwise), from the quiet pass.",
        "",
        "| case | ours s | scikit-learn s | ratio | ours s, loaded | scikit-learn s, loaded | "
        "ratio, loaded | our score | their score | gap (target) | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(row(quiet, loaded) for quiet, loaded in results),
        "",
        "Run: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python -m "
        "benchmarks.compare`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose name contains this text")
    passes = parser.add_mutually_exclusive_group()
    passes.add_argument("--quiet-only", action="store_true", help="skip the loaded pass")
    passes.add_argument("--loaded-only", action="store_true", help="skip the quiet pass")
    args = parser.parse_args()
    cases = [case for case in all_cases() if args.k in case.name]
    quiet = [None if args.loaded_only else run_case(c) for c in cases]
    loaded = [None] * len(cases)
    if not args.quiet_only:
        with one_busy_core():
            loaded = [run_case(c) for c in cases]
    for q, lo in zip(quiet, loaded, strict=True):
        print(row(q, lo), flush=True)
    if not args.k and not (args.quiet_only or args.loaded_only):
        written = write_section(TITLE, section(list(zip(quiet, loaded, strict=True))))
        print(f"wrote {written}", file=sys.stderr)
    return 0 if all(r.passed for r in quiet + loaded if r) else 1


if __name__ == "__main__":
    sys.exit(main())
