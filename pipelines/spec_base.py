"""What every kind of pipeline spec shares: the strict base model, the model section, the
checks of names, gate conditions and cron strings, and the error type with its formatting.

`pipelines.spec` (table pipelines) and `pipelines.reinforcement_spec` (environment
pipelines) both build on this module, so neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from algorithms.registry import get_algorithm, param_names
from algorithms.tasks import Task

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_GATE = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s*$")
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
    def _known_params(self) -> ModelSpec:
        reject_unknown(self.params, param_names(self.algorithm), f"algorithm '{self.algorithm}'")
        return self

    @property
    def task(self) -> Task:
        """The registry task of the algorithm (classification, reinforcement, …)."""
        return get_algorithm(self.algorithm).task


def check_gate_conditions(gate: Mapping[str, str], metrics: Iterable[str] | None = None) -> None:
    """ValueError unless every condition reads like '>= 0.8' (and, when `metrics` is given,
    names one of them)."""
    known = None if metrics is None else list(metrics)
    for metric, condition in gate.items():
        if known is not None and metric not in known:
            raise ValueError(
                f"promote_if.{metric}: unknown metric '{metric}'; expected one of "
                f"{', '.join(known)}"
            )
        if not _GATE.match(str(condition)):
            raise ValueError(
                f"promote_if.{metric}: expected a comparison like '>= 0.8', got {condition!r}"
            )


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
        loc = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)
