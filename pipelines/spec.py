"""The pipeline spec: one YAML file in `pipelines/specs/`, parsed into a validated model.

A spec with `source:` is a table pipeline (`PipelineSpec`, below); one with `environment:`
is a reinforcement-learning pipeline (`pipelines.reinforcement_spec.ReinforcementSpec`).
`load_spec` tells them apart. A bad spec raises `SpecError`, whose message names the file,
the field path and what was expected, e.g. ``viral_posts.yaml: model.algorithm: unknown
algorithm 'ridg'; registered: delta_rule, random_weights``.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from algorithms.metrics import get_metric
from algorithms.registry import get_algorithm, param_names
from algorithms.tasks import CLASSIFICATION, REINFORCEMENT
from pipelines.generators import get_generator
from pipelines.paths import SPECS_DIR
from pipelines.reinforcement_spec import ReinforcementSpec
from pipelines.spec_base import (
    NAME_PATTERN,
    ModelSpec,
    SpecError,
    Strict,
    check_cron,
    check_gate_conditions,
    format_errors,
    reject_unknown,
)
from pipelines.studies import study_params


class CsvSource(Strict):
    """Read a CSV file (path relative to the project root)."""

    csv: str


class ParquetSource(Strict):
    """Read a parquet file (path relative to the project root)."""

    parquet: str


class GeneratorSource(Strict):
    """Call a registered data generator with a row count, a seed and its own parameters."""

    generator: str
    rows: int = Field(gt=0)
    seed: int = 0
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_generator(self) -> GeneratorSource:
        accepted = list(inspect.signature(get_generator(self.generator)).parameters)[2:]
        reject_unknown(self.params, accepted, f"generator '{self.generator}'")
        return self


Source = CsvSource | ParquetSource | GeneratorSource
_SOURCE_KINDS = {"csv": CsvSource, "parquet": ParquetSource, "generator": GeneratorSource}


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
    """A seeded train/test split; `stratify` keeps the class balance in both parts."""

    test_fraction: float = Field(gt=0.0, lt=1.0)
    seed: int = 0
    stratify: bool = False


class LossCurvesSpec(Strict):
    """Refit the model once per value of one parameter and plot the loss curves together."""

    param: str
    values: list[float | int | str] = Field(min_length=1)


class StudySpec(Strict):
    """A registered study (`pipelines.studies`) and its parameters; a section of the report."""

    study: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_study(self) -> StudySpec:
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
    promote_if: dict[str, str] = Field(default_factory=dict)
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

    @field_validator("promote_if")
    @classmethod
    def _gate_expressions(cls, gate: dict[str, str]) -> dict[str, str]:
        for metric in gate:
            get_metric(metric)
        check_gate_conditions(gate)
        return gate


class PipelineSpec(Strict):
    """One pipeline: source → schema validation → features → model → evaluation → gate."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str
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
    schedule: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_source_kind(cls, value: Any) -> Any:
        kinds = [key for key in _SOURCE_KINDS if isinstance(value, dict) and key in value]
        if len(kinds) != 1:
            raise ValueError(
                "expected exactly one of {csv: PATH}, {parquet: PATH} or "
                "{generator: NAME, rows: N, seed: S}"
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

    @field_validator("schedule")
    @classmethod
    def _cron(cls, cron: str | None) -> str | None:
        return check_cron(cron)

    @field_validator("model")
    @classmethod
    def _table_model(cls, model: ModelSpec | None) -> ModelSpec | None:
        if model is not None:
            _refuse_reinforcement(model)
        return model

    @field_validator("candidates")
    @classmethod
    def _table_candidates(cls, candidates: dict[str, ModelSpec] | None):
        for model in (candidates or {}).values():
            _refuse_reinforcement(model)
        return candidates

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
    def _tuned_params_exist(self) -> PipelineSpec:
        if self.tuning is not None:
            allowed = param_names(self.algorithm)
            reject_unknown(
                self.tuning.grid, allowed, f"algorithm '{self.algorithm}'", "tuning.grid: "
            )
            if self.tuning.stratify and self.model.task is not CLASSIFICATION:
                raise ValueError(
                    f"tuning.stratify: stratified folds need class labels; '{self.algorithm}' "
                    f"is a {self.model.task.name} algorithm"
                )
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
        wanted = [*self.features.inputs, self.target]
        missing = [c for c in wanted if c not in declared]
        if missing:
            raise ValueError(
                f"column(s) {', '.join(missing)} not declared in schema {self.schema_}; "
                f"it declares: {', '.join(declared)}"
            )
        if self.target in self.features.inputs:
            raise ValueError(f"target '{self.target}' is also listed as a feature")
        return self

    @property
    def algorithm(self) -> str:
        """The registry name of the model's algorithm (candidates: their names, joined)."""
        if self.model is not None:
            return self.model.algorithm
        return ", ".join(m.algorithm for m in self.candidates.values())

    @property
    def candidate_names(self) -> list[str]:
        """Names of the candidate models; empty for a single-model spec."""
        return list(self.candidates or {})

    def for_candidate(self, name: str) -> PipelineSpec:
        """This spec with candidate `name` as its single model (for training and scoring)."""
        if name not in (self.candidates or {}):
            raise ValueError(f"pipeline {self.name} has no candidate {name!r}")
        return self.model_copy(update={"model": self.candidates[name], "candidates": None})

    def spec_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON: it changes exactly when the spec does."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


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


def _refuse_reinforcement(model: ModelSpec) -> None:
    """ValueError when a table pipeline names an algorithm that learns from an environment."""
    if model.task is REINFORCEMENT:
        raise ValueError(
            f"'{model.algorithm}' is a reinforcement algorithm: it learns from an environment, "
            "not from a table; declare an `environment:` (e.g. {gridworld: {...}}) instead of "
            "`source:`, `schema:`, `features:`, `target:` and `split:`"
        )


def spec_kind(raw: dict[str, Any]) -> type[PipelineSpec] | type[ReinforcementSpec]:
    """The spec model a parsed YAML mapping declares: `environment:` → ReinforcementSpec,
    otherwise PipelineSpec; ValueError when it declares both a source and an environment."""
    if "environment" in raw and "source" in raw:
        raise ValueError(
            "declares both `source:` (a table pipeline) and `environment:` (a reinforcement "
            "pipeline); keep exactly one"
        )
    return ReinforcementSpec if "environment" in raw else PipelineSpec


def load_spec(path: str | Path) -> PipelineSpec | ReinforcementSpec:
    """Parse and validate one spec file; raise SpecError naming the file and field on failure.

    A spec with `environment:` is a ReinforcementSpec, one with `source:` a PipelineSpec.
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
        spec = model.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(format_errors(path, exc)) from None
    if spec.name != path.stem:
        raise SpecError(
            f"invalid pipeline spec {path}: name: '{spec.name}' must match the file name "
            f"'{path.stem}'"
        )
    return spec


def load_specs(
    directory: str | Path = SPECS_DIR,
) -> dict[str, PipelineSpec | ReinforcementSpec]:
    """Every `*.yaml` spec in a directory (both kinds), by pipeline name, in name order."""
    specs = [load_spec(p) for p in sorted(Path(directory).glob("*.yaml"))]
    return {spec.name: spec for spec in specs}
