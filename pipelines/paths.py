"""Where trainyard reads specs and data and writes reports, models and the Dagster instance.

`PROJECT_ROOT` is the repository (specs and `data/` are read from there; the specs from
`$TRAINYARD_SPECS` instead when set, as the reliability tests do, and schema modules also
from `$TRAINYARD_SCHEMAS`, imported as `schemas.<module>`). Everything a run writes
goes under `home()`: `$TRAINYARD_HOME` when set (tests point it at a temporary directory),
else the project root — except the stored asset values, which go to `artifacts_root()`:
`$TRAINYARD_ARTIFACTS` (a path or any fsspec URL, e.g. `s3://bucket/ty`) when set, else
`<home>/artifacts`, and the reports, which go to `reports_root()`: `$TRAINYARD_REPORTS` (a
path or URL) when set, else `<home>/reports`. Workers on several machines share both roots.
"""

from __future__ import annotations

import os
from pathlib import Path

from upath import UPath

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SPECS_DIR = Path(os.environ.get("TRAINYARD_SPECS", PROJECT_ROOT / "pipelines" / "specs"))
# Where `trainyard new` writes a schema module: the folder `schemas/__init__.py` adds to the
# package's path when `$TRAINYARD_SCHEMAS` is set, so its modules import as `schemas.<name>`.
SCHEMAS_DIR = Path(os.environ.get("TRAINYARD_SCHEMAS", PROJECT_ROOT / "schemas"))
DATA_DIR = PROJECT_ROOT / "data"


def home() -> Path:
    """Root for everything a run writes (reports/, artifacts/, .dagster/)."""
    return Path(os.environ.get("TRAINYARD_HOME", PROJECT_ROOT)).resolve()


def location(where: str | os.PathLike) -> Path | UPath:
    """A `Path` for a local path, a `UPath` for an fsspec URL (`s3://…`, `memory://…`)."""
    return UPath(where) if "://" in str(where) else Path(where)


def reports_root() -> str:
    """Where the evaluation reports go: a local path or an fsspec URL."""
    return os.environ.get("TRAINYARD_REPORTS") or str(home() / "reports")


def reports_dir(pipeline: str) -> Path | UPath:
    """Markdown + PNG evaluation report of one pipeline."""
    return location(reports_root()) / pipeline


def artifacts_root() -> str:
    """Where the IO managers keep stored asset values (parquet frames, bundles, JSON): a local
    path or an fsspec URL."""
    return os.environ.get("TRAINYARD_ARTIFACTS") or str(home() / "artifacts")


def dagster_home() -> Path:
    """The persistent Dagster instance (runs, events, schedules) shown by `dagster dev`."""
    return home() / ".dagster"
