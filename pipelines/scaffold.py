"""`trainyard new`: a ready-to-run table pipeline from a CSV file.

`new_pipeline` reads the file as the pipeline will (`pipelines.sources.read_table` with the
given read options), infers its schema (`pipelines.schema_inference`), picks the task from
the target, the feature columns, a seeded split and a default algorithm, and writes three
things: the schema module `<schemas>/<name>.py`, the spec `<specs>/<name>.yaml` (commented
section by section) and the file's row in the data notes (`data/README.md`). All three are
written or none: nothing that exists is overwritten, and the written spec must load, else
everything is taken back.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml

import schemas
from algorithms.atomic_files import atomic_write, temporary_sibling
from algorithms.tasks import CLASSIFICATION, REGRESSION, Task
from pipelines import paths
from pipelines.read_options import CsvOptions
from pipelines.schema_inference import (
    ColumnProfile,
    FrameProfile,
    class_name,
    missing_values,
    profile_frame,
    schema_module,
)
from pipelines.sources import read_table
from pipelines.spec import CsvSource, PipelineSpec, SpecError, load_spec
from pipelines.spec_base import NAME_PATTERN

MIN_ROWS = 10
TEST_FRACTION = 0.2
SPLIT_SEED = 42
# An integer target with at most this many distinct values is a class label, not a quantity.
MAX_CLASS_LABELS = 10
DEFAULT_ALGORITHMS = {
    CLASSIFICATION: "random_forest_classifier",
    REGRESSION: "random_forest_regressor",
}
# The `promote_if` floor the spec's last comment suggests, per task.
FLOORS = {CLASSIFICATION: ("accuracy", ">= 0.8"), REGRESSION: ("r2", ">= 0.5")}
MAX_REJECTED_FRACTION = PipelineSpec.model_fields["max_rejected_fraction"].default
_WIDTH = 96
_NOTES_HEADER = "| file | used by | origin | licence |\n|---|---|---|---|\n"


class ScaffoldError(ValueError):
    """`trainyard new` cannot make the pipeline; the message says why and what to do."""


@dataclass(frozen=True)
class Layout:
    """Where `trainyard new` writes: the spec and schema folders and the data notes file;
    `root` is the project root a spec's file paths are relative to."""

    specs: Path
    schemas: Path
    data_notes: Path
    root: Path


def default_layout() -> Layout:
    """The project's folders (`$TRAINYARD_SPECS` and `$TRAINYARD_SCHEMAS` when set)."""
    return Layout(
        paths.SPECS_DIR, paths.SCHEMAS_DIR, paths.DATA_DIR / "README.md", paths.PROJECT_ROOT
    )


@dataclass(frozen=True)
class Plan:
    """What `trainyard new` decided for a data set: the task (and why), the features and
    the columns left out (column → why), whether the split is stratified (and why not)."""

    task: Task
    why_task: str
    features: tuple[str, ...]
    left_out: dict[str, str]
    stratify: bool
    why_not_stratified: str | None
    algorithm: str


@dataclass(frozen=True)
class NewPipeline:
    """The files `new_pipeline` wrote, the loaded spec, what it chose, and how many of the
    file's rows the run will reject (those without a target)."""

    schema: Path
    spec_path: Path
    data_notes: Path
    spec: PipelineSpec
    plan: Plan
    rows: int
    rejected_rows: int

    @property
    def too_many_rejected(self) -> bool:
        """Whether the rejected rows are more than the run accepts (max_rejected_fraction)."""
        return self.rejected_rows / self.rows > self.spec.max_rejected_fraction


