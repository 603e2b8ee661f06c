"""What every kind of pipeline spec shares: the strict base model, the model section, the
spec base (`SpecBase`: name, description, schedule, spec hash, task, metrics and headline),
the checks of names, gate conditions, task fit and cron strings, and the error type with its
formatting.

Each pipeline kind's spec (`pipelines.spec.PipelineSpec` for tables,
`pipelines.kinds.environment_spec.ReinforcementSpec` for environments) builds on this module,
so no kind imports another.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from algorithms.metrics import get_metric
from algorithms.registry import InvalidParamsError, check_params, get_algorithm
from algorithms.tasks import Task

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
# Validation context key: load a spec for its data and names only (`trainyard validate`, `list`,
# `show`), skipping the checks that import estimator or study modules or scikit-learn (the
# model's parameters, tuning grid, studies, building the environment).
DATA_ONLY = "data_only"
# A `promote_if` condition: an operator and a number, e.g. ">= 0.8".
GATE_CONDITION = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s*$")
# A whole-spec check's message that starts with the field it is about ("evaluation.metrics: …").
_NAMES_A_FIELD = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)*: ")
_CRON_ITEM = re.compile(r"^(?:(\*|\?)|(\w+)(?:-(\w+))?)(?:/(\d+))?$")
# croniter extensions Dagster accepts: L (the last day of a month), d#n (the n-th weekday d).
_NTH_WEEKDAY = re.compile(r"^[0-7]#[1-5]$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names counted from `lowest`) of the five cron fields, in order.
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)


def for_data_only(info: ValidationInfo) -> bool:
    """Whether the spec is being loaded for its data only (see DATA_ONLY)."""
    return bool((info.context or {}).get(DATA_ONLY))


class SpecError(ValueError):
    """A pipeline spec that cannot be used; the message says where and what was expected."""


def reject_unknown(given, accepted, owner: str, prefix: str = "") -> None:
    """ValueError naming the names in `given` that `owner` does not accept, and what it does."""
    unknown = sorted(set(given) - set(accepted))
    if unknown:
        raise ValueError(
            f"{prefix}unknown parameter(s) {', '.join(unknown)} for {owner}; "
            f"its parameters: {', '.join(accepted) or 'none'}"
        )


class Strict(BaseModel):
    """A spec section: unknown keys are errors and the parsed value is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(Strict):
    """A registered algorithm and the parameters it is built with."""

    algorithm: str
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("algorithm")
    @classmethod
    def _known_algorithm(cls, name: str) -> str:
        get_algorithm(name)
        return name

    @model_validator(mode="after")
    def _known_params(self, info: ValidationInfo) -> ModelSpec:
        """Each parameter known to the algorithm and allowed by its constraint table; a bad
        value is reported at `model.params.<name>`, unknown names at `model`."""
        if for_data_only(info):
            return self
        try:
            check_params(self.algorithm, self.params)
        except InvalidParamsError as error:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    {
                        "type": "value_error",
                        "loc": () if param is None else ("params", param),
                        "input": self.params if param is None else self.params[param],
                        "ctx": {"error": ValueError(message)},
                    }
                    for param, message in error.problems
                ],
            ) from None
        return self

    @property
    def task(self) -> Task:
        """The registry task of the algorithm (classification, reinforcement, …)."""
        return get_algorithm(self.algorithm).task


class SpecBase(Strict):
    """The fields and answers every pipeline spec shares, whatever its kind.

    A kind's spec adds its own sections and declares `kind` (its name) and `declared_by` (the
    top-level key that marks a YAML file as this kind, e.g. `source` or `environment`). Its
    `evaluation` section has `promote_if` and may name `metrics`.
    """

    kind: ClassVar[str]
    declared_by: ClassVar[str]
    tasks: ClassVar[tuple[Task, ...]]
    how_to_declare: ClassVar[str]
    # The model's and the baseline's columns in the CLI's summary of an evaluation.
    model_label: ClassVar[str] = "model"
    baseline_label: ClassVar[str] = "baseline"

    name: str = Field(pattern=NAME_PATTERN)
    description: str
    schedule: str | None = None

    @field_validator("schedule")
    @classmethod
    def _cron(cls, cron: str | None) -> str | None:
        return check_cron(cron)

    @classmethod
    def check_model_task(cls, model: ModelSpec) -> ModelSpec:
        """`model` if its algorithm's task is one this kind trains; else ValueError saying
        which kind of pipeline does train it."""
        task = model.task
        if task in cls.tasks:
            return model
        homes = [kind for kind in SpecBase.__subclasses__() if task in kind.tasks]
        where = (
            homes[0].how_to_declare
            if homes
            else "no pipeline kind trains it: use it in a study (e.g. pca_explained_variance)"
        )
        raise ValueError(
            f"'{model.algorithm}' is a {task.name} algorithm, but {cls.kind} pipelines train "
            f"{either(t.name for t in cls.tasks)} algorithms; {where}"
        )

    def trained_models(self) -> dict[str, ModelSpec]:
        """Every model the pipeline trains, by name: here the kind's one `model`; a kind with
        candidates returns them."""
        return {"model": self.model}

    @property
    def algorithm(self) -> str:
        """The registry name of the model's algorithm (candidates: their names, joined)."""
        return ", ".join(m.algorithm for m in self.trained_models().values())

    @property
    def task(self) -> Task:
        """The task of the pipeline's models (every candidate has the same one)."""
        return next(iter(self.trained_models().values())).task

    def metric_names(self) -> list[str]:
        """The task's default metrics, plus any gate metric not among them."""
        return with_gate_metrics(self.task.default_metrics, self.evaluation.promote_if)

    @property
    def headline(self) -> str:
        """The metric the champion is compared on: the first `promote_if` key, else the first
        metric."""
        return next(iter(self.evaluation.promote_if), self.metric_names()[0])

    def scoring_words(self, evaluation: Any) -> str:
        """What an evaluation of this pipeline scored, for the CLI's summary."""
        return f"scored on the {evaluation.scored_on} ({evaluation.n_scored} rows)"

    def summary_notes(self, evaluation: Any) -> list[str]:
        """Lines the CLI's summary adds after the metrics (none by default)."""
        return []

    def spec_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON: it changes exactly when the spec does."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def either(words: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    words = list(words)
    return " or ".join(filter(None, [", ".join(words[:-1]), words[-1]]))


