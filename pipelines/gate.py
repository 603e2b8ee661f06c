"""The champion gate: a new model is promoted when it meets the spec's `promote_if`
conditions and its headline metric is not worse than the current champion's.

Whether higher is better comes from the metric table, `algorithms.metrics.METRICS`, for
every task's metrics."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass

from algorithms.metrics import get_metric
from pipelines.evaluation_result import Evaluation
from pipelines.spec_base import GATE_CONDITION, SpecBase

_COMPARE = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}


@dataclass(frozen=True)
class GateResult:
    """Whether the gate passed, with one human-readable line per condition checked."""

    passed: bool
    reasons: tuple[str, ...]


def check_gate(metrics: Mapping[str, float], promote_if: Mapping[str, str]) -> GateResult:
    """Pass iff every `metric: "<op> <threshold>"` condition holds (no conditions → pass)."""
    if not promote_if:
        return GateResult(True, ("no promote_if conditions declared: pass",))
    reasons, passed = [], True
    for name, condition in promote_if.items():
        match = GATE_CONDITION.match(str(condition))
        if match is None:
            raise ValueError(
                f"promote_if.{name}: expected a comparison like '>= 0.8', got {condition!r}"
            )
        if name not in metrics:
            raise ValueError(
                f"promote_if.{name}: metric not computed; computed: {', '.join(metrics)}"
            )
        op, threshold = match.groups()
        ok = bool(_COMPARE[op](metrics[name], float(threshold)))
        passed &= ok
        reasons.append(f"{name} {metrics[name]:.4g} {op} {threshold}: {_word(ok)}")
    return GateResult(passed, tuple(reasons))


def not_worse(new_value: float, champion_value: float | None, metric_name: str) -> GateResult:
    """Pass iff there is no champion yet or `new_value` ties or beats it in the registered
    metric's direction."""
    if champion_value is None:
        return GateResult(True, (f"{metric_name}: no champion yet: pass",))
    greater = get_metric(metric_name).greater_is_better
    ok = bool(new_value >= champion_value if greater else new_value <= champion_value)
    direction = "higher" if greater else "lower"
    return GateResult(
        ok,
        (
            f"{metric_name} {new_value:.4g} vs champion {champion_value:.4g} "
            f"({direction} is better): {_word(ok)}",
        ),
    )


def decide_promotion(
    spec: SpecBase, evaluation: Evaluation, champion_metrics: Mapping[str, float] | None
) -> GateResult:
    """The spec's gate on the evaluation's metrics AND not worse than the champion's headline."""
    gate = check_gate(evaluation.metrics, spec.evaluation.promote_if)
    headline = evaluation.headline
    if champion_metrics is not None and headline not in champion_metrics:
        versus = GateResult(True, (f"{headline}: the champion has no recorded value: pass",))
    else:
        champion_value = None if champion_metrics is None else champion_metrics[headline]
        versus = not_worse(evaluation.headline_value, champion_value, headline)
    return GateResult(gate.passed and versus.passed, gate.reasons + versus.reasons)


def _word(ok: bool) -> str:
    return "pass" if ok else "fail"
