import numpy as np
import pytest

from algorithms.metrics import METRICS, adjusted_rand_score, confusion_score
from pipelines.streaming.metrics import STREAMABLE, StreamedScores

LABEL = ["accuracy", "precision", "recall", "f1"]
ERROR = ["mse", "rmse", "mae", "r2"]


def _streamed(names, y, pred, size=97):
    scores = StreamedScores(names)
    for start in range(0, len(y), size):
        scores.update(y[start : start + size], pred[start : start + size])
    return scores.scores()


@pytest.mark.parametrize("n_labels", [2, 4])
def test_label_metrics_over_batches_equal_the_in_memory_metrics(n_labels):
    rng = np.random.default_rng(n_labels)
    y, pred = rng.integers(0, n_labels, 1_000), rng.integers(0, n_labels, 1_000)
    got = _streamed(LABEL, y, pred)
    assert got == {name: METRICS[name].function(y, pred) for name in LABEL}


def test_string_labels_are_counted_too():
    y = np.array(["cat", "dog", "dog", "cat", "emu"] * 40, dtype=object)
    pred = np.roll(y, 1)
    assert _streamed(["accuracy", "f1"], y, pred, 7) == {
        "accuracy": METRICS["accuracy"].function(y, pred),
        "f1": METRICS["f1"].function(y, pred),
    }


def test_error_metrics_over_batches_equal_the_in_memory_metrics():
    rng = np.random.default_rng(3)
    y = rng.normal(100.0, 5.0, 1_000)
    pred = y + rng.normal(0.0, 1.0, 1_000)
    got = _streamed(ERROR, y, pred)
    for name in ERROR:
        assert got[name] == pytest.approx(METRICS[name].function(y, pred), rel=1e-12)


def test_adjusted_rand_from_counts_equals_the_pairwise_score():
    rng = np.random.default_rng(4)
    truth, clusters = rng.integers(0, 3, 600), rng.integers(0, 4, 600)
    clusters[:300] = truth[:300]
    got = _streamed(["adjusted_rand"], truth, clusters)
    assert got["adjusted_rand"] == pytest.approx(adjusted_rand_score(truth, clusters), abs=1e-15)


def test_roc_auc_is_refused_naming_the_streamable_metrics():
    with pytest.raises(ValueError, match="roc_auc cannot be accumulated") as info:
        StreamedScores(["accuracy", "roc_auc"])
    assert ", ".join(STREAMABLE) in str(info.value)


def test_confusion_score_refuses_an_empty_or_misshapen_matrix():
    with pytest.raises(ValueError, match="non-empty 2×2 confusion matrix"):
        confusion_score("accuracy", np.zeros((2, 2)), np.array([0, 1]))
