"""Metrics accumulated over batches of scored rows, equal to `algorithms.metrics` on all the
rows at once: classification from confusion counts, regression from the count, the sums of
squared and absolute errors and the running moments of y (for R²).

Metrics that need every score at once (roc_auc's ranks) are
not streamable; `STREAMABLE` lists the ones that are (adjusted_rand comes from the
contingency counts of true labels and clusters).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from algorithms.metrics import confusion_score, contingency_adjusted_rand
from pipelines.streaming.moments import Moments

LABEL_METRICS = ("accuracy", "precision", "recall", "f1")
ERROR_METRICS = ("mse", "rmse", "mae", "r2")
PAIR_METRICS = ("adjusted_rand",)
STREAMABLE = (*LABEL_METRICS, *ERROR_METRICS, *PAIR_METRICS)


class ConfusionCounts:
    """(true label, predicted label) → rows, over every batch added."""

    def __init__(self) -> None:
        self.pairs: Counter = Counter()

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Count one batch's pairs."""
        _same_length(y_true, y_pred)
        pairs = pl.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred)}, strict=False)
        for t, p, c in pairs.group_by("t", "p").len().iter_rows():
            self.pairs[(t, p)] += c

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, labels) as `algorithms.metrics.confusion_matrix` gives them for all the rows."""
        labels = np.array(sorted({label for pair in self.pairs for label in pair}))
        index = {label: i for i, label in enumerate(labels.tolist())}
        matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for (t, p), c in self.pairs.items():
            matrix[index[t], index[p]] += c
        return matrix, labels

    def contingency(self) -> np.ndarray:
        """C[i, j] = rows of the i-th true label (sorted) predicted as the j-th (sorted)."""
        true = {t: i for i, t in enumerate(sorted({t for t, _ in self.pairs}))}
        pred = {p: j for j, p in enumerate(sorted({p for _, p in self.pairs}))}
        table = np.zeros((len(true), len(pred)), dtype=np.int64)
        for (t, p), c in self.pairs.items():
            table[true[t], pred[p]] += c
        return table

    def score(self, name: str) -> float:
        """Metric `name` (one of LABEL_METRICS or PAIR_METRICS) over the rows counted."""
        if name in PAIR_METRICS:
            return contingency_adjusted_rand(self.contingency())
        return confusion_score(name, *self.matrix())


class ErrorSums:
    """Count, Σ(y − ŷ)², Σ|y − ŷ| and the running moments of y, over every batch added."""

    def __init__(self) -> None:
        self.n = 0
        self.squared = 0.0
        self.absolute = 0.0
        self.y = Moments.empty(1)

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Add one batch's errors."""
        _same_length(y_true, y_pred)
        y_true = np.asarray(y_true, dtype=np.float64)
        error = y_true - np.asarray(y_pred, dtype=np.float64)
        if not np.isfinite(error).all():
            raise ValueError("y_true and y_pred must be finite (no NaN or inf).")
        self.n += len(error)
        self.squared += float(np.sum(error**2))
        self.absolute += float(np.sum(np.abs(error)))
        self.y = self.y.update(y_true[:, np.newaxis])

    def score(self, name: str) -> float:
        """Metric `name` (one of ERROR_METRICS) over the rows added."""
        if self.n == 0:
            raise ValueError("y_true and y_pred are empty.")
        if name == "mse":
            return self.squared / self.n
        if name == "rmse":
            return float(np.sqrt(self.squared / self.n))
        if name == "mae":
            return self.absolute / self.n
        if name == "r2":
            total = float(self.y.m2[0])
            if total == 0:
                return 1.0 if self.squared == 0 else 0.0
            return 1.0 - self.squared / total
        raise ValueError(f"{name!r} is not an error metric; expected one of {ERROR_METRICS}")


class StreamedScores:
    """The named metrics, accumulated batch by batch (`update`), read at the end (`scores`)."""

    def __init__(self, names: list[str]) -> None:
        unsupported = [n for n in names if n not in STREAMABLE]
        if unsupported:
            raise ValueError(
                f"metric(s) {', '.join(unsupported)} cannot be accumulated over batches; "
                f"streamable: {', '.join(STREAMABLE)}"
            )
        self.names = list(names)
        counted = {*LABEL_METRICS, *PAIR_METRICS}
        self.labels = ConfusionCounts() if counted & set(names) else None
        self.errors = ErrorSums() if set(names) & set(ERROR_METRICS) else None

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Add one batch of targets and predictions."""
        for accumulator in (self.labels, self.errors):
            if accumulator is not None:
                accumulator.update(y_true, y_pred)

    def scores(self) -> dict[str, float]:
        """Every named metric over all the rows added."""
        return {
            name: (self.errors if name in ERROR_METRICS else self.labels).score(name)
            for name in self.names
        }


def _same_length(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}.")