def new_pipeline(
    name: str,
    csv: Path | str,
    target: str,
    options: CsvOptions | None = None,
    layout: Layout | None = None,
    today: date | None = None,
) -> NewPipeline:
    """Write the schema, spec and data note of pipeline `name` reading `csv` (ScaffoldError,
    or the reader's error, when it cannot; then nothing is written)."""
    options = options or CsvOptions()
    layout = layout or default_layout()
    today = today or date.today()
    csv = Path(csv).resolve()
    spec_path, schema_path = layout.specs / f"{name}.yaml", layout.schemas / f"{name}.py"
    _check_name(name, spec_path, layout.schemas)
    if csv.suffix.lower() != ".csv":
        raise ScaffoldError(f"{csv}: expected a .csv file (pipelines read CSV files by suffix)")
    frame = read_table(csv, options)
    profile = profile_frame(frame)
    _check_data(csv, frame, profile, target)
    plan = plan_pipeline(profile, frame.get_column(target))
    target_profile = profile.column(target)
    rejected = target_profile.nulls + target_profile.nan
    rejected += target_profile.pos_inf + target_profile.neg_inf
    shown_csv = shown_path(csv, layout.root)
    schema_text = schema_module(
        profile,
        class_name(name),
        title=csv.name,
        origin=f"{shown_csv} on {today.isoformat()}",
        required=[target],
    )
    source = CsvSource(csv=shown_csv, **options.model_dump())
    spec_text = spec_yaml(name, source, profile, target, plan, rejected, today)
    note = data_note(name, csv, frame, profile, target, plan, layout, today)
    new = {schema_path: schema_text, spec_path: spec_text}
    spec = _write_and_load(new, layout.data_notes, note, spec_path, name)
    return NewPipeline(
        schema_path, spec_path, layout.data_notes, spec, plan, frame.height, rejected
    )


def _check_name(name: str, spec_path: Path, schemas_dir: Path) -> None:
    if not re.match(NAME_PATTERN, name):
        raise ScaffoldError(
            f"'{name}' is not a pipeline name: use lower-case letters, digits and underscores, "
            "starting with a letter (e.g. churn_2024)"
        )
    if spec_path.exists():
        raise ScaffoldError(
            f"{spec_path} already exists: trainyard new never overwrites a pipeline; choose "
            "another name"
        )
    folders = [Path(folder) for folder in schemas.__path__]
    for folder in folders:
        for taken in (folder / f"{name}.py", folder / name):
            if taken.exists():
                raise ScaffoldError(
                    f"{taken} already exists: the schema module schemas.{name} is taken; "
                    "trainyard new never overwrites one; choose another name"
                )
    if schemas_dir.resolve() not in [folder.resolve() for folder in folders]:
        raise ScaffoldError(
            f"a schema module written to {schemas_dir} could not be imported as schemas.{name}:"
            f" set TRAINYARD_SCHEMAS={schemas_dir} for both `trainyard new` and `trainyard run`"
        )


def _check_data(csv: Path, frame: pl.DataFrame, profile: FrameProfile, target: str) -> None:
    if target not in frame.columns:
        raise ScaffoldError(
            f"{csv} has no column '{target}' to predict; its columns: {', '.join(frame.columns)}"
        )
    if frame.height < MIN_ROWS:
        raise ScaffoldError(
            f"{csv} has {frame.height} rows; a pipeline needs at least {MIN_ROWS} (it trains on "
            f"some and holds {TEST_FRACTION:.0%} out to score the model)"
        )
    column = profile.column(target)
    if column.nulls == frame.height:
        raise ScaffoldError(f"target '{target}' is null in every row of {csv}: nothing to learn")
    if column.distinct == 1:
        value = frame.get_column(target).drop_nulls()[0]
        raise ScaffoldError(
            f"target '{target}' has one value only ({value!r}) in {csv}: nothing to learn"
        )


def plan_pipeline(profile: FrameProfile, target_values: pl.Series) -> Plan:
    """The task, features, split and algorithm for predicting the column `target_values`
    from the other columns of the profiled frame; ScaffoldError when none can be a feature."""
    target = target_values.name
    column = profile.column(target)
    task, why_task = choose_task(column, profile.rows)
    features, left_out = [], {}
    for other in profile.columns:
        if other.name == target:
            continue
        why = _not_a_feature(other)
        if why is None:
            features.append(other.name)
        else:
            left_out[other.name] = why
    if not features:
        reasons = "; ".join(f"{c}: {why}" for c, why in left_out.items()) or "no other column"
        raise ScaffoldError(
            f"no column can be a feature of a model predicting '{target}' (a feature is a "
            f"number, a whole number or true/false, with a value in every row): {reasons}"
        )
    stratify, why_not = False, None
    if task is CLASSIFICATION:
        stratify, why_not = _stratifiable(Counter(target_values.drop_nulls().to_list()))
    return Plan(
        task, why_task, tuple(features), left_out, stratify, why_not, DEFAULT_ALGORITHMS[task]
    )


