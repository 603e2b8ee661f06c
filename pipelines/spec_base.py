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

from algorithms.registry import InvalidParamsError, check_params, get_algorithm
from algorithms.tasks import Task

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_GATE = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s*$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*,/\-?]+$")


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
        """Each parameter known to the algorithm and allowed by its constraint table; a bad
        value is reported at `model.params.<name>`, unknown names at `model`."""
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
    """`cron` unchanged if it is None or a 5-field cron string; ValueError otherwise."""
    if cron is not None:
        fields = cron.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(f"expected a 5-field cron string like '0 6 * * 1', got {cron!r}")
    return cron


def format_errors(path: Path, error: ValidationError) -> str:
    """'invalid pipeline spec PATH:' and one '  field.path: message' line per error."""
    lines = [f"invalid pipeline spec {path}:"]
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)
