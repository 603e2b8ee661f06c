"""The one result type of every pipeline kind's evaluation step.

A kind's evaluator fills the shared fields (metrics beside a baseline, where they were scored,
the headline the gate compares, the candidates) and keeps its own facts in `details`: a
table pipeline the train/test row counts and loss-curve sweep, an environment pipeline the
episodes played and the greedy walk. The gate, the champion, the CLI summary and the stored
JSON read only the shared fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

_PER_ROW = ("y_true", "y_pred")


def _no_rows() -> np.ndarray:
    return np.empty(0)


@dataclass(frozen=True)
class Evaluation:
    """Metrics of a model (or of the chosen candidate) beside a baseline, and the headline.

    `task` is the algorithm's task name; `scored_on` says in words what the metrics were
    computed on, `n_scored` how many rows or episodes. `headline` is the metric the champion
    gate compares (the first `promote_if` key, else the first metric). With candidate models,
    `candidate` names the chosen one (these metrics are its) and `candidates` holds every
    candidate's metrics. `y_true`/`y_pred` are the scored rows' targets and predictions, kept
    for plots and not stored.
    """

    task: str
    scored_on: str
    n_scored: int
    metrics: dict[str, float]
    baseline: dict[str, float]
    headline: str
    headline_value: float
    comparisons: dict[str, dict[str, float]] = field(default_factory=dict)
    candidate: str | None = None
    candidates: dict[str, dict[str, float]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    y_true: np.ndarray = field(default_factory=_no_rows, compare=False, repr=False)
    y_pred: np.ndarray = field(default_factory=_no_rows, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary: everything but the per-row `y_true`/`y_pred` (kept for plots)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _PER_ROW}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """Inverse of `to_dict`; the per-row arrays come back empty."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
