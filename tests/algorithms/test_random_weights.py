"""RandomWeightsClassifier: best-of-n random guesses, checked against a per-trial loop."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from algorithms import RandomWeightsClassifier
from algorithms.linear import random_weights


def viral_posts(n=300, seed=0):
    """Normalised posts whose virality is a noisy linear threshold of the three features."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = (X @ [0.2, 0.5, 0.9] + rng.normal(0.0, 0.05, n) > 0.8).astype(int)
    return X, y


def reference_fit(X, y, n_trials, threshold, fit_intercept, random_state):
    """The chapter's loop: draw, score, keep the draw only when it lowers the error."""
    n_features = X.shape[1]
    draws = np.random.default_rng(random_state).random((n_trials, n_features + fit_intercept))
    best_error, best, curve = np.inf, None, []
    for draw in draws:
        intercept = draw[n_features] if fit_intercept else 0.0
        predicted = (X @ draw[:n_features] + intercept > threshold).astype(float)
        error = np.mean((predicted - y) ** 2)
        if error < best_error:
            best_error, best = error, draw
        curve.append(best_error)
    return best, np.array(curve)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_matches_the_trial_loop(fit_intercept):
    X, y = viral_posts()
    clf = RandomWeightsClassifier(n_trials=200, fit_intercept=fit_intercept, random_state=5)
    clf.fit(X, y)
    best, curve = reference_fit(X, y, 200, 0.5, fit_intercept, 5)
    assert_array_equal(clf.coef_, best[:3])
    assert clf.intercept_ == (best[3] if fit_intercept else 0.0)
    assert_allclose(clf.loss_curve_, curve)
    assert_allclose(1.0 - clf.score(X, y), curve[-1])


def test_bounded_batches_give_the_same_model(monkeypatch):
    X, y = viral_posts()
    whole = RandomWeightsClassifier(n_trials=50, random_state=0).fit(X, y)
    monkeypatch.setattr(random_weights, "_MAX_SCORE_ENTRIES", 7 * len(X))
    batched = RandomWeightsClassifier(n_trials=50, random_state=0).fit(X, y)
    assert_array_equal(batched.coef_, whole.coef_)
    assert_array_equal(batched.loss_curve_, whole.loss_curve_)


def test_more_trials_lower_the_error_well_below_the_majority_rate():
    X, y = viral_posts()
    clf = RandomWeightsClassifier(n_trials=1000, random_state=0).fit(X, y)
    minority = min(y.mean(), 1 - y.mean())
    assert np.all(np.diff(clf.loss_curve_) <= 0)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.loss_curve_[-1] < minority - 0.2
    assert len(clf.loss_curve_) == 1000


def test_predictions_follow_the_score_and_threshold():
    X, y = viral_posts()
    labels = np.array(["quiet", "viral"])[y]
    clf = RandomWeightsClassifier(n_trials=100, threshold=0.7, random_state=1).fit(X, labels)
    scores = clf.raw_score(X)
    assert_allclose(scores, X @ clf.coef_)
    assert_array_equal(clf.predict(X), np.where(scores > 0.7, "viral", "quiet"))


def test_same_random_state_same_model():
    X, y = viral_posts()
    first = RandomWeightsClassifier(n_trials=100, random_state=2).fit(X, y)
    second = RandomWeightsClassifier(n_trials=100, random_state=2).fit(X, y)
    other = RandomWeightsClassifier(n_trials=100, random_state=3).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert not np.array_equal(first.coef_, other.coef_)


@pytest.mark.parametrize(
    ("params", "y", "match"),
    [
        ({"n_trials": 0}, None, r"'n_trials' parameter .* int in the range \[1, inf\)\. Got 0"),
        (
            {"threshold": np.inf},
            None,
            r"'threshold' parameter .* float in the range \(-inf, inf\)\. Got inf",
        ),
        ({}, np.arange(300) % 3, "Only binary classification is supported"),
        ({}, np.ones(300), "got 1 class"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, y, match):
    X, viral = viral_posts()
    with pytest.raises(ValueError, match=match):
        RandomWeightsClassifier(**params).fit(X, viral if y is None else y)


def test_nan_input_raises():
    X, y = viral_posts()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        RandomWeightsClassifier().fit(X, y)
