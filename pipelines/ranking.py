"""Rank candidate models and say, in words, how the first one was chosen.

The rule, applied in order until one candidate is ahead:

1. candidates that pass the spec's `promote_if` gate rank above those that fail it;
2. the headline metric, best first;
3. the spec's other evaluation metrics, in the order listed, each in its own direction;
4. the simpler model: fewer fitted numbers (values in the model's stored arrays);
5. the order the candidates are listed in the spec.

Metric values are compared to 12 significant digits, so a difference in the last bits of a
float is a tie. Simplicity comes before spec order because it is a property of the models
(smaller, quicker to score, less room to overfit); training time is not used as it differs
from run to run, and the choice must be reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from algorithms.metrics import get_metric

RULE = (
    "passing the promote_if gate first, then the headline metric; ties are broken by the "
    "other metrics in the spec's order, then by the simpler model (fewer fitted numbers), "
    "then by the order of the candidates in the spec"
)
_DIGITS = 12


@dataclass(frozen=True)
class Criterion:
    """One step of the rule: a value per candidate and whether higher is better."""

    name: str
    values: Mapping[str, float]
    higher_is_better: bool

    def key(self, name: str) -> float:
        """Sort key of a candidate: smaller is better, rounded so near-equal values tie; an
        undefined (NaN) metric ranks last."""
        value = float(f"{self.values[name]:.{_DIGITS}g}")
        if math.isnan(value):
            return math.inf
        return -value if self.higher_is_better else value

    def shown(self, name: str) -> str:
        value = self.values[name]
        return f"{value:.4f}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Ranking:
    """The candidates best first, the criteria they were ranked by, and how the tie at the
    top (if any) was broken, as sentences for the report and the CLI."""

    order: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    gated: bool = True

    @property
    def chosen(self) -> str:
        """The first candidate of the ranking."""
        return self.order[0]

    def story(self) -> list[str]:
        """How the first candidate got ahead: the gate, the headline, then one sentence per
        criterion that had to break a tie."""
        gate, headline, *breakers = self.criteria
        listed = sorted(self.order, key=self.criteria[-1].values.__getitem__)
        passing = [name for name in listed if gate.values[name]]
        lines = [_gate_sentence(passing, len(self.order))] if self.gated else []
        group = passing or listed
        best = min(headline.key(name) for name in group)
        group = [name for name in group if headline.key(name) == best]
        if len(group) == 1:
            return [
                *lines,
                f"{self.chosen} is best on {headline.name} ({headline.shown(self.chosen)}).",
            ]
        lines.append(_tie(headline, group))
        for criterion in breakers:
            best = min(criterion.key(name) for name in group)
            ahead = [name for name in group if criterion.key(name) == best]
            lines.append(
                _tie(criterion, ahead)
                if len(ahead) == len(group)
                else _broken_by(criterion, group, ahead)
            )
            group = ahead
            if len(group) == 1:
                break
        return lines


GATE = "promote_if gate"
FITTED = "fitted numbers"
SPEC_ORDER = "order in the spec"


def rank(
    metrics: Mapping[str, Mapping[str, float]],
    passing: Mapping[str, bool] | None,
    headline: str,
    fitted_numbers: Mapping[str, int],
) -> Ranking:
    """Rank the candidates of `metrics` (name → metric → value, in spec order) by the rule
    in this module's docstring; every metric's direction comes from `algorithms.metrics`.
    `passing` says who passes the `promote_if` gate; None when the spec declares no gate."""
    names = list(metrics)
    gated = passing is not None
    passing = passing or dict.fromkeys(names, True)
    metric_names = list(next(iter(metrics.values())))
    ordered = [headline, *(m for m in metric_names if m != headline)]
    criteria = (
        Criterion(GATE, {n: float(passing[n]) for n in names}, True),
        *(
            Criterion(m, {n: metrics[n][m] for n in names}, get_metric(m).greater_is_better)
            for m in ordered
        ),
        Criterion(FITTED, {n: int(fitted_numbers[n]) for n in names}, False),
        Criterion(SPEC_ORDER, {n: i for i, n in enumerate(names)}, False),
    )
    order = sorted(names, key=lambda n: tuple(c.key(n) for c in criteria))
    return Ranking(tuple(order), criteria, gated)


def _gate_sentence(passing: list[str], total: int) -> str:
    if len(passing) == total:
        return f"{'Both' if total == 2 else f'All {total}'} candidates pass the promote_if gate."
    if not passing:
        return f"None of the {total} candidates passes the promote_if gate; all are ranked."
    return f"{len(passing)} of {total} candidates pass the promote_if gate ({_names(passing)})."


def _tie(criterion: Criterion, tied: list[str]) -> str:
    if criterion.name == FITTED:
        return f"{_names(tied)} are equally simple ({criterion.shown(tied[0])} fitted numbers)."
    return f"{_names(tied)} tie on {criterion.name} ({criterion.shown(tied[0])})."


def _broken_by(criterion: Criterion, group: list[str], ahead: list[str]) -> str:
    values = ", ".join(f"{name} {criterion.shown(name)}" for name in group)
    if criterion.name == SPEC_ORDER:
        return f"Broken by the order in the spec: {ahead[0]} is listed first."
    if criterion.name == FITTED:
        return f"Broken by the simpler model, fewer fitted numbers ({values}): {_names(ahead)}."
    return f"Broken by {criterion.name} ({values}): {_names(ahead)}."


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
