"""The reliability suite: bad inputs a user can hand trainyard, one line each, run through the
real CLI (`trainyard ...` in a subprocess, `TRAINYARD_HOME` and `TRAINYARD_SPECS` in a
temporary directory). Each case must exit non-zero, print the words it lists, and show no
Python traceback.

Adding a case is one line in CASES:

    Case("stray quote", "validate", data=SEED.replace("2,4", '"2,4'), words=["line 3"]),

- `command`: the CLI arguments after `trainyard`; `{pipeline}` is the case's pipeline and
  `{file}` its data file (`validate {pipeline} {file}` when the command is just `validate`;
  `run` and `show` get `{pipeline}`).
- `data`: the data file's content (str, or bytes for encodings), written as `data<suffix>`;
  the pipeline's source reads it (`{csv: FILE}` or `{parquet: FILE}`).
- `spec`: top-level changes to the pipeline's shipped spec (a YAML snippet as a dict); a
  string value `{file}` anywhere in it is the data file, `{folder}` its folder (a landing
  folder whose one batch is the data file).
- `tamper`: a function called with the case's `Workspace` before the command, e.g. to run
  the pipeline once (`ws.trainyard("run", "viral_posts_seed")`) and then damage a file under
  `ws.home`.
- `words`: what the output (stdout and stderr together) must contain.
"""

# One case per line, however long: a case is read and added as one line (E501 off here only).
# ruff: noqa: E501
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.paths import DATA_DIR, PROJECT_ROOT

pytestmark = pytest.mark.slow

SHIPPED_SPECS = PROJECT_ROOT / "pipelines" / "specs"
SEED = (DATA_DIR / "viral_posts_seed.csv").read_text()
DIABETES = (DATA_DIR / "diabetes.csv").read_text()
WEEK = (DATA_DIR / "landing" / "viral_posts_weekly" / "2024-01-08.csv").read_text()
TRAINYARD = Path(sys.executable).with_name("trainyard")


def damaged_champion(file: str, damage: Callable[[Path], None]) -> Callable[[Workspace], None]:
    """A tamper step: run the case's pipeline once, then `damage` one file of its champion."""

    def tamper(ws: Workspace) -> None:
        assert ws.trainyard("run", "viral_posts_seed").returncode == 0
        damage(ws.home / "artifacts" / "viral_posts_seed" / "champion" / file)

    return tamper


def promoted_then(data: str) -> Callable[[Workspace], None]:
    """A tamper step: run the case's pipeline once on its good data (a champion v1), then
    replace the data file by `data`."""

    def tamper(ws: Workspace) -> None:
        assert ws.trainyard("run", "viral_posts_seed").returncode == 0
        ws.file.write_text(data)

    return tamper


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def replace_line(text: str, line: int, new: str) -> str:
    """`text` with its 1-based `line` replaced by `new`."""
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def with_cell(text: str, line: int, column: str, value: str) -> str:
    """CSV `text` with the cell of `column` on 1-based `line` set to `value`."""
    header = text.splitlines()[0].split(",")
    cells = text.splitlines()[line - 1].split(",")
    cells[header.index(column)] = value
    return replace_line(text, line, ",".join(cells))


