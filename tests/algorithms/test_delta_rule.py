"""DeltaRuleClassifier: the seed's worked example, learning, the contract, sklearn checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from algorithms import DeltaRuleClassifier

SEED_POST = np.array([[0.5, 0.8, 0.6]])  # time of post, content length, engagement score
SEED_WEIGHTS = [0.3, 0.5, 0.2]
# The seed's five Twitter posts and whether they went viral.
SEED_POSTS = np.array(
    [[10, 51, 41.80], [4, 764, 34.89], [14, 892, 47.12], [16, 575, 38.52], [22, 196, 5.94]]
)
SEED_VIRAL = np.array([0, 1, 0, 1, 1])


def minmax(X):
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))


def viral_posts(n=400, seed=0):
    """Normalised posts whose virality is a noisy linear threshold of the three features."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = (X @ [0.2, 0.5, 0.9] + rng.normal(0.0, 0.05, n) > 0.8).astype(int)
    return X, y


def test_seed_worked_example_score_and_prediction():
    # A correct perceptron prediction leaves the weights alone: 0.67 > 0.5 predicts viral.
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="perceptron", threshold=0.5)
    clf.partial_fit(SEED_POST, [1], classes=[0, 1], coef_init=SEED_WEIGHTS)
    assert_allclose(clf.coef_, SEED_WEIGHTS)
    assert_allclose(clf.raw_score(SEED_POST), [0.67])
    assert_array_equal(clf.predict(SEED_POST), [1])
    assert_allclose(clf.loss_curve_, [0.0])


def test_seed_worked_example_update():
    # The post did not go viral: error = 0 - 1 = -1, w <- w + 0.01 * (-1) * x.
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="perceptron", threshold=0.5)
    clf.partial_fit(SEED_POST, [0], classes=[0, 1], coef_init=SEED_WEIGHTS)
    assert_allclose(clf.coef_, [0.295, 0.492, 0.194])
    assert clf.intercept_ == 0.0
    assert_allclose(clf.loss_curve_, [1.0])
    assert clf.n_iter_ == 1
    assert_array_equal(clf.classes_, [0, 1])


def test_partial_fit_continues_and_ignores_coef_init_after_the_first_call():
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="perceptron", threshold=0.5)
    clf.partial_fit(SEED_POST, [0], classes=[0, 1], coef_init=SEED_WEIGHTS)
    # Still 0.6575 > 0.5, so a second step of the same size.
    clf.partial_fit(SEED_POST, [0], coef_init=[9.0, 9.0, 9.0])
    assert_allclose(clf.coef_, [0.29, 0.484, 0.188])
    assert_allclose(clf.loss_curve_, [1.0, 1.0])
    assert clf.n_iter_ == 2


def test_lms_step_uses_the_raw_score_error():
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="lms")
    clf.partial_fit(SEED_POST, [0], classes=[0, 1], coef_init=SEED_WEIGHTS)
    assert_allclose(clf.coef_, np.array(SEED_WEIGHTS) - 0.01 * 0.67 * SEED_POST[0])
    assert_allclose(clf.loss_curve_, [0.67**2])


def test_intercept_is_updated_like_a_weight_on_a_constant_one():
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="perceptron", fit_intercept=True)
    clf.partial_fit(SEED_POST, [0], classes=[0, 1], coef_init=SEED_WEIGHTS, intercept_init=0.1)
    assert_allclose(clf.coef_, [0.295, 0.492, 0.194])
    assert clf.intercept_ == pytest.approx(0.09)
    assert_allclose(clf.raw_score(SEED_POST), [0.5 * 0.295 + 0.8 * 0.492 + 0.6 * 0.194 + 0.09])


def test_learning_rate_decay_shrinks_the_step_per_epoch():
    clf = DeltaRuleClassifier(learning_rate=0.01, rule="perceptron", learning_rate_decay=1.0)
    clf.partial_fit(SEED_POST, [0], classes=[0, 1], coef_init=SEED_WEIGHTS)
    clf.partial_fit(SEED_POST, [0])  # epoch 1: rate 0.01 / (1 + 1.0 * 1)
    assert_allclose(clf.coef_, np.array([0.295, 0.492, 0.194]) - 0.005 * SEED_POST[0])


