"""Evaluation metrics in plain numpy, and the table of them that pipeline specs name.

Classification scores come from the confusion matrix C (C[i, j] = posts of true label i
predicted as label j). Binary problems score the positive label: `pos_label`, else the larger
of the labels seen in y_true ∪ y_pred. With more than two labels and no `pos_label` the
score is the macro average over the labels. A ratio whose denominator is 0 counts as 0.
Clustering is scored against reference labels by the adjusted Rand index (`adjusted_rand`,
Hubert and Arabie 1985, as scikit-learn computes it): over all pairs of samples, tp pairs
together in both labelings, fp/fn together in one only, tn apart in both, and
ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)): 1 for the same
partition, about 0 for a random one, whatever the cluster numbering.
A policy is scored over played episodes: the share that reached the goal (`success_rate`),
the mean summed reward (`mean_return`) and the mean number of moves (`mean_steps`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np


def _check_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Both as 1-D arrays of the same non-zero length, else ValueError."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D, got shapes {y_true.shape} and {y_pred.shape}."
        )
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}.")
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty.")
    return y_true, y_pred


def _check_numeric_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Both as finite float64 1-D arrays of the same non-zero length, else ValueError."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    y_true, y_pred = y_true.astype(np.float64), y_pred.astype(np.float64)
    if not (np.isfinite(y_true).all() and np.isfinite(y_pred).all()):
        raise ValueError("y_true and y_pred must be finite (no NaN or inf).")
    return y_true, y_pred


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator elementwise, 0 where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1)
    return np.where(denominator > 0, numerator / safe, 0.0)


def confusion_matrix(y_true, y_pred, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """(C, labels): C[i, j] counts true labels[i] predicted as labels[j].

    labels default to the sorted labels of y_true ∪ y_pred; pairs with a label outside
    `labels` are not counted.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0 or len(np.unique(labels)) != len(labels):
        raise ValueError(f"labels must be distinct values in a non-empty 1-D list, got {labels}.")
    sorter = np.argsort(labels)
    k = len(labels)

    def index(y):
        position = np.clip(np.searchsorted(labels, y, sorter=sorter), 0, k - 1)
        found = labels[sorter[position]] == y
        return sorter[position], found

    true_index, true_found = index(y_true)
    pred_index, pred_found = index(y_pred)
    keep = true_found & pred_found
    counts = np.bincount(true_index[keep] * k + pred_index[keep], minlength=k * k)
    return counts.reshape(k, k), labels


def _class_counts(y_true, y_pred, pos_label):
    """(tp, fp, fn) per scored label: pos_label alone, the larger of two labels, or all labels."""
    matrix, labels = confusion_matrix(y_true, y_pred)
    return _matrix_counts(matrix, labels, pos_label)


def _matrix_counts(matrix: np.ndarray, labels: np.ndarray, pos_label=None):
    """(tp, fp, fn) per scored label of a confusion matrix (`_class_counts`)."""
    if pos_label is not None:
        if pos_label not in labels:
            raise ValueError(f"pos_label={pos_label!r} is not among the labels {labels.tolist()}.")
        scored = np.flatnonzero(labels == pos_label)
    elif len(labels) <= 2:
        scored = np.array([len(labels) - 1])
    else:
        scored = np.arange(len(labels))
    tp = np.diag(matrix)[scored]
    fp = matrix.sum(axis=0)[scored] - tp
    fn = matrix.sum(axis=1)[scored] - tp
    return tp, fp, fn


# The label metrics as functions of (tp, fp, fn) per scored label: one formula for the
# in-memory metrics below and for `confusion_score` (counts accumulated over batches).
_FROM_COUNTS = {
    "precision": lambda tp, fp, fn: _ratio(tp, tp + fp),
    "recall": lambda tp, fp, fn: _ratio(tp, tp + fn),
    "f1": lambda tp, fp, fn: _ratio(2 * tp, 2 * tp + fp + fn),
}


