"""Metrics: values checked against sklearn.metrics, edge cases, the METRICS table."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from numpy.testing import assert_array_equal

from algorithms import metrics
from algorithms.cluster import adjusted_rand_score
from algorithms.metrics import METRICS, Metric, get_metric

RNG = np.random.default_rng(0)
BINARY_TRUE, BINARY_PRED = RNG.integers(0, 2, 200), RNG.integers(0, 2, 200)
MULTI_TRUE, MULTI_PRED = RNG.integers(0, 4, 200), RNG.integers(0, 4, 200)
WORDS = np.array(["cat", "dog", "emu"])
Y_REAL, Y_HAT = RNG.normal(size=100), RNG.normal(size=100)

CLASSIFICATION_REFERENCE = {
    "precision": skm.precision_score,
    "recall": skm.recall_score,
    "f1": skm.f1_score,
}


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_binary_scores_match_sklearn(name):
    ours, theirs = getattr(metrics, name), CLASSIFICATION_REFERENCE[name]
    assert ours(BINARY_TRUE, BINARY_PRED) == pytest.approx(theirs(BINARY_TRUE, BINARY_PRED))
    assert ours(BINARY_TRUE, BINARY_PRED, pos_label=0) == pytest.approx(
        theirs(BINARY_TRUE, BINARY_PRED, pos_label=0)
    )
    # With string labels the positive one is the larger, "yes".
    yes_no = np.array(["no", "yes"])
    assert ours(yes_no[BINARY_TRUE], yes_no[BINARY_PRED]) == pytest.approx(
        theirs(yes_no[BINARY_TRUE], yes_no[BINARY_PRED], pos_label="yes")
    )


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_multiclass_scores_are_sklearn_macro_averages(name):
    ours, theirs = getattr(metrics, name), CLASSIFICATION_REFERENCE[name]
    assert ours(MULTI_TRUE, MULTI_PRED) == pytest.approx(
        theirs(MULTI_TRUE, MULTI_PRED, average="macro")
    )
    words_true, words_pred = WORDS[MULTI_TRUE % 3], WORDS[MULTI_PRED % 3]
    assert ours(words_true, words_pred) == pytest.approx(
        theirs(words_true, words_pred, average="macro")
    )
    # pos_label scores one label against the rest.
    assert ours(MULTI_TRUE, MULTI_PRED, pos_label=2) == pytest.approx(
        theirs(MULTI_TRUE == 2, MULTI_PRED == 2)
    )


def test_accuracy_matches_sklearn():
    assert metrics.accuracy(MULTI_TRUE, MULTI_PRED) == pytest.approx(
        skm.accuracy_score(MULTI_TRUE, MULTI_PRED)
    )
    assert metrics.accuracy(["a", "b", "b"], ["a", "b", "a"]) == pytest.approx(2 / 3)


def test_undefined_ratios_are_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # No predicted positives: precision is undefined, and recall is 0.
        assert metrics.precision([0, 1, 1], [0, 0, 0]) == 0.0
        assert metrics.recall([0, 1, 1], [0, 0, 0]) == 0.0
        assert metrics.f1([0, 1, 1], [0, 0, 0]) == 0.0
        # No actual positives of the requested label.
        assert metrics.recall([0, 0, 0], [0, 1, 0], pos_label=1) == 0.0
        assert metrics.precision([0, 0, 0], [0, 1, 0], pos_label=1) == 0.0


def test_confusion_matrix_matches_sklearn_and_returns_its_labels():
    matrix, labels = metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED)
    assert_array_equal(labels, [0, 1, 2, 3])
    assert_array_equal(matrix, skm.confusion_matrix(MULTI_TRUE, MULTI_PRED))
    # Given labels keep their order; pairs outside them are not counted; absent ones are 0.
    order = [3, 9, 0, 1]
    matrix, labels = metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED, labels=order)
    assert_array_equal(labels, order)
    assert_array_equal(matrix, skm.confusion_matrix(MULTI_TRUE, MULTI_PRED, labels=order))
    matrix, labels = metrics.confusion_matrix(["dog", "cat", "dog"], ["dog", "dog", "cat"])
    assert_array_equal(labels, ["cat", "dog"])
    assert_array_equal(matrix, [[0, 1], [1, 1]])


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("mse", skm.mean_squared_error),
        ("rmse", skm.root_mean_squared_error),
        ("mae", skm.mean_absolute_error),
        ("r2", skm.r2_score),
    ],
)
def test_regression_metrics_match_sklearn(name, reference):
    assert getattr(metrics, name)(Y_REAL, Y_HAT) == pytest.approx(reference(Y_REAL, Y_HAT))
    assert getattr(metrics, name)(Y_REAL, Y_REAL) == pytest.approx(reference(Y_REAL, Y_REAL))


def test_r2_of_a_constant_target_is_one_when_exact_else_zero():
    assert metrics.r2([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert metrics.r2([2.0, 2.0], [2.0, 3.0]) == 0.0
    assert skm.r2_score([2.0, 2.0], [2.0, 3.0]) == 0.0


@pytest.mark.parametrize(
    ("function", "y_true", "y_pred", "match"),
    [
        (metrics.accuracy, [0, 1], [0], "y_true has 2 values but y_pred has 1"),
        (metrics.f1, [], [], "empty"),
        (metrics.precision, [[0, 1]], [[0, 1]], "must be 1-D"),
        (metrics.mse, [0.0, np.nan], [0.0, 1.0], "finite"),
    ],
)
def test_bad_inputs_raise_value_error(function, y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        function(y_true, y_pred)


@pytest.mark.parametrize("function", [metrics.precision, metrics.recall, metrics.f1])
def test_unknown_pos_label_raises_value_error(function):
    with pytest.raises(ValueError, match=r"pos_label=7 is not among the labels \[0, 1\]"):
        function([0, 1], [1, 1], pos_label=7)


def test_metric_table():
    assert set(METRICS) == {
        *("accuracy", "precision", "recall", "f1", "roc_auc"),
        *("mse", "rmse", "mae", "r2"),
        "adjusted_rand",
        *("success_rate", "mean_return", "mean_steps"),
    }
    assert get_metric("adjusted_rand") == Metric(
        "adjusted_rand", adjusted_rand_score, True, "clustering"
    )
    assert get_metric("adjusted_rand").function([0, 0, 1, 1], ["b", "b", "a", "a"]) == 1.0
    assert get_metric("roc_auc").needs_scores and not get_metric("f1").needs_scores
    assert get_metric("f1") == Metric("f1", metrics.f1, True, "classification")
    assert get_metric("rmse") == Metric("rmse", metrics.rmse, False, "regression")
    assert get_metric("r2").greater_is_better
    assert {m.name for m in METRICS.values() if m.task == "classification"} == {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
    }
    with pytest.raises(ValueError, match=r"unknown metric 'auc'; known metrics: \['accuracy'"):
        get_metric("auc")
    with pytest.raises(AttributeError):
        get_metric("mse").name = "other"


def test_roc_auc_matches_scikit_learn_with_ties_and_multiclass():
    from sklearn.metrics import roc_auc_score

    from algorithms.metrics import roc_auc

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    score = np.round(rng.random(200) + 0.3 * y, 1)  # rounded: many ties
    assert roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    y3 = rng.integers(0, 3, 300)
    proba = rng.dirichlet(np.ones(3), 300) + np.eye(3)[y3] * 0.2
    expected = roc_auc_score(y3, proba / proba.sum(1, keepdims=True), multi_class="ovr")
    assert roc_auc(y3, proba / proba.sum(1, keepdims=True)) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="both a positive and a negative"):
        roc_auc(np.ones(4), np.arange(4.0), labels=[0, 1])