@dataclass(frozen=True)
class Workspace:
    """One case's temporary directories and its data file; `trainyard` runs the real CLI."""

    root: Path
    file: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    def trainyard(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        env |= {"TRAINYARD_HOME": str(self.home), "TRAINYARD_SPECS": str(self.specs)}
        return subprocess.run(
            [str(TRAINYARD), *args], cwd=self.root, env=env, capture_output=True, text=True
        )


@dataclass(frozen=True)
class Case:
    """One bad input: see the module docstring."""

    name: str
    command: str
    words: list[str]
    data: str | bytes | None = None
    suffix: str = ".csv"
    spec: dict[str, Any] = field(default_factory=dict)
    pipeline: str = "viral_posts_seed"
    tamper: Callable[[Workspace], None] | None = None


CASES = [
    # the spec (#15.2, #14.2 and what was already refused)
    Case("cron hour 25", "run", ["viral_posts_seed.yaml", "schedule: hour: 25 is out of range 0-23"], spec={"schedule": "0 25 * * 1"}),
    Case("cron february 30", "run", ["day of month: February has no day 30"], spec={"schedule": "0 6 30 2 *"}),
    Case("bad spec field", "run", ["split.test_fraction: Input should be a valid number"], pipeline="diabetes", spec={"split": {"test_fraction": "a fifth", "seed": 1}}),
    Case("unknown encoding", "validate", ["unknown encoding 'klingon'"], data=SEED, spec={"source": {"csv": "{file}", "encoding": "klingon"}}),
    Case("two-character separator", "validate", ["separator", "at most 1 character"], data=SEED, spec={"source": {"csv": "{file}", "separator": ";;"}}),
    # the file (#15.3)
    Case("missing file", "validate", ["data.csv not found"], tamper=lambda ws: ws.file.unlink()),
    Case("directory as the file", "validate {pipeline} .", ["is a directory"]),
    Case("missing source file", "run", ["source file /nonexistent/posts.csv of pipeline 'viral_posts_seed' not found"], spec={"source": {"csv": "/nonexistent/posts.csv"}}),
    Case("empty file", "validate", ["empty CSV"], data=""),
    Case("stray quote", "validate", ["line 3: a quote opens a field that is never closed"], data=replace_line(SEED, 3, '2,"4,764,34.89,1')),
    Case("stray quote, short message", "validate", ["line 100: a quote opens"], data=replace_line(DIABETES, 100, '"' + DIABETES.splitlines()[99]), pipeline="diabetes"),
    Case("too many fields", "validate", ["line 4 has 6 fields, the header has 5"], data=replace_line(SEED, 4, "3,14,892,47.12,0,9")),
    Case("utf-16 file", "validate", ["looks UTF-16 encoded", "encoding: utf-16"], data=SEED.encode("utf-16")),
    Case("utf-16 without a byte-order mark", "validate", ["looks UTF-16", "encoding"], data=SEED.encode("utf-16-le")),
    Case("latin-1 file", "validate", ["line 7 is not valid utf8 text", "encoding: latin-1"], data=SEED.encode() + "caf\xe9,1,2,3.0,1\n".encode("latin-1")),
    Case("utf-8 file declared utf-16", "validate", ["not valid utf-16 text", "encoding"], data=SEED + "x\n", spec={"source": {"csv": "{file}", "encoding": "utf-16"}}),
    Case("corrupt parquet", "validate", ["cannot read"], data=b"PAR1 not really", suffix=".parquet"),
    # the values (#15.3, #15.4, #14.2)
    Case("missing column", "validate", ["column 'hour' is missing"], data="post_id,content_length,engagement_score,viral\n1,51,41.8,0\n2,764,34.89,1\n"),
    Case("wrong type", "validate", ["hour: coerce_dtype('Int64')", "ten (line 2)"], data=with_cell(SEED, 2, "hour", "ten")),
    Case("out of range", "validate", ["hour: less_than_or_equal_to(23)", "30 (line 4)"], data=with_cell(SEED, 4, "hour", "30")),
    Case("NA is null by default", "validate", ["engagement_score: not_nullable", "null (line 3)"], data=with_cell(SEED, 3, "engagement_score", "NA")),
    Case("own null values", "validate", ["engagement_score: not_nullable", "null (line 5)"], data=with_cell(SEED, 5, "engagement_score", "?"), spec={"source": {"csv": "{file}", "null_values": ["?"]}}),
    Case("NA as text when not a null value", "validate", ["coerce_dtype('Float64')", "NA (line 3)"], data=with_cell(SEED, 3, "engagement_score", "NA"), spec={"source": {"csv": "{file}", "null_values": []}}),
    Case("semicolons read as one column", "validate", ["column 'hour' is missing"], data=SEED.replace(",", ";")),
    Case("inf", "validate", ["engagement_score: finite", "inf (line 3)"], data=with_cell(SEED, 3, "engagement_score", "inf")),
    Case("-inf and NaN", "validate", ["engagement_score: finite fails in 2 row(s): -inf (line 2), NaN (line 6)"], data=with_cell(with_cell(SEED, 2, "engagement_score", "-inf"), 6, "engagement_score", "NaN")),
    Case("1e309 overflows to inf", "validate", ["engagement_score: finite", "inf (line 4)", "beyond ±1.8e308"], data=with_cell(SEED, 4, "engagement_score", "1e309")),
    Case("inf in a column without an upper bound", "validate", ["s2: finite", "inf (line 11)"], data=with_cell(DIABETES, 11, "s2", "inf"), pipeline="diabetes"),
    Case("inf in a run", "run", ["s2: finite", "inf (line 11)", "diabetes/validated"], data=with_cell(DIABETES, 11, "s2", "inf"), pipeline="diabetes"),
    Case("1e308 overflows the scaling", "run", ["cannot scale feature column(s) s2", "normalize: zscore"], data=with_cell(DIABETES, 11, "s2", "1e308"), pipeline="diabetes"),
    # the gate (#15.5)
    Case("a failed gate says why", "run", ["champion: not promoted (viral_posts_seed/champion unchanged)", "accuracy 0.6 >= 0.99: fail"], spec={"evaluation": {"promote_if": {"accuracy": ">= 0.99"}}}),
    Case("a gate on a metric of another task", "run", ["evaluation.promote_if: metric 'r2' does not fit the classification task"], spec={"evaluation": {"promote_if": {"r2": ">= 0.5"}}}),
    # the stored champion (#15.6)
    Case("truncated model archive", "show {pipeline}", ["damaged (", "estimator.npz: not a readable .npz archive"], tamper=damaged_champion("estimator.npz", truncate)),
    Case("a pickle in place of the archive", "show {pipeline}", ["damaged (", "estimator.npz: not a readable .npz archive"], tamper=damaged_champion("estimator.npz", lambda p: p.write_bytes(pickle.dumps({"coef_": [1.0]})))),
    Case("garbage bundle manifest", "list", ["damaged (", "bundle.json: not JSON"], tamper=damaged_champion("bundle.json", lambda p: p.write_text("{not json"))),
    # scoring and the champion's history (#10.5, #10.6)
    Case("predict without a champion", "predict {pipeline} {file}", ["pipeline 'viral_posts_seed' has no champion yet", "trainyard run viral_posts_seed"]),
    Case("predict a file missing a column", "predict {pipeline} {file}", ["column 'hour' is missing", "nothing written"], tamper=promoted_then("post_id,content_length,engagement_score,viral\n1,51,41.8,0\n")),
    Case("predict a value of the wrong type", "predict {pipeline} {file}", ["hour: coerce_dtype('Int64')", "ten (line 2)", "nothing written"], tamper=promoted_then(with_cell(SEED, 2, "hour", "ten"))),
    Case("roll back to an unknown version", "champion {pipeline} --rollback v7", ["no champion version 'v7'; its versions: v1"], tamper=promoted_then(SEED)),
    # landing sources (#10.1): `{folder}` is the folder of the data file, which is its one batch
    Case("landing folder missing", "run", ["source: landing: folder /nonexistent/landing/ not found"], pipeline="viral_posts_weekly", spec={"source": {"landing": "/nonexistent/landing/"}}),
    Case("landing format unknown", "run", ["source.format: Input should be 'csv' or 'parquet'"], pipeline="viral_posts_weekly", spec={"source": {"landing": "{folder}", "format": "xlsx"}}),
    Case("train on the last 0 batches", "run", ["source.train_on.last: Input should be greater than or equal to 1"], pipeline="viral_posts_weekly", spec={"source": {"landing": "{folder}", "train_on": {"last": 0}}}),
    Case("csv read options on parquet batches", "run", ["separator: CSV read options do not apply to parquet batches"], pipeline="viral_posts_weekly", spec={"source": {"landing": "{folder}", "format": "parquet", "separator": ";"}}),
    Case("a bad batch names its line and leaves nothing to train on", "run", ["hour: less_than_or_equal_to(23)", "30 (line 4)", "no validated batch to train on", "left out: {'data.csv': 'its latest validation failed'}"], data=with_cell(WEEK, 4, "hour", "30"), pipeline="viral_posts_weekly", spec={"source": {"landing": "{folder}"}}),
    Case("a quarantined run past the limit names lines", "run", ["hour: less_than_or_equal_to(23)", "30 (line 4)", "max_rejected_fraction"], data=with_cell(SEED, 4, "hour", "30"), spec={"on_invalid": "quarantine"}),
]  # fmt: skip


def _substitute(value: Any, file: Path) -> Any:
    """`value` with every string `{file}` in it replaced by the data file's path, and
    `{folder}` by its folder's."""
    if isinstance(value, dict):
        return {k: _substitute(v, file) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, file) for v in value]
    return {"{file}": str(file), "{folder}": str(file.parent)}.get(value, value)


