"""The pipeline spec: one YAML file in `pipelines/specs/`, parsed into a validated model.

Each pipeline kind has its spec model, registered in `SPEC_KINDS` below under the top-level
key that declares it: `source:` makes a table pipeline (`PipelineSpec`, in this module),
`environment:` an environment (reinforcement-learning) pipeline
(`pipelines.kinds.environment_spec.ReinforcementSpec`). `load_spec` picks the kind. A bad
spec raises `SpecError`, whose message names the file, the field path and what was
expected, e.g. ``viral_posts.yaml: model.algorithm: unknown algorithm 'ridg'; registered:
delta_rule, random_weights``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from algorithms.metrics import get_metric
from algorithms.registry import algorithm_names, get_algorithm, incremental_names, param_names
from algorithms.tasks import CLASSIFICATION, CLUSTERING, REGRESSION, Task
from pipelines.generators import get_generator
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from pipelines.read_options import CsvOptions
from pipelines.spec_base import (
    DATA_ONLY,
    NAME_PATTERN,
    Gate,
    ModelSpec,
    SpecBase,
    SpecError,
    Strict,
    check_fits_task,
    for_data_only,
    format_errors,
    reject_unknown,
    with_gate_metrics,
)
from pipelines.streaming.metrics import STREAMABLE
from pipelines.studies import check_study_fits, study_params


class StreamOptions(Strict):
    """Stream the source instead of reading it whole: `batch_rows` rows at a time through
    validation, features, training and evaluation; `epochs` passes over the train batches,
    each in a fresh order of batches seeded by `seed` and the epoch."""

    batch_rows: int = Field(default=100_000, ge=1)
    epochs: int = Field(default=1, ge=1)
    seed: int = 0


class CsvSource(CsvOptions):
    """Read a CSV file (path relative to the project root) with its read options; `stream`
    reads it in batches (`StreamOptions`)."""

    csv: str
    stream: StreamOptions | None = None


class StreamableSource(Strict):
    """A source that may be read in batches (`stream:`, `StreamOptions`)."""

    stream: StreamOptions | None = None

    @model_serializer(mode="wrap")
    def _without_stream(self, handler) -> dict[str, Any]:
        # A source that does not stream keeps the spec hash it had before `stream` existed.
        data = handler(self)
        if self.stream is None:
            data.pop("stream", None)
        return data


class ParquetSource(StreamableSource):
    """Read a parquet file (path relative to the project root); with `stream`, the path may
    be a glob of parts (`data/big/*.parquet`) read in batches (`StreamOptions`)."""

    parquet: str


class GeneratorSource(StreamableSource):
    """Call a registered data generator with a row count, a seed and its own parameters.

    With `stream`, a generator step writes the rows as parquet parts of `stream.batch_rows`
    rows under the artifacts folder (part i: the generator's rows for the seed drawn from
    (seed, i)), and the pipeline streams them.
    """

    generator: str
    rows: int = Field(gt=0)
    seed: int = 0
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_generator(self) -> GeneratorSource:
        accepted = list(inspect.signature(get_generator(self.generator)).parameters)[2:]
        reject_unknown(self.params, accepted, f"generator '{self.generator}'")
        return self


class TrainOn(Strict):
    """Which validated batches of a landing source training reads: the `last` N by name."""

    last: int = Field(ge=1)


class LandingFolder(CsvOptions):
    """A folder (path relative to the project root) where files land: every `format` file in
    it is one batch, keyed by its name, picked up once unmodified for `settle_seconds`. The
    read options apply to CSV files."""

    landing: str
    format: Literal["csv", "parquet"] = "csv"
    settle_seconds: float = Field(default=10.0, ge=0.0)

    @model_validator(mode="after")
    def _existing_folder(self) -> LandingFolder:
        folder = self.folder
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "not found"
            raise ValueError(
                f"landing: folder {self.landing} {what} (looked for {folder}); create it and "
                f"drop the batch files (*.{self.format}) in it"
            )
        read_options = [name for name in CsvOptions.model_fields if name in self.model_fields_set]
        if self.format == "parquet" and read_options:
            raise ValueError(
                f"{', '.join(read_options)}: CSV read options do not apply to parquet batches"
            )
        return self

    @property
    def folder(self) -> Path:
        """The landing folder, absolute."""
        path = Path(self.landing)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def suffix(self) -> str:
        """The file suffix of a batch: `.csv` or `.parquet`."""
        return f".{self.format}"


class LandingSource(LandingFolder):
    """The batches a pipeline trains on: each is validated on its own; training reads every
    validated batch, or the last N by file name (`train_on: {last: N}`)."""

    train_on: TrainOn | None = None


class DriftSpec(Strict):
    """PSI levels of the drift check: a feature has shifted at `warn_psi` (the check warns)
    and drifted at `fail_psi` (the check fails with ERROR severity; neither stops a run)."""

    warn_psi: float = Field(default=0.1, gt=0.0)
    fail_psi: float = Field(default=0.25, gt=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> DriftSpec:
        if self.fail_psi <= self.warn_psi:
            raise ValueError(f"fail_psi {self.fail_psi} must be above warn_psi {self.warn_psi}")
        return self


Source = CsvSource | ParquetSource | GeneratorSource | LandingSource
_SOURCE_KINDS = {
    "csv": CsvSource,
    "parquet": ParquetSource,
    "generator": GeneratorSource,
    "landing": LandingSource,
}


class TextFeaturesSpec(Strict):
    """Bag of words of one text column: a column per token of the train-row vocabulary.

    `weighting`: raw counts, binary presence, or tf-idf (smooth idf, rows scaled to unit L2).
    """

    column: str
    min_df: int = Field(default=1, ge=1)
    weighting: Literal["counts", "binary", "tfidf"] = "counts"


class FeaturesSpec(Strict):
    """Which columns feed the model, how they are expanded and scaled (fitted on train rows).

    `polynomial` expands the numeric columns to every monomial up to that degree; `text`
    adds a bag of words. Scaling (`normalize`) applies to all resulting columns.
    """

    columns: list[str] = Field(default_factory=list)
    normalize: Literal["minmax", "zscore", "none"] = "minmax"
    polynomial: int = Field(default=1, ge=1, le=20)
    text: TextFeaturesSpec | None = None

    @model_validator(mode="after")
    def _some_input(self) -> FeaturesSpec:
        if not self.columns and self.text is None:
            raise ValueError("expected at least one numeric column or a text column")
        return self

    @property
    def inputs(self) -> list[str]:
        """Every raw column the features read."""
        return [*self.columns, *([self.text.column] if self.text else [])]


class SplitSpec(Strict):
    """A seeded train/test split; `stratify` keeps the class balance in both parts.

    `by: shuffle` (the default) puts round(test_fraction · n) rows of a seeded permutation in
    the test part; `by: hash` puts a row there when a seeded hash of its row number (or of the
    integer column `key`) falls below test_fraction, which needs no pass over the whole table
    (`pipelines.streaming.split`): a streamed source splits so.
    """

    test_fraction: float = Field(gt=0.0, lt=1.0)
    seed: int = 0
    stratify: bool = False
    by: Literal["shuffle", "hash"] = "shuffle"
    key: str | None = None

    @model_validator(mode="after")
    def _hash_options(self) -> SplitSpec:
        if self.by == "shuffle" and self.key is not None:
            raise ValueError("key: a key column decides a row's part with `by: hash` only")
        if self.by == "hash" and self.stratify:
            raise ValueError("stratify: a hashed split does not stratify; use `by: shuffle`")
        return self

    @model_serializer(mode="wrap")
    def _without_defaults(self, handler) -> dict[str, Any]:
        # A split that does not hash keeps the spec hash it had before `by` existed.
        data = handler(self)
        if self.by == "shuffle":
            data.pop("by", None)
        if self.key is None:
            data.pop("key", None)
        return data


class LossCurvesSpec(Strict):
    """Refit the model once per value of one parameter and plot the loss curves together."""

    param: str
    values: list[float | int | str] = Field(min_length=1)


class StudySpec(Strict):
    """A registered study (`pipelines.studies`) and its parameters; a section of the report."""

    study: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_study(self, info: ValidationInfo) -> StudySpec:
        if for_data_only(info):
            return self
        reject_unknown(self.params, study_params(self.study), f"study '{self.study}'")
        return self


class TuningSpec(Strict):
    """K-fold cross-validated grid search over the model's parameters; the best go to `model`.

    The folds are shuffled by default, seeded by `seed` (default: the split's seed), and
    stratified on the classes for a classification algorithm unless `stratify` says otherwise.
    """

    cv: int = Field(default=5, ge=2)
    grid: dict[str, list[Any]] = Field(min_length=1)
    scoring: str | None = None
    shuffle: bool = True
    seed: int | None = None
    stratify: bool | None = None

    @model_validator(mode="after")
    def _seed_needs_shuffle(self) -> TuningSpec:
        if not self.shuffle and self.seed is not None:
            raise ValueError("seed has no effect when shuffle is false: remove it or shuffle")
        return self

    @field_validator("grid")
    @classmethod
    def _non_empty_values(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        empty = [name for name, values in grid.items() if not values]
        if empty:
            raise ValueError(f"grid values must be non-empty lists: {', '.join(empty)}")
        return grid


class EvaluationSpec(Strict):
    """Metrics on the held-out split, the champion gate, and optional extra plots.

    `compare_with` fits other registered algorithms (default parameters) on the same split
    and reports them beside the model, e.g. random weight guessing beside the delta rule.
    `examples` are raw input rows (feature column → value) whose predictions the report shows;
    `studies` are seeded experiments of the tutorial, each a table and figure in the report.
    """

    metrics: list[str] | None = None
    promote_if: Gate = Field(default_factory=dict)
    loss_curves: LossCurvesSpec | None = None
    compare_with: list[str] = Field(default_factory=list)
    examples: list[dict[str, Any]] = Field(default_factory=list)
    studies: list[StudySpec] = Field(default_factory=list)

    @field_validator("compare_with")
    @classmethod
    def _known_algorithms(cls, names: list[str]) -> list[str]:
        for name in names:
            get_algorithm(name)
        return names

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, names: list[str] | None) -> list[str] | None:
        for name in names or []:
            get_metric(name)
        return names


class PipelineSpec(SpecBase):
    """A table pipeline: source → schema validation → features → model → evaluation → gate."""

    kind: ClassVar[str] = "table"
    declared_by: ClassVar[str] = "source"
    tasks: ClassVar[tuple[Task, ...]] = (CLASSIFICATION, REGRESSION, CLUSTERING)
    how_to_declare: ClassVar[str] = (
        "a table pipeline declares `source:`, `schema:`, `features:`, `target:` and `split:`"
    )

    source: Source
    schema_: str = Field(alias="schema")
    on_invalid: Literal["fail", "quarantine"] = "fail"
    max_rejected_fraction: float = Field(default=0.05, ge=0.0, le=1.0)
    features: FeaturesSpec
    target: str
    split: SplitSpec | None
    model: ModelSpec | None = None
    candidates: dict[str, ModelSpec] | None = None
    tuning: TuningSpec | None = None
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    drift: DriftSpec | None = None
    score: LandingFolder | None = None

    @property
    def drift_levels(self) -> DriftSpec | None:
        """The drift check's levels: a landing source's batches are always checked (the
        defaults unless `drift:` says otherwise); a single-file source has no batches."""
        if not isinstance(self.source, LandingSource):
            return None
        return self.drift or DriftSpec()

    @property
    def stream(self) -> StreamOptions | None:
        """The source's streaming options, or None when the source is read whole."""
        return getattr(self.source, "stream", None)

    @field_validator("source", mode="before")
    @classmethod
    def _one_source_kind(cls, value: Any) -> Any:
        kinds = [key for key in _SOURCE_KINDS if isinstance(value, dict) and key in value]
        if len(kinds) != 1:
            raise ValueError(
                "expected exactly one of {csv: PATH}, {parquet: PATH}, "
                "{generator: NAME, rows: N, seed: S} or {landing: FOLDER, format: csv|parquet}"
            )
        return _SOURCE_KINDS[kinds[0]].model_validate(value)

    @field_validator("split", mode="before")
    @classmethod
    def _none_split(cls, value: Any) -> Any:
        return None if value == "none" else value

    @field_validator("schema_")
    @classmethod
    def _importable_schema(cls, ref: str) -> str:
        resolve_schema(ref)
        return ref

    @field_validator("model")
    @classmethod
    def _table_model(cls, model: ModelSpec | None) -> ModelSpec | None:
        if model is not None:
            cls.check_model_task(model)
        return model

    @field_validator("candidates")
    @classmethod
    def _table_candidates(cls, candidates: dict[str, ModelSpec] | None):
        for model in (candidates or {}).values():
            cls.check_model_task(model)
        tasks = {name: model.task for name, model in (candidates or {}).items()}
        if len(set(tasks.values())) > 1:
            listed = ", ".join(f"{name} ({task.name})" for name, task in tasks.items())
            raise ValueError(
                f"candidates are compared on the same metrics, so they must share one task; "
                f"got {listed}"
            )
        return candidates

    @model_validator(mode="after")
    def _drift_needs_batches(self) -> PipelineSpec:
        if self.drift is not None and not isinstance(self.source, LandingSource):
            raise ValueError(
                "drift: compares each landing batch with the champion's training rows; this "
                "pipeline reads one source, not batches from a `landing:` folder"
            )
        return self

    @model_validator(mode="after")
    def _streamable(self, info: ValidationInfo) -> PipelineSpec:
        """A streamed source: a hashed split, no step that needs every row at once, metrics
        that add up over batches, and an algorithm that learns incrementally."""
        if self.stream is None:
            return self
        if self.split is not None and self.split.by != "hash":
            raise ValueError(
                "split.by: a streamed source (source.stream) splits rows by a seeded hash of "
                "their number, without a pass over the table; set `by: hash`"
            )
        whole_table = {
            "features.text": self.features.text,
            "candidates": self.candidates,
            "tuning": self.tuning,
            "evaluation.loss_curves": self.evaluation.loss_curves,
            "evaluation.compare_with": self.evaluation.compare_with or None,
            "evaluation.studies": self.evaluation.studies or None,
            "score": self.score,
        }
        used = [name for name, value in whole_table.items() if value is not None]
        if used:
            raise ValueError(
                f"{', '.join(used)}: not supported with a streamed source (source.stream), "
                "which never holds the whole table"
            )
        metrics = self.evaluation.metrics or []
        others = [m for m in [*metrics, *self.evaluation.promote_if] if m not in STREAMABLE]
        if others:
            raise ValueError(
                f"evaluation: metric(s) {', '.join(others)} cannot be accumulated over batches "
                f"of a streamed source; streamable: {', '.join(STREAMABLE)}"
            )
        model = self.model
        if (
            model is not None
            and not for_data_only(info)
            and not get_algorithm(model.algorithm).incremental
        ):
            raise ValueError(
                f"model.algorithm: '{model.algorithm}' cannot learn incrementally (it has "
                "no partial_fit), so it cannot train on a streamed source (source.stream); "
                f"{self.task.name} algorithms that can: {', '.join(incremental_names(self.task))}"
            )
        return self

    @model_validator(mode="after")
    def _one_model_or_candidates(self) -> PipelineSpec:
        if (self.model is None) == (self.candidates is None):
            raise ValueError("expected exactly one of `model` (one model) or `candidates`")
        if self.candidates is not None:
            bad = [n for n in self.candidates if not re.match(NAME_PATTERN, n)]
            if bad or not self.candidates:
                raise ValueError(
                    "candidates: expected a non-empty mapping of names like 'random_forest' "
                    f"(lower case, digits, underscores) to models; bad names: {bad}"
                )
            single_only = {
                "tuning": self.tuning,
                "evaluation.loss_curves": self.evaluation.loss_curves,
            }
            used = [name for name, value in single_only.items() if value is not None]
            if used:
                raise ValueError(f"{', '.join(used)} applies to a single `model`, not candidates")
        return self

    @model_validator(mode="after")
    def _tuned_params_exist(self, info: ValidationInfo) -> PipelineSpec:
        if self.tuning is not None and not for_data_only(info):
            allowed = param_names(self.algorithm)
            reject_unknown(
                self.tuning.grid, allowed, f"algorithm '{self.algorithm}'", "tuning.grid: "
            )
        if self.tuning is not None and self.tuning.stratify and self.task is not CLASSIFICATION:
            raise ValueError(
                f"tuning.stratify: stratified folds need class labels; '{self.algorithm}' "
                f"is a {self.task.name} algorithm"
            )
        return self

    @model_validator(mode="after")
    def _evaluation_fits_the_task(self) -> PipelineSpec:
        task, evaluation = self.task, self.evaluation
        check_fits_task(task, "evaluation.metrics", evaluation.metrics or [])
        check_fits_task(task, "evaluation.promote_if", evaluation.promote_if)
        for name in evaluation.compare_with:
            other = get_algorithm(name).task
            if other is not task:
                fitting = [n for n in algorithm_names() if get_algorithm(n).task is task]
                raise ValueError(
                    f"evaluation.compare_with: '{name}' is a {other.name} algorithm; the model "
                    f"is scored as {task.name}, so compare with one of: {', '.join(fitting)}"
                )
        for i, study in enumerate(evaluation.studies):
            try:
                check_study_fits(study.study, task)
            except ValueError as exc:
                raise ValueError(f"evaluation.studies.{i}: {exc}") from None
        return self

    @model_validator(mode="after")
    def _examples_have_the_inputs(self) -> PipelineSpec:
        for i, example in enumerate(self.evaluation.examples):
            missing = [c for c in self.features.inputs if c not in example]
            if missing:
                raise ValueError(
                    f"evaluation.examples.{i}: missing feature column(s) {', '.join(missing)}"
                )
        return self

    @model_validator(mode="after")
    def _columns_in_schema(self) -> PipelineSpec:
        declared = schema_columns(resolve_schema(self.schema_))
        key = [self.split.key] if self.split is not None and self.split.key else []
        wanted = [*self.features.inputs, self.target, *key]
        missing = [c for c in wanted if c not in declared]
        if missing:
            raise ValueError(
                f"column(s) {', '.join(missing)} not declared in schema {self.schema_}; "
                f"it declares: {', '.join(declared)}"
            )
        if self.target in self.features.inputs:
            raise ValueError(f"target '{self.target}' is also listed as a feature")
        return self

    def trained_models(self) -> dict[str, ModelSpec]:
        """The candidates by name, or {"model": the single model}."""
        return dict(self.candidates) if self.candidates is not None else {"model": self.model}

    def metric_names(self) -> list[str]:
        """The spec's metrics (else the task's defaults), plus any gate metric not among them."""
        names = self.evaluation.metrics or self.task.default_metrics
        return with_gate_metrics(names, self.evaluation.promote_if)

    def for_candidate(self, name: str) -> PipelineSpec:
        """This spec with candidate `name` as its single model (for training and scoring)."""
        if name not in (self.candidates or {}):
            raise ValueError(f"pipeline {self.name} has no candidate {name!r}")
        return self.model_copy(update={"model": self.candidates[name], "candidates": None})


def resolve_schema(ref: str) -> type:
    """Import the pandera model named by ``'module:Class'``; a clear ValueError if missing."""
    module_name, sep, class_name = ref.partition(":")
    if not sep or not module_name or not class_name:
        raise ValueError(
            f"expected 'module:Class' (e.g. schemas.viral_posts:RawViralPosts), got {ref!r}"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ValueError(f"schema module '{module_name}' not found ({exc})") from None
    schema = getattr(module, class_name, None)
    if schema is None:
        defined = sorted(
            n
            for n, v in vars(module).items()
            if isinstance(v, type) and hasattr(v, "to_schema") and v.__module__ == module_name
        )
        raise ValueError(
            f"no schema '{class_name}' in module {module_name} ({module.__file__}); "
            f"it defines: {', '.join(defined) or 'no DataFrameModel'}"
        )
    return schema


def schema_columns(schema: type) -> list[str]:
    """Column names a pandera DataFrameModel declares, in order."""
    return list(schema.to_schema().columns)


# The pipeline kinds: each spec model under the top-level key that declares it. A new kind
# is one spec module (built on `SpecBase`) registered here, plus its assets in
# `assets.kinds.ASSET_KINDS`.
SPEC_KINDS: dict[str, type[SpecBase]] = {
    kind.declared_by: kind for kind in (PipelineSpec, ReinforcementSpec)
}


def spec_kind(raw: dict[str, Any]) -> type[SpecBase]:
    """The spec model of the kind a parsed YAML mapping declares (`source:` → a table,
    `environment:` → an environment); ValueError when it declares more than one."""
    declared = [key for key in SPEC_KINDS if key in raw]
    if len(declared) > 1:
        listed = " and ".join(f"`{key}:` (the {SPEC_KINDS[key].kind} kind)" for key in declared)
        raise ValueError(f"declares both {listed}; keep exactly one")
    return SPEC_KINDS[declared[0]] if declared else PipelineSpec


def load_spec(path: str | Path, *, data_only: bool = False) -> SpecBase:
    """Parse and validate one spec file; raise SpecError naming the file and field on failure.

    The top-level key that declares a kind picks the spec model (`SPEC_KINDS`). `data_only`
    skips the checks that import estimators, studies or scikit-learn (`DATA_ONLY`), for the
    commands that read a spec's data or names only (`trainyard validate`, `list`, `show`).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SpecError(f"cannot read pipeline spec {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML in pipeline spec {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"invalid pipeline spec {path}: expected a mapping at the top level")
    try:
        model = spec_kind(raw)
    except ValueError as exc:
        raise SpecError(f"invalid pipeline spec {path}: {exc}") from None
    try:
        spec = model.model_validate(raw, context={DATA_ONLY: data_only})
    except ValidationError as exc:
        raise SpecError(format_errors(path, exc)) from None
    if spec.name != path.stem:
        raise SpecError(
            f"invalid pipeline spec {path}: name: '{spec.name}' must match the file name "
            f"'{path.stem}'"
        )
    return spec


def load_specs(
    directory: str | Path = SPECS_DIR, *, data_only: bool = False
) -> dict[str, SpecBase]:
    """Every `*.yaml` spec in a directory (every kind), by pipeline name, in name order
    (`data_only`: see `load_spec`)."""
    specs = [load_spec(p, data_only=data_only) for p in sorted(Path(directory).glob("*.yaml"))]
    return {spec.name: spec for spec in specs}


def load_each_spec(
    directory: str | Path = SPECS_DIR,
) -> tuple[dict[str, SpecBase], dict[str, str]]:
    """Every `*.yaml` spec in a directory that loads, by name, and the error of each that does
    not (file stem → SpecError message): one broken spec does not stop the others."""
    specs, broken = {}, {}
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            spec = load_spec(path)
        except SpecError as exc:
            broken[path.stem] = str(exc)
            continue
        specs[spec.name] = spec
    return specs, broken