def choose_task(column: ColumnProfile, rows: int) -> tuple[Task, str]:
    """Classification for a text or true/false target, or whole numbers with few distinct
    values (at most MAX_CLASS_LABELS, and at most half the rows); else regression."""
    if column.kind == "str":
        seen = f": {', '.join(column.categories)}" if column.categories else ""
        return CLASSIFICATION, f"its values are texts ({column.distinct} distinct{seen})"
    if column.kind == "bool":
        return CLASSIFICATION, "its values are true or false"
    labels = column.distinct <= MAX_CLASS_LABELS and column.distinct <= (rows - column.nulls) / 2
    if column.kind == "int" and labels:
        return CLASSIFICATION, (
            f"its values are {column.distinct} distinct whole numbers, {column.minimum} to "
            f"{column.maximum}"
        )
    return REGRESSION, f"its values are numbers ({column.distinct} distinct)"


def _not_a_feature(column: ColumnProfile) -> str | None:
    """Why a column cannot be a model input, or None when it can."""
    if column.kind == "str":
        kind = f"{len(column.categories)} categories" if column.categories else "free text"
        return f"text ({kind}); a model takes numbers"
    if column.row_id:
        return "a row identifier (distinct whole numbers): a model would learn the rows by heart"
    missing = missing_values(column)
    if missing:
        return (
            f"{missing}; a feature needs a number in every row: fill them in the file, or make "
            "the column not nullable in the schema so that those rows are rejected"
        )
    return None


def _stratifiable(counts: Counter) -> tuple[bool, str | None]:
    """Whether a stratified split works for these class counts, and why not when it does not
    (the split takes round(fraction · count) test rows per class)."""
    rare = [label for label, n in counts.items() if n < 2]
    if rare:
        return False, f"class {rare[0]!r} has only 1 row, and stratifying needs 2 per class"
    if sum(round(TEST_FRACTION * n) for n in counts.values()) == 0:
        return False, "every class is too small to put a row in the test part"
    return True, None