def _prepare(case: Case, root: Path) -> tuple[Workspace, list[str]]:
    """Write the case's data file and spec; the CLI arguments of its command."""
    ws = Workspace(root, root / f"data{case.suffix}")
    ws.home.mkdir()
    ws.specs.mkdir()
    content = case.data if case.data is not None else SEED
    if isinstance(content, bytes):
        ws.file.write_bytes(content)
    else:
        ws.file.write_text(content)
    spec = yaml.safe_load((SHIPPED_SPECS / f"{case.pipeline}.yaml").read_text())
    kind = "parquet" if case.suffix == ".parquet" else "csv"
    spec["source"] = {kind: str(ws.file)}
    spec |= _substitute(case.spec, ws.file)
    (ws.specs / f"{case.pipeline}.yaml").write_text(yaml.safe_dump(spec))
    command = {"validate": "validate {pipeline} {file}", "run": "run {pipeline}"}.get(
        case.command, case.command
    )
    args = [a.format(pipeline=case.pipeline, file=ws.file) for a in command.split()]
    return ws, args


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly(case: Case, tmp_path: Path):
    ws, args = _prepare(case, tmp_path)
    if case.tamper is not None:
        case.tamper(ws)
    done = ws.trainyard(*args)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    for words in case.words:
        assert words in output, output
    assert "Traceback" not in output, output


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path):
    """`trainyard list | head -1`: the pipe closes after one line; the CLI ends quietly."""
    ws, _ = _prepare(Case("pipe", "list", []), tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {"TRAINYARD_HOME": str(ws.home), "TRAINYARD_SPECS": str(SHIPPED_SPECS)}
    done = subprocess.run(
        ["bash", "-c", f"{TRAINYARD} list | head -1"], env=env, capture_output=True, text=True
    )
    assert done.stdout.startswith("pipeline ") and len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