def accuracy(y_true, y_pred) -> float:
    """Fraction of predictions equal to the truth."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def precision(y_true, y_pred, *, pos_label=None) -> float:
    """tp / (tp + fp) of the positive label (macro average over labels when more than two)."""
    return float(np.mean(_FROM_COUNTS["precision"](*_class_counts(y_true, y_pred, pos_label))))


def recall(y_true, y_pred, *, pos_label=None) -> float:
    """tp / (tp + fn) of the positive label (macro average over labels when more than two)."""
    return float(np.mean(_FROM_COUNTS["recall"](*_class_counts(y_true, y_pred, pos_label))))


def f1(y_true, y_pred, *, pos_label=None) -> float:
    """2tp / (2tp + fp + fn) of the positive label (macro average when more than two labels)."""
    return float(np.mean(_FROM_COUNTS["f1"](*_class_counts(y_true, y_pred, pos_label))))


def confusion_score(name: str, matrix: np.ndarray, labels: np.ndarray) -> float:
    """Label metric `name` (accuracy, precision, recall or f1) from a confusion matrix over
    `labels` (sorted), equal to the metric on the rows the matrix counts."""
    matrix, labels = np.asarray(matrix), np.asarray(labels)
    if matrix.shape != (len(labels), len(labels)) or matrix.sum() == 0:
        raise ValueError(f"expected a non-empty {len(labels)}×{len(labels)} confusion matrix")
    if name == "accuracy":
        return float(np.trace(matrix) / matrix.sum())
    if name not in _FROM_COUNTS:
        raise ValueError(
            f"{name!r} is not a label metric; expected accuracy, {', '.join(_FROM_COUNTS)}"
        )
    return float(np.mean(_FROM_COUNTS[name](*_matrix_counts(matrix, labels))))


def mse(y_true, y_pred) -> float:
    """Mean squared error mean((y − ŷ)²)."""
    y_true, y_pred = _check_numeric_pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error √mse."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error mean(|y − ŷ|)."""
    y_true, y_pred = _check_numeric_pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def r2(y_true, y_pred) -> float:
    """1 − Σ(y − ŷ)² / Σ(y − ȳ)²; for constant y_true 1 if the predictions are exact, else 0."""
    y_true, y_pred = _check_numeric_pair(y_true, y_pred)
    residual = np.sum((y_true - y_pred) ** 2)
    total = np.sum((y_true - y_true.mean()) ** 2)
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1.0 - residual / total)


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Mann–Whitney AUC of one class against the rest, ties counted half (average ranks)."""
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc needs both a positive and a negative example in y_true")
    order = np.argsort(score, kind="mergesort")
    sorted_score = score[order]
    ranks = np.empty(score.size)
    starts = np.flatnonzero(np.r_[True, sorted_score[1:] != sorted_score[:-1]])
    ends = np.r_[starts[1:], score.size]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc(y_true, y_score, *, labels=None) -> float:
    """Area under the ROC curve: P(score of a random positive > a random negative).

    Binary: `y_score` (n,) scores the larger label (or labels[1]). Multiclass: `y_score`
    (n, K) holds a score per class in sorted label order; the result is the macro average of
    the one-vs-rest AUCs (scikit-learn's multi_class="ovr", average="macro").
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=np.float64)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if y_score.ndim == 1:
        if labels.size != 2:
            raise ValueError(f"roc_auc with 1-D scores needs two labels, got {labels.tolist()}")
        return _binary_auc(y_true == labels[1], y_score)
    if y_score.shape != (y_true.size, labels.size):
        raise ValueError(
            f"roc_auc: scores of shape {y_score.shape} do not match {y_true.size} rows × "
            f"{labels.size} labels"
        )
    return float(np.mean([_binary_auc(y_true == c, y_score[:, k]) for k, c in enumerate(labels)]))


def success_rate(reached_goal) -> float:
    """Share of episodes that reached the goal (one bool per episode)."""
    return float(np.mean(np.asarray(reached_goal, dtype=bool)))


def mean_return(episode_returns) -> float:
    """Mean summed reward per episode."""
    return float(np.mean(np.asarray(episode_returns, dtype=np.float64)))