def spec_yaml(
    name: str,
    source: CsvSource,
    profile: FrameProfile,
    target: str,
    plan: Plan,
    rejected: int,
    today: date,
) -> str:
    """The spec's YAML, each section after a comment that says what it does."""
    metrics = plan.task.default_metrics
    description = (
        f"Predicts {target} ({plan.task.name}) from {len(plan.features)} columns of "
        f"{Path(source.csv).name}. Say here what the pipeline is for."
    )
    blocks: list[tuple[str, str]] = [
        (
            f"Pipeline {name}, written by `trainyard new` on {today.isoformat()} from "
            f"{source.csv} ({profile.rows} rows, {len(profile.columns)} columns). Review it "
            f"and the schema, then: trainyard run {name}",
            _dump({"name": name}) + _folded("description", description),
        ),
        (
            "Where the rows come from: the file (a path under the project root is relative to "
            "it) and the read options it was read with; an option not given has its default "
            '(separator ",", null_values ["", NA, "null"], encoding utf8).',
            _dump({"source": {"csv": source.csv, **source.model_dump(mode="json")}}),
        ),
        (
            "The pandera model every row must satisfy, inferred from the file: review its "
            "ranges and categories.",
            _dump({"schema": f"schemas.{name}:{class_name(name)}"}),
        ),
        (
            f"A row that fails the schema goes to {name}/rejected with its reasons and the "
            "others go on (`on_invalid: fail` stops the run instead); the run fails when more "
            "than max_rejected_fraction of the rows are rejected (this is the default)."
            + _rejected_words(rejected, profile.rows, target),
            _dump({"on_invalid": "quarantine", "max_rejected_fraction": MAX_REJECTED_FRACTION}),
        ),
        (
            "The model's inputs: the numeric columns with a value in every row, each scaled to "
            "[0, 1] by its minimum and maximum over the train rows (or `normalize: zscore`)."
            + _left_out_words(plan.left_out),
            _dump({"features": {"columns": list(plan.features), "normalize": "minmax"}}),
        ),
        (
            f"The column to predict; a {plan.task.name} task because {plan.why_task}.",
            _dump({"target": target}),
        ),
        (
            f"{TEST_FRACTION:.0%} of the rows, drawn at random with this seed (a file sorted by "
            "any column still gives a fair test), are held out to score the model; "
            + (
                "stratify keeps each class's share in both parts."
                if plan.stratify
                else f"not stratified: {plan.why_not_stratified}."
                if plan.why_not_stratified
                else "a regression target has no classes to stratify."
            ),
            _dump({"split": _split(plan)}),
        ),
        (
            f"A default {plan.task.name} algorithm, seeded: the same spec and data give the same "
            f"model. `trainyard algorithms` lists the others, `trainyard algorithms "
            f"{plan.algorithm}` its parameters; `candidates:` compares several (see the README).",
            _dump({"model": {"algorithm": plan.algorithm, "params": {"random_state": 0}}}),
        ),
    ]
    floor_metric, floor = FLOORS[plan.task]
    text = "".join(f"{_comment(words)}{values}" for words, values in blocks)
    return text + _comment(
        f"No `evaluation:` section, so the model is scored on the test rows by the task's "
        f"metrics, {', '.join(metrics)}, beside the {plan.task.baseline}. The headline metric "
        f"is {metrics[0]}: the first `promote_if` metric, else the first metric; a new model "
        f"replaces the champion when it is not worse on it. Add `evaluation: {{promote_if: "
        f'{{{floor_metric}: "{floor}"}}}}` to promote only past a floor (its metric then is '
        'the headline), and `schedule: "0 6 * * 1"` to retrain on Mondays at 06:00 (schedules '
        "ship stopped)."
    )


def _rejected_words(rejected: int, rows: int, target: str) -> str:
    if not rejected:
        return ""
    share = rejected / rows
    words = f" Rows without a {target} are rejected: {rejected} of the {rows} ({share:.1%})."
    if share > MAX_REJECTED_FRACTION:
        words += (
            f" That is more than {MAX_REJECTED_FRACTION}, so the run fails until the target is "
            "filled in or max_rejected_fraction is raised."
        )
    return words


def _left_out_words(left_out: dict[str, str]) -> str:
    if not left_out:
        return ""
    items = "".join(f"\n- {column}: {why}." for column, why in left_out.items())
    return f"\nLeft out (add a column to `columns` once it qualifies):{items}"


def _split(plan: Plan) -> dict[str, Any]:
    split: dict[str, Any] = {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED}
    if plan.task is CLASSIFICATION:
        split["stratify"] = plan.stratify
    return split