def with_gate_metrics(names: Iterable[str], gate: Mapping[str, str]) -> list[str]:
    """`names`, then each gate metric not among them (the gate's metrics are always scored)."""
    names = list(names)
    return names + [m for m in gate if m not in names]


def check_fits_task(task: Task, field: str, metrics: Iterable[str]) -> None:
    """ValueError naming `field` when a metric in `metrics` does not fit `task`."""
    for name in metrics:
        try:
            task.metric(name)
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None


def check_gate_conditions(gate: dict[str, str]) -> dict[str, str]:
    """`gate` unchanged if every key is a registered metric and every condition reads like
    '>= 0.8'; ValueError otherwise (whether the metric fits the task is the spec's check)."""
    for metric, condition in gate.items():
        get_metric(metric)
        if not GATE_CONDITION.match(str(condition)):
            raise ValueError(
                f"promote_if.{metric}: expected a comparison like '>= 0.8', got {condition!r}"
            )
    return gate


# The `promote_if` section of every kind's evaluation: metric name → condition.
Gate = Annotated[dict[str, str], AfterValidator(check_gate_conditions)]


def check_cron(cron: str | None) -> str | None:
    """`cron` unchanged if it is None or a 5-field cron string Dagster accepts; ValueError
    naming the field and value otherwise (minute 0-59, hour 0-23, day of month 1-31,
    month 1-12 or jan-dec, day of week 0-7 or sun-sat; `*`, lists, ranges and `/step`)."""
    if cron is None:
        return cron
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"expected a 5-field cron string like '0 6 * * 1', got {cron!r}")
    values = [
        _cron_field(text, *spec, cron) for text, spec in zip(fields, _CRON_FIELDS, strict=True)
    ]
    if values[3] == {2} and values[2] and min(values[2]) >= 30:
        raise ValueError(f"day of month: February has no day {min(values[2])} in {cron!r}")
    return cron


def _cron_field(
    text: str, name: str, low: int, high: int, names: tuple[str, ...], cron: str
) -> set[int]:
    """The values one cron field names (empty for `*`); ValueError naming the field if bad."""
    values: set[int] = set()
    if name == "day of week" and _NTH_WEEKDAY.match(text):
        return values
    for item in text.split(","):
        if name == "day of month" and item == "L":
            continue
        match = _CRON_ITEM.match(item)
        if match is None:
            raise ValueError(
                f"{name}: expected a number, a range like 1-5, a list or */N, got {item!r} "
                f"in {cron!r}"
            )
        star, first, last, step = match.groups()
        if step is not None and int(step) == 0:
            raise ValueError(f"{name}: step /0 in {cron!r}")
        if star:
            continue
        bounds = [_cron_value(v, name, low, high, names, cron) for v in (first, last) if v]
        # a backwards range like 22-2 wraps around, as croniter (Dagster's parser) reads it
        values.update(range(bounds[0], bounds[-1] + 1, int(step or 1)))
    return values


def _cron_value(text: str, name: str, low: int, high: int, names: tuple[str, ...], cron: str):
    """One number or name of a cron field as a number; ValueError naming the field if bad."""
    named = f" or {names[0]}-{names[-1]}" if names else ""
    if text.lower() in names:
        return low + names.index(text.lower())
    if not text.isdigit():
        raise ValueError(f"{name}: expected a number {low}-{high}{named}, got {text!r} in {cron!r}")
    if not low <= int(text) <= high:
        raise ValueError(f"{name}: {text} is out of range {low}-{high}{named} in {cron!r}")
    return int(text)


def format_errors(path: Path, error: ValidationError) -> str:
    """'invalid pipeline spec PATH:' and one '  field.path: message' line per error."""
    lines = [f"invalid pipeline spec {path}:"]
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        loc = ".".join(str(part) for part in item["loc"])
        if not loc and not _NAMES_A_FIELD.match(message):
            loc = "(top level)"
        lines.append(f"  {loc}: {message}" if loc else f"  {message}")
    return "\n".join(lines)
