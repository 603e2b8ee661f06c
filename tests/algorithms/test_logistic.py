"""LogisticRegression against scikit-learn's, the seed's review sentences, the contract, checks."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import check_grad
from sklearn import linear_model
from sklearn.model_selection import train_test_split

from algorithms.exceptions import ConvergenceWarning
from algorithms.linear._logistic_loss import (
    loss_and_gradient,
    loss_change,
    pointwise,
    probabilities,
    smooth_objective,
)
from algorithms.linear._logistic_newton_cd import penalty_shift
from algorithms.linear.logistic import LogisticRegression
from algorithms.persistence import load_estimator, save_estimator

TIGHT = dict(tol=1e-10, max_iter=1000)
# scikit-learn's saga is the reference for l1 and elastic-net; it needs many epochs to 1e-8.
SAGA = dict(solver="saga", tol=1e-8, max_iter=100_000)

# The seed's ten review sentences and whether each is positive.
REVIEWS = [
    "I love this product",
    "Great service",
    "Terrible experience",
    "Not worth the price",
    "Highly recommended",
    "Waste of time",
    "Excellent quality",
    "Poor customer support",
    "Amazing features",
    "Disappointed with the results",
]
REVIEW_LABELS = np.array([1, 1, 0, 0, 1, 0, 1, 0, 1, 0])


def classes_data(n_classes, n_samples=200, n_features=5, seed=0):
    """Standardised Gaussian X and labels drawn from a softmax model: overlapping classes."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    scores = X @ rng.standard_normal((n_features, n_classes))
    proba = np.exp(scores - scores.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    y = (rng.random(n_samples)[:, np.newaxis] > proba.cumsum(axis=1)).sum(axis=1)
    return X, y


def assert_same_model(ours, reference, rtol=1e-4, atol=1e-5):
    assert ours.coef_.shape == reference.coef_.shape
    assert_allclose(ours.coef_, reference.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=rtol, atol=atol)
    assert_array_equal(ours.classes_, reference.classes_)


def tokens(text):
    """CountVectorizer's default analyser: lower-case words of two or more characters."""
    return re.findall(r"\b\w\w+\b", text.lower())


def bag_of_words(train_texts, texts):
    """Word counts of texts over the sorted vocabulary of train_texts (unknown words dropped)."""
    vocabulary = sorted({word for text in train_texts for word in tokens(text)})
    index = {word: j for j, word in enumerate(vocabulary)}
    counts = np.zeros((len(texts), len(vocabulary)))
    for i, text in enumerate(texts):
        for word in tokens(text):
            if word in index:
                counts[i, index[word]] += 1
    return counts


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_l2_matches_scikit_learn(n_classes, C):
    X, y = classes_data(n_classes)
    ours = LogisticRegression(C=C, **TIGHT).fit(X, y)
    reference = linear_model.LogisticRegression(C=C, **TIGHT).fit(X, y)
    assert_same_model(ours, reference)
    assert ours.coef_.shape == (1 if n_classes == 2 else n_classes, 5)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), rtol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_default_parameters_give_scikit_learns_model(n_classes):
    # Same objective, scaling, start and L-BFGS-B options: the same iterates.
    X, y = classes_data(n_classes, seed=1)
    ours = LogisticRegression().fit(X, y)
    reference = linear_model.LogisticRegression().fit(X, y)
    assert_same_model(ours, reference, rtol=1e-6, atol=1e-8)
    assert_array_equal(ours.n_iter_, reference.n_iter_)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_no_penalty_matches_scikit_learns_infinite_C(n_classes):
    X, y = classes_data(n_classes, seed=2)
    ours = LogisticRegression(penalty=None, C=0.5, **TIGHT).fit(X, y)
    reference = linear_model.LogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    assert_same_model(ours, reference)
    assert_allclose(LogisticRegression(C=np.inf, **TIGHT).fit(X, y).coef_, ours.coef_)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l1", 1.0), ("elasticnet", 0.5)])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_l1_and_elasticnet_match_scikit_learns_saga(n_classes, penalty, l1_ratio, C):
    X, y = classes_data(n_classes, seed=3)
    ours = LogisticRegression(penalty=penalty, l1_ratio=l1_ratio, C=C, **TIGHT).fit(X, y)
    reference = linear_model.LogisticRegression(C=C, l1_ratio=l1_ratio, **SAGA).fit(X, y)
    assert_same_model(ours, reference)
    assert_array_equal(ours.coef_ == 0, reference.coef_ == 0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_without_intercept_matches_scikit_learn(n_classes):
    X, y = classes_data(n_classes, seed=17)
    X = X + 0.5  # a model through the origin then differs from one with an intercept
    ours = LogisticRegression(fit_intercept=False, **TIGHT).fit(X, y)
    reference = linear_model.LogisticRegression(fit_intercept=False, **TIGHT).fit(X, y)
    assert_same_model(ours, reference)
    assert_array_equal(ours.intercept_, np.zeros(1 if n_classes == 2 else n_classes))
    l1 = LogisticRegression(penalty="l1", fit_intercept=False, **TIGHT).fit(X, y)
    saga = linear_model.LogisticRegression(l1_ratio=1.0, fit_intercept=False, **SAGA).fit(X, y)
    assert_same_model(l1, saga)


def test_l1_zeroes_coefficients_as_C_shrinks():
    X, y = classes_data(3, n_features=8, seed=4)
    zeros = [
        int((LogisticRegression(penalty="l1", C=C).fit(X, y).coef_ == 0).sum())
        for C in (10.0, 0.1, 0.01, 0.001)
    ]
    assert zeros == sorted(zeros)
    assert zeros[0] < zeros[-1] == 24  # every coefficient of the strongest penalty is 0


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("penalty", ["l2", None])
def test_newton_cd_reaches_the_lbfgs_minimiser(n_classes, penalty):
    X, y = classes_data(n_classes, seed=5)
    lbfgs = LogisticRegression(penalty=penalty, solver="lbfgs", **TIGHT).fit(X, y)
    newton = LogisticRegression(penalty=penalty, solver="newton-cd", **TIGHT).fit(X, y)
    # L-BFGS-B also stops when F changes by under 64 eps: about 1e-7 on the weights.
    assert_same_model(newton, lbfgs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
def test_class_and_sample_weights_match_scikit_learn(n_classes, class_weight):
    X, y = classes_data(n_classes, seed=6)
    sample_weight = np.random.default_rng(6).uniform(0.0, 2.0, len(y))
    ours = LogisticRegression(class_weight=class_weight, **TIGHT)
    reference = linear_model.LogisticRegression(class_weight=class_weight, **TIGHT)
    assert_same_model(
        ours.fit(X, y, sample_weight=sample_weight),
        reference.fit(X, y, sample_weight=sample_weight),
    )
    l1 = LogisticRegression(penalty="l1", class_weight=class_weight, **TIGHT)
    saga = linear_model.LogisticRegression(class_weight=class_weight, l1_ratio=1.0, **SAGA)
    assert_same_model(l1.fit(X, y), saga.fit(X, y))


def test_integer_sample_weights_equal_repeated_rows():
    X, y = classes_data(3, n_samples=60, seed=7)
    counts = np.random.default_rng(7).integers(0, 3, len(y))
    weighted = LogisticRegression(penalty="l1", **TIGHT).fit(X, y, sample_weight=counts)
    repeated = LogisticRegression(penalty="l1", **TIGHT)
    repeated.fit(X.repeat(counts, 0), y.repeat(counts))
    assert_same_model(weighted, repeated, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_probabilities_and_decisions_agree(n_classes):
    X, y = classes_data(n_classes, seed=8)
    clf = LogisticRegression(C=10.0).fit(X, y)
    proba = clf.predict_proba(X)
    scores = clf.decision_function(X)
    assert proba.shape == (len(X), n_classes)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    if n_classes == 2:
        assert scores.shape == (len(X),)
        assert_allclose(proba[:, 1], 1.0 / (1.0 + np.exp(-scores)))
    else:
        assert_allclose(scores, X @ clf.coef_.T + clf.intercept_)
        assert_allclose(clf.intercept_.sum(), 0.0, atol=1e-12)


def test_probabilities_are_stable_for_huge_scores():
    X = np.array([[-1.0], [1.0], [-2.0], [2.0]])
    clf = LogisticRegression().fit(X, [0, 1, 0, 1])
    clf.coef_, clf.intercept_ = np.array([[1000.0]]), np.array([0.0])
    assert_allclose(clf.predict_proba([[-1.0], [1.0]]), [[1.0, 0.0], [0.0, 1.0]])
    assert_allclose(clf.predict_log_proba([[1.0]]), [[-1000.0, 0.0]])


def test_loss_gradient_matches_finite_differences():
    X, y = classes_data(3, n_samples=50, seed=9)
    weights = np.random.default_rng(9).uniform(0.5, 1.5, len(y))
    weights /= weights.sum()
    for n_blocks, target in ((1, (y == 1).astype(float)), (3, y.astype(float))):
        params = np.random.default_rng(n_blocks).standard_normal(n_blocks * 6)
        args = (X, target, weights, 0.3, n_blocks, True)
        error = check_grad(
            lambda w, *a: smooth_objective(w, *a)[0],
            lambda w, *a: smooth_objective(w, *a)[1],
            params,
            *args,
        )
        assert error < 1e-6


@pytest.mark.parametrize("n_blocks", [1, 3])
def test_one_pass_loss_and_gradient_equal_the_pointwise_ones(n_blocks):
    X, y = classes_data(3, n_samples=50, seed=10)
    target = (y == 1).astype(float) if n_blocks == 1 else y.astype(float)
    weights = np.random.default_rng(10).uniform(0.5, 1.5, len(y))
    weights /= weights.sum()
    coef, intercept = np.random.default_rng(11).standard_normal((2, n_blocks, X.shape[1]))
    intercept = intercept[:, 0]
    loss, gradient = pointwise(X @ coef.T + intercept, target, weights)
    X = np.ascontiguousarray(X)
    one_pass = loss_and_gradient(X, coef, intercept, target, weights)
    assert one_pass[0] == pytest.approx(loss, rel=1e-12)
    assert_allclose(one_pass[1], np.column_stack([gradient.T @ X, gradient.sum(axis=0)]), 1e-12)


@pytest.mark.parametrize("n_blocks", [1, 3])
def test_loss_change_equals_the_difference_and_keeps_tiny_changes(n_blocks):
    X, y = classes_data(3, n_samples=50, seed=15)
    target = (y == 1).astype(float) if n_blocks == 1 else y.astype(float)
    weights = np.full(len(y), 1.0 / len(y))
    rng = np.random.default_rng(15)
    raw, change = rng.standard_normal((2, len(y), n_blocks))
    loss, gradient = pointwise(raw, target, weights)
    proba = probabilities(raw)
    moved = pointwise(raw + change, target, weights)[0]
    assert loss_change(proba, target, weights, change) == pytest.approx(moved - loss, rel=1e-12)
    tiny = 1e-12 * change  # far below the rounding of the loss itself
    assert loss_change(proba, target, weights, tiny) == pytest.approx(
        np.sum(gradient * tiny), rel=1e-9
    )


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_features_far_from_zero_only_move_the_intercept(penalty):
    X, y = classes_data(3, seed=16)
    near = LogisticRegression(penalty=penalty, l1_ratio=0.5, **TIGHT).fit(X, y)
    far = LogisticRegression(penalty=penalty, l1_ratio=0.5, **TIGHT).fit(X + 100.0, y)
    assert_allclose(far.coef_, near.coef_, rtol=1e-6, atol=1e-9)
    shifted = near.intercept_ - 100.0 * near.coef_.sum(axis=1)
    assert_allclose(far.intercept_, shifted - shifted.mean(), rtol=1e-6, atol=1e-6)
    assert far.n_iter_[0] <= near.n_iter_[0] + 2


def test_penalty_shift_minimises_the_penalty_along_class_shifts():
    coef = np.array([[1.0, -2.0], [0.5, 0.0], [-3.0, 4.0]])
    assert_allclose(penalty_shift(coef, 1.0, 0.0), [-0.5, 0.0])  # minus the column medians
    assert_allclose(penalty_shift(coef, 0.0, 1.0), -coef.mean(axis=0))
    shift = penalty_shift(coef, 1.0, 0.5)
    grid = np.linspace(-5.0, 5.0, 100_001)
    for j in range(2):
        shifted = coef[:, j] + grid[:, np.newaxis]
        values = np.abs(shifted).sum(axis=1) + 0.25 * (shifted**2).sum(axis=1)
        assert shift[j] == pytest.approx(grid[values.argmin()], abs=1e-4)


def test_seed_reviews_with_a_bag_of_words_across_C():
    train, test = train_test_split(np.arange(10), test_size=0.2, random_state=42)
    texts = np.array(REVIEWS)
    X_train = bag_of_words(texts[train], texts[train])
    X_test = bag_of_words(texts[train], texts[test])
    assert X_train.shape == (8, 22)
    # Neither test review ("Amazing features", "Great service") shares a word with the
    # training reviews: the model falls back on its intercept, the 5-to-3 negative majority.
    assert_array_equal(X_test, 0.0)
    norms = []
    for C in (0.01, 0.1, 1, 10, 100):
        ours = LogisticRegression(C=C).fit(X_train, REVIEW_LABELS[train])
        reference = linear_model.LogisticRegression(C=C).fit(X_train, REVIEW_LABELS[train])
        assert_same_model(ours, reference, rtol=1e-6, atol=1e-8)
        assert_array_equal(ours.predict(X_test), [0, 0])
        assert ours.score(X_test, REVIEW_LABELS[test]) == 0.0
        norms.append(np.linalg.norm(ours.coef_))
    assert norms == sorted(norms)  # weaker regularisation, larger weights

    best = LogisticRegression(C=1).fit(X_train, REVIEW_LABELS[train])
    new = bag_of_words(texts[train], ["This is amazing", "I regret buying this"])
    # Only "this" is known (from "I love this product"), which nudges towards positive but
    # not past the negative intercept: both are predicted 0, as scikit-learn does.
    assert_array_equal(best.predict(new), [0, 0])
    assert_allclose(best.predict_proba(new)[:, 1], [0.48316779, 0.48316779], rtol=1e-6)
    assert best.predict_proba(new)[0, 1] > best.predict_proba(X_test)[0, 1]


def test_string_labels_predict_the_original_labels():
    X, y = classes_data(3, seed=10)
    names = np.array(["bad", "good", "neutral"])
    clf = LogisticRegression().fit(X, names[y])
    assert_array_equal(clf.classes_, names)
    assert_array_equal(clf.predict(X), names[LogisticRegression().fit(X, y).predict(X)])
    binary = LogisticRegression().fit(X, np.where(y == 1, "good", "bad"))
    assert set(binary.predict(X)) == {"bad", "good"}


def test_fitted_state_is_plain_arrays_and_numbers():
    X, y = classes_data(3, seed=11)
    clf = LogisticRegression(penalty="elasticnet", l1_ratio=0.5).fit(X, y)
    fitted = {name: value for name, value in vars(clf).items() if name.endswith("_")}
    assert set(fitted) == {"classes_", "coef_", "intercept_", "n_iter_", "n_features_in_"}
    assert all(isinstance(value, np.ndarray | int) for value in fitted.values())
    assert clf.n_iter_.shape == (1,) and 0 < clf.n_iter_[0] <= 100


def test_save_and_load_round_trip(tmp_path):
    X, y = classes_data(3, seed=11)
    clf = LogisticRegression(penalty="l1", class_weight="balanced").fit(X, y)
    save_estimator(clf, tmp_path)
    loaded = load_estimator(tmp_path)
    assert loaded.get_params() == clf.get_params()
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_max_iter_reached_warns(penalty):
    X, y = classes_data(3, seed=12)
    with pytest.warns(ConvergenceWarning, match="stopped at max_iter=1 before reaching tol"):
        clf = LogisticRegression(penalty=penalty, max_iter=1, tol=1e-12).fit(X, y)
    assert_array_equal(clf.n_iter_, [1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegression(penalty=penalty).fit(X, y)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_features_near_the_float_limit_warn_instead_of_returning_silently(penalty):
    X, y = classes_data(2, n_samples=20, seed=13)
    with pytest.warns(ConvergenceWarning, match="found no step that lowers the objective"):
        clf = LogisticRegression(penalty=penalty).fit(X * 1e200, y)
    assert np.isfinite(clf.coef_).all() and np.isfinite(clf.intercept_).all()


XY = classes_data(2, n_samples=20, seed=14)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 1.0, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 1.0, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        ({}, XY[0], np.zeros(20), r"at least two classes.*got 1 class: \[0\.0\]"),
        ({"class_weight": {0: 0.0, 1: 0.0}}, *XY, r"got 0 classes: \[\]"),
        ({}, XY[0], np.linspace(0, 1, 20), "Unknown label type"),
        ({"penalty": "l3"}, *XY, r"'penalty' parameter .* str among"),
        ({"solver": "saga"}, *XY, r"'solver' parameter .* str among"),
        ({"solver": "lbfgs", "penalty": "l1"}, *XY, "solver='lbfgs' supports penalty 'l2'"),
        ({"penalty": "elasticnet"}, *XY, "needs l1_ratio"),
        (
            {"penalty": "elasticnet", "l1_ratio": 1.5},
            *XY,
            r"'l1_ratio' parameter .* float in the range \[0\.0, 1\.0\] or None\. Got 1\.5",
        ),
        ({"C": 0.0}, *XY, r"'C' parameter .* float in the range \(0\.0, inf\]\. Got 0\.0"),
        ({"C": np.nan}, *XY, r"'C' parameter .* float in the range \(0\.0, inf\]\. Got nan"),
        ({"max_iter": 0}, *XY, r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0"),
        ({"tol": -1.0}, *XY, r"'tol' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0"),
        ({"class_weight": {7: 2.0}}, *XY, r"labels \['7'\] that are not in y's classes"),
        (
            {"class_weight": "even"},
            *XY,
            r"'class_weight' parameter .* 'dict', a str among \{'balanced'\} or None\. Got 'even'",
        ),
        ({"class_weight": {0: -1.0}}, *XY, "class weights must be finite and non-negative"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_bad_sample_weights_raise():
    X, y = XY
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(20,\)"):
        LogisticRegression().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="finite and non-negative"):
        LogisticRegression().fit(X, y, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="sample_weight is zero for every sample"):
        LogisticRegression().fit(X, y, sample_weight=np.zeros(20))
    with pytest.raises(ValueError, match="at least two classes with positive weight"):
        LogisticRegression().fit(X, y, sample_weight=(y == 1).astype(float))
    fitted = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting"):
        fitted.predict(X[:, :2])