def _comment(words: str) -> str:
    """`words` as YAML comment lines, wrapped; each of its lines starting with '- ' is a
    list item, wrapped with a hanging indent."""
    lines = []
    for paragraph in words.split("\n"):
        indent = "  " if paragraph.startswith("- ") else ""
        lines += textwrap.wrap(
            paragraph,
            width=_WIDTH - 2,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "".join(f"# {line}\n" for line in lines)


def _folded(key: str, text: str) -> str:
    """`key: >` and the text folded below it, as the shipped specs write a description."""
    lines = textwrap.wrap(text, width=_WIDTH - 2, break_long_words=False, break_on_hyphens=False)
    return f"{key}: >\n" + "".join(f"  {line}\n" for line in lines)


def _dump(values: dict[str, Any]) -> str:
    """Each key on its own line: a mapping of plain values in flow style (`split: {...}`),
    a deeper one as a block with flow-style leaves, like the shipped specs."""
    return "".join(
        yaml.safe_dump(
            {key: value},
            sort_keys=False,
            default_flow_style=None if isinstance(value, dict) else False,
            width=_WIDTH,
            allow_unicode=True,
        )
        for key, value in values.items()
    )


def data_note(
    name: str,
    csv: Path,
    frame: pl.DataFrame,
    profile: FrameProfile,
    target: str,
    plan: Plan,
    layout: Layout,
    today: date,
) -> str:
    """The data notes file with a row for `csv` added to its table (a new table when it has
    none): the file, the spec using it, what `trainyard new` saw, and the licence to fill in."""
    notes = layout.data_notes
    try:
        text = notes.read_text() if notes.exists() else ""
    except OSError as exc:
        raise ScaffoldError(f"cannot read the data notes {notes}: {exc.strerror}") from None
    nulls = [f"{c.name} {c.nulls}" for c in profile.columns if c.nulls]
    origin = (
        f"Given to `trainyard new` as `{csv}` on {today.isoformat()}: {frame.height} rows, "
        f"{frame.width} columns; nulls: {', '.join(nulls) or 'none'}; target `{target}`: "
        f"{_distribution(frame.get_column(target), plan.task)}. Say where the data comes from."
    )
    in_notes_folder = csv.resolve().is_relative_to(notes.parent.resolve())
    cells = [
        f"`{csv.name if in_notes_folder else shown_path(csv, layout.root)}`",
        f"`{shown_path(layout.specs / f'{name}.yaml', layout.root)}`",
        origin,
        "Unknown: state the source's licence.",
    ]
    row = "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n"
    lines = text.splitlines(keepends=True)
    last = max((i for i, line in enumerate(lines) if line.startswith("|")), default=None)
    if last is None:
        gap = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        return text + gap + _NOTES_HEADER + row
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    return "".join([*lines[: last + 1], row, *lines[last + 1 :]])


def _distribution(values: pl.Series, task: Task) -> str:
    missing = values.null_count()
    values = values.drop_nulls()
    if task is CLASSIFICATION:
        counts = Counter(values.to_list()).most_common()
        shown = ", ".join(f"{label} {n}" for label, n in counts[:10])
        more = f" and {len(counts) - 10} more classes" if len(counts) > 10 else ""
        words = shown + more
    else:
        words = (
            f"{values.min()} to {values.max()}, mean {values.mean():.4g}, "
            f"median {values.median():.4g}"
        )
    return words + (f" ({missing} null)" if missing else "")


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when it lies under it, else absolute (POSIX separators)."""
    path = path.resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _create(path: Path, text: str) -> None:
    """Write a new file atomically; ScaffoldError if `path` exists (never replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    try:
        tmp.write_text(text)
        # A hard link fails when the name exists: no check-then-write race with another writer.
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise ScaffoldError(
                f"{path} already exists: trainyard new never overwrites it"
            ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_and_load(
    new: dict[Path, str], notes: Path, notes_text: str, spec_path: Path, name: str
) -> PipelineSpec:
    """Create each new file, replace the notes and load the spec; on any failure remove what
    was created and put the notes back as they were."""
    before = notes.read_bytes() if notes.exists() else None
    created: list[Path] = []
    try:
        for path, text in new.items():
            _create(path, text)
            created.append(path)
        atomic_write(notes, notes_text.encode())
        created.append(notes)
        importlib.invalidate_caches()
        return load_spec(spec_path)
    except BaseException as exc:
        for path in created:
            if path == notes and before is not None:
                atomic_write(notes, before)
            else:
                path.unlink(missing_ok=True)
        sys.modules.pop(f"schemas.{name}", None)
        if isinstance(exc, SpecError):
            raise ScaffoldError(
                f"the spec trainyard new wrote does not load, so nothing was kept: {exc}"
            ) from None
        if isinstance(exc, OSError) and not isinstance(exc, ScaffoldError):
            raise ScaffoldError(
                f"cannot write {exc.filename}: {exc.strerror}; nothing was kept"
            ) from None
        raise