def test_initial_weights_are_uniform_draws_from_random_state():
    # Both posts are already classified right, so the perceptron never moves the weights.
    X, y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]), [1, 0]
    clf = DeltaRuleClassifier(rule="perceptron", epochs=3, random_state=7).fit(X, y)
    expected = np.random.default_rng(7).random(3)
    assert expected.sum() > 0.5
    assert_array_equal(clf.coef_, expected)
    assert_array_equal(clf.loss_curve_, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("rule", ["lms", "perceptron"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_learning_reduces_the_error(rule, fit_intercept):
    X, y = viral_posts()
    clf = DeltaRuleClassifier(
        learning_rate=0.05, epochs=200, rule=rule, fit_intercept=fit_intercept, random_state=0
    ).fit(X, y)
    majority = max(y.mean(), 1 - y.mean())
    assert clf.loss_curve_[-1] < 0.8 * clf.loss_curve_[0]
    assert clf.score(X, y) > majority + 0.3
    assert clf.n_iter_ == len(clf.loss_curve_) == 200


def test_learning_rates_of_the_seed():
    X = minmax(SEED_POSTS)
    curves = {
        rate: DeltaRuleClassifier(learning_rate=rate, epochs=1000, random_state=0)
        .fit(X, SEED_VIRAL)
        .loss_curve_
        for rate in (0.00001, 0.01, 0.1)
    }
    turtle = curves[0.00001]
    assert abs(turtle[-1] - turtle[0]) < 0.005 * turtle[0]  # barely moves
    for rate in (0.01, 0.1):
        assert curves[rate][-1] < 0.95 * curves[rate][0]
    # "Just right": 0.1 keeps overshooting and settles above what 0.01 reaches.
    assert curves[0.01][-1] < min(curves[0.1][-1], turtle[-1])


def test_divergence_names_the_learning_rate():
    X, y = viral_posts()
    clf = DeltaRuleClassifier(learning_rate=1000.0, epochs=50, random_state=0)
    with pytest.raises(
        ValueError, match=r"diverged at epoch \d+ with learning_rate=1000.0.*smaller"
    ):
        clf.fit(X, y)
    assert not hasattr(clf, "coef_")


def test_same_random_state_same_model_and_shuffle_changes_the_order():
    X, y = viral_posts()
    params = dict(learning_rate=0.05, epochs=20, fit_intercept=True, random_state=3)
    first = DeltaRuleClassifier(shuffle=True, **params).fit(X, y)
    second = DeltaRuleClassifier(shuffle=True, **params).fit(X, y)
    in_order = DeltaRuleClassifier(shuffle=False, **params).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert first.intercept_ == second.intercept_
    assert not np.allclose(first.coef_, in_order.coef_)
    other_seed = DeltaRuleClassifier(shuffle=True, **{**params, "random_state": 4}).fit(X, y)
    assert not np.allclose(first.coef_, other_seed.coef_)


@pytest.mark.parametrize("shuffle", [False, True])
def test_fit_equals_one_partial_fit_per_epoch(shuffle):
    X, y = viral_posts(n=60)
    params = dict(learning_rate=0.1, learning_rate_decay=0.5, shuffle=shuffle, random_state=1)
    fitted = DeltaRuleClassifier(epochs=4, **params).fit(X, y)
    stepped = DeltaRuleClassifier(**params)
    for _ in range(4):
        stepped.partial_fit(X, y, classes=[0, 1])
    assert_allclose(stepped.coef_, fitted.coef_)
    assert_allclose(stepped.loss_curve_, fitted.loss_curve_)


def test_fit_resets_a_partially_fitted_model():
    X, y = viral_posts(n=60)
    clf = DeltaRuleClassifier(epochs=5, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.fit(X, y)
    fresh = DeltaRuleClassifier(epochs=5, random_state=0).fit(X, y)
    assert clf.n_iter_ == 5
    assert_array_equal(clf.coef_, fresh.coef_)


def test_string_labels_predict_the_original_labels():
    X, y = viral_posts()
    labels = np.array(["quiet", "viral"])[y]
    clf = DeltaRuleClassifier(learning_rate=0.05, epochs=100, random_state=0).fit(X, labels)
    assert_array_equal(clf.classes_, ["quiet", "viral"])
    predicted = clf.predict(X)
    assert set(predicted) == {"quiet", "viral"}
    assert_array_equal(predicted == "viral", clf.raw_score(X) > 0.5)


def test_ten_thousand_posts_times_a_thousand_epochs_records_every_epoch():
    rng = np.random.default_rng(0)
    X = rng.random((10_000, 3))
    y = (X @ [1.0, 2.0, -1.5] > 0.6).astype(int)
    clf = DeltaRuleClassifier(learning_rate=0.01, epochs=1000, random_state=0).fit(X, y)
    assert len(clf.loss_curve_) == 1000
    assert clf.n_iter_ == 1000
    assert np.isfinite(clf.loss_curve_).all()


XY = viral_posts(n=20)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 0.9, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 0.9, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        ({}, XY[0], np.arange(20) % 3, "Only binary classification is supported"),
        ({}, XY[0], np.zeros(20), "got 1 class"),
        ({}, XY[0], np.linspace(0, 1, 20), "Unknown label type"),
        ({"rule": "hebbian"}, *XY, r"'rule' parameter .* str among"),
        (
            {"learning_rate": 0.0},
            *XY,
            r"'learning_rate' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0",
        ),
        (
            {"learning_rate": -0.1},
            *XY,
            r"'learning_rate' parameter .* float in the range \(0\.0, inf\)\. Got -0\.1",
        ),
        ({"epochs": 0}, *XY, r"'epochs' parameter .* int in the range \[1, inf\)\. Got 0"),
        (
            {"learning_rate_decay": -1.0},
            *XY,
            r"'learning_rate_decay' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (
            {"threshold": np.nan},
            *XY,
            r"'threshold' parameter .* float in the range \(-inf, inf\)\. Got nan",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        DeltaRuleClassifier(**params).fit(X, y)


def test_bad_partial_fit_and_init_values_raise():
    X, y = XY
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        DeltaRuleClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="got 1 class"):
        DeltaRuleClassifier().partial_fit(X, y, classes=[0])
    with pytest.raises(ValueError, match=r"labels \[2\] not in classes \[0, 1\]"):
        DeltaRuleClassifier().partial_fit(X, np.where(y == 1, 2, 0), classes=[0, 1])
    with pytest.raises(ValueError, match="coef_init must hold 3 finite numbers"):
        DeltaRuleClassifier().fit(X, y, coef_init=[0.1, 0.2])
    with pytest.raises(ValueError, match="intercept_init needs fit_intercept=True"):
        DeltaRuleClassifier().fit(X, y, intercept_init=0.5)
    fitted = DeltaRuleClassifier(epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes"):
        fitted.partial_fit(X, y, classes=["a", "b"])
    with pytest.raises(
        ValueError, match="X has 2 features, but DeltaRuleClassifier is expecting 3"
    ):
        fitted.predict(X[:, :2])