def mean_steps(episode_steps) -> float:
    """Mean moves per episode (a failed episode counts all its moves)."""
    return float(np.mean(np.asarray(episode_steps, dtype=np.float64)))


def _pair_confusion(labels_true, labels_pred):
    """(tn, fp, fn, tp) as Python ints (each ordered pair counted, as scikit-learn does)."""
    true_codes = np.unique(labels_true, return_inverse=True)[1].ravel()
    pred_codes = np.unique(labels_pred, return_inverse=True)[1].ravel()
    n_pred = int(pred_codes.max()) + 1
    contingency = np.bincount(true_codes * n_pred + pred_codes).astype(np.int64)
    contingency = np.pad(contingency, (0, (true_codes.max() + 1) * n_pred - contingency.size))
    return _contingency_pairs(contingency.reshape(-1, n_pred))


def _contingency_pairs(contingency: np.ndarray):
    """(tn, fp, fn, tp) pair counts of a contingency table (rows: true, columns: predicted)."""
    contingency = np.asarray(contingency, dtype=np.int64)
    n_samples = int(contingency.sum())
    sum_squares = int((contingency**2).sum())
    true_sizes, pred_sizes = contingency.sum(axis=1), contingency.sum(axis=0)
    tp = sum_squares - n_samples
    fp = int((contingency @ pred_sizes).sum()) - sum_squares
    fn = int((contingency.T @ true_sizes).sum()) - sum_squares
    tn = n_samples**2 - fp - fn - sum_squares
    return tn, fp, fn, tp


def adjusted_rand_score(labels_true, labels_pred):
    """Adjusted Rand index between two labelings of the same samples, in [−0.5, 1] (module doc)."""
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    if labels_true.ndim != 1 or labels_pred.ndim != 1:
        raise ValueError(
            f"labels must be 1-d, got shapes {labels_true.shape} and {labels_pred.shape}."
        )
    if labels_true.shape != labels_pred.shape:
        raise ValueError(
            f"labels_true and labels_pred differ in length: {len(labels_true)} and "
            f"{len(labels_pred)}."
        )
    if labels_true.size == 0:
        return 1.0
    return _adjusted_rand(*_pair_confusion(labels_true, labels_pred))


def contingency_adjusted_rand(contingency: np.ndarray) -> float:
    """Adjusted Rand index from a contingency table C[i, j] = samples of true label i put in
    cluster j: equal to `adjusted_rand_score` of the samples it counts (counts over batches)."""
    if np.asarray(contingency).sum() == 0:
        return 1.0
    return _adjusted_rand(*_contingency_pairs(contingency))


def _adjusted_rand(tn: int, fp: int, fn: int, tp: int) -> float:
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


@dataclass(frozen=True)
class Metric:
    """A named metric: function(...) -> float, direction, task.

    Row-wise metrics take (y_true, y_pred), or (y_true, y_score) when `needs_scores`
    (predict_proba or decision_function); policy metrics take one value per episode.
    """

    name: str
    function: Callable[..., float]
    greater_is_better: bool
    task: Literal["classification", "regression", "clustering", "reinforcement"]
    needs_scores: bool = False


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("accuracy", accuracy, True, "classification"),
        Metric("precision", precision, True, "classification"),
        Metric("recall", recall, True, "classification"),
        Metric("f1", f1, True, "classification"),
        Metric("roc_auc", roc_auc, True, "classification", needs_scores=True),
        Metric("mse", mse, False, "regression"),
        Metric("rmse", rmse, False, "regression"),
        Metric("mae", mae, False, "regression"),
        Metric("r2", r2, True, "regression"),
        Metric("adjusted_rand", adjusted_rand_score, True, "clustering"),
        Metric("success_rate", success_rate, True, "reinforcement"),
        Metric("mean_return", mean_return, True, "reinforcement"),
        Metric("mean_steps", mean_steps, False, "reinforcement"),
    )
}


def get_metric(name: str) -> Metric:
    """The metric called `name`; ValueError listing the known names otherwise."""
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known metrics: {sorted(METRICS)}") from None
