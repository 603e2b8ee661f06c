"""LinearSVC and SVC against scikit-learn's, worked examples, the solvers, the contract, checks."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import svm

from algorithms.exceptions import ConvergenceWarning
from algorithms.persistence import load_estimator, save_estimator
from algorithms.svm import SVC, LinearSVC, _kernels, _primal_newton

TIGHT = dict(tol=1e-10, max_iter=100_000)


def blobs(n_classes, n_samples=200, n_features=5, spread=1.0, seed=0):
    """Standardised Gaussian blobs around random centres: separable-ish, with some overlap."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_classes, n_features)) * 2.0
    y = np.arange(n_samples) % n_classes
    X = centres[y] + spread * rng.standard_normal((n_samples, n_features))
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def fit_quietly(estimator, X, y):
    """Fit, ignoring the reference's convergence warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


# LinearSVC


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    ("loss", "dual"),
    [("squared_hinge", True), ("squared_hinge", False), ("squared_hinge", "auto"), ("hinge", True)],
)
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_linear_svc_matches_scikit_learn(n_classes, loss, dual, C):
    X, y = blobs(n_classes, spread=1.5)
    params = dict(loss=loss, dual=dual, C=C, intercept_scaling=2.0, random_state=0, **TIGHT)
    ours = LinearSVC(**params).fit(X, y)
    reference = fit_quietly(svm.LinearSVC(**params), X, y)
    assert ours.coef_.shape == reference.coef_.shape == (1 if n_classes == 2 else 3, 5)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-3, atol=1e-6)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-3, atol=1e-6)
    assert_allclose(ours.decision_function(X), reference.decision_function(X), atol=1e-5)
    assert_array_equal(ours.predict(X), reference.predict(X))
    assert_array_equal(ours.classes_, reference.classes_)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_svc_default_parameters_give_scikit_learns_predictions(n_classes):
    # Both stop early at tol=1e-4, at slightly different points near the optimum.
    X, y = blobs(n_classes, n_samples=400, seed=1)
    ours = LinearSVC().fit(X, y)
    reference = svm.LinearSVC().fit(X, y)
    assert_allclose(ours.coef_, reference.coef_, atol=2e-3)
    assert_array_equal(ours.predict(X), reference.predict(X))
    assert ours.n_iter_ < 20  # n_samples > n_features: the primal Newton method


def test_linear_svc_without_intercept_matches_scikit_learn():
    X, y = blobs(2, seed=2)
    X = X + 0.5  # a model through the origin then differs from one with an intercept
    for loss in ("squared_hinge", "hinge"):
        params = dict(loss=loss, fit_intercept=False, random_state=0, **TIGHT)
        ours = LinearSVC(**params).fit(X, y)
        reference = fit_quietly(svm.LinearSVC(**params), X, y)
        assert_allclose(ours.coef_, reference.coef_, rtol=1e-3, atol=1e-6)
        assert_array_equal(ours.intercept_, [0.0])


def test_linear_svc_zero_row_of_the_hinge_without_intercept_matches_scikit_learn():
    # Its Q̄_ii is 0: the exact coordinate step is infinite and α_i goes to C.
    X, y = np.array([[0.0, 0.0], [1.0, 2.0], [-1.0, -1.0], [2.0, 1.0]]), [0, 1, 0, 1]
    params = dict(loss="hinge", fit_intercept=False, **TIGHT)
    ours = LinearSVC(**params).fit(X, y)
    assert_allclose(ours.coef_, svm.LinearSVC(**params).fit(X, y).coef_)
    assert_allclose(ours.coef_, [[0.5, 0.5]])


def test_linear_svc_worked_example_two_points():
    # x = −1 (class 0) and x = 1 (class 1): by symmetry w_b = 0, and ½w² + 2C(1 − w)² is
    # smallest at w = 4C / (1 + 4C); the hinge ½w² + 2C·max(0, 1 − w) at w = 1 once C ≥ ½.
    X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    for dual in (True, False):
        squared = LinearSVC(C=1.0, dual=dual, tol=1e-12).fit(X, y)
        assert_allclose(squared.coef_, [[0.8]])
        assert_allclose(squared.intercept_, [0.0], atol=1e-12)
    hinge = LinearSVC(loss="hinge", C=1.0, tol=1e-12).fit(X, y)
    assert_allclose(hinge.coef_, [[1.0]])
    assert_allclose(hinge.decision_function(X), [-1.0, 1.0])


def test_linear_svc_large_intercept_scaling_frees_the_intercept():
    X, y = blobs(2, seed=3)
    X = X + 3.0
    penalised = LinearSVC(intercept_scaling=1.0, **TIGHT).fit(X, y)
    free = LinearSVC(intercept_scaling=100.0, **TIGHT).fit(X, y)
    assert abs(free.intercept_[0]) > abs(penalised.intercept_[0])
    assert free.score(X, y) >= penalised.score(X, y)


def test_linear_svc_dual_and_primal_reach_the_same_optimum():
    X, y = blobs(3, n_samples=300, n_features=8, spread=2.0, seed=4)
    dual = LinearSVC(dual=True, random_state=0, **TIGHT).fit(X, y)
    primal = LinearSVC(dual=False, **TIGHT).fit(X, y)
    assert_allclose(dual.coef_, primal.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(dual.intercept_, primal.intercept_, rtol=1e-6, atol=1e-8)


def test_linear_svc_primal_conjugate_gradients_for_wide_data(monkeypatch):
    X, y = blobs(2, n_samples=300, n_features=8, spread=2.0, seed=5)
    direct = LinearSVC(dual=False, tol=1e-8).fit(X, y)
    monkeypatch.setattr(_primal_newton, "DIRECT_MAX", 0)
    iterative = LinearSVC(dual=False, tol=1e-8).fit(X, y)
    assert_allclose(iterative.coef_, direct.coef_, rtol=1e-5)
    assert_allclose(iterative.intercept_, direct.intercept_, rtol=1e-5)


def test_linear_svc_one_vs_rest_is_one_binary_problem_per_class():
    X, y = blobs(3, seed=6)
    multi = LinearSVC(**TIGHT).fit(X, y)
    for k in range(3):
        binary = LinearSVC(**TIGHT).fit(X, (y == k).astype(int))
        assert_allclose(multi.coef_[k], binary.coef_[0], rtol=1e-8)
    assert_array_equal(multi.predict(X), np.argmax(multi.decision_function(X), axis=1))


def test_linear_svc_random_state_fixes_the_dual_run():
    X, y = blobs(2, n_samples=300, spread=2.0, seed=7)
    params = dict(dual=True, tol=1e-2)
    first = LinearSVC(random_state=3, **params).fit(X, y)
    second = LinearSVC(random_state=3, **params).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert first.n_iter_ == second.n_iter_
    assert not np.array_equal(first.coef_, LinearSVC(random_state=4, **params).fit(X, y).coef_)


@pytest.mark.parametrize("dual", [True, False])
def test_linear_svc_max_iter_reached_warns(dual):
    X, y = blobs(2, spread=3.0, seed=8)
    message = r"stopped after 1 iterations \(max_iter=1\) before reaching tol"
    with pytest.warns(ConvergenceWarning, match=message):
        clf = LinearSVC(dual=dual, max_iter=1, tol=1e-12).fit(X, y)
    assert clf.n_iter_ == 1


def test_linear_svc_string_labels_and_fifty_thousand_rows_are_quick():
    X, y = blobs(2, n_samples=50_000, n_features=20, spread=2.0, seed=9)
    labels = np.array(["no", "yes"])[y]
    clf = LinearSVC().fit(X, labels)
    assert_array_equal(clf.classes_, ["no", "yes"])
    assert set(clf.predict(X[:50])) <= {"no", "yes"}
    assert clf.score(X, labels) > 0.8


# SVC


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "params",
    [
        dict(kernel="rbf"),
        dict(kernel="rbf", gamma=0.5, C=10.0),
        dict(kernel="linear", C=0.5),
        dict(kernel="poly", degree=3, coef0=1.0, gamma="auto"),
    ],
)
def test_svc_matches_scikit_learn(n_classes, params):
    X, y = blobs(n_classes, n_samples=150, n_features=4, spread=1.5, seed=10)
    ours = SVC(tol=1e-6, **params).fit(X, y)
    reference = svm.SVC(tol=1e-6, **params).fit(X, y)
    assert_array_equal(ours.support_, reference.support_)
    assert_array_equal(ours.n_support_, reference.n_support_)
    assert_allclose(ours.support_vectors_, reference.support_vectors_)
    C = params.get("C", 1.0)
    assert_allclose(ours.dual_coef_, reference.dual_coef_, atol=1e-4 * C)
    assert_allclose(ours.intercept_, reference.intercept_, atol=1e-4)
    assert_allclose(ours.decision_function(X), reference.decision_function(X), atol=1e-4)
    assert_array_equal(ours.predict(X), reference.predict(X))
    assert ours.gamma_ == pytest.approx(reference._gamma)
    assert ours.fit_status_ == 0
    assert ours.n_iter_.shape == (n_classes * (n_classes - 1) // 2,)


def test_svc_four_classes_vote_like_scikit_learn():
    X, y = blobs(4, n_samples=200, n_features=3, spread=2.0, seed=11)
    X_new = np.random.default_rng(0).standard_normal((300, 3)) * 2.0
    ours = SVC(tol=1e-6).fit(X, y)
    reference = svm.SVC(tol=1e-6).fit(X, y)
    assert_allclose(ours.decision_function(X_new), reference.decision_function(X_new), atol=1e-4)
    assert_array_equal(ours.predict(X_new), reference.predict(X_new))
    # The "ovr" decision is votes + confidences in (−⅓, ⅓); predict takes the first most-voted
    # class, which can differ from the argmax of the decision when votes tie.
    decision = ours.decision_function(X_new)
    votes = np.round(decision)
    assert np.all(np.abs(decision - votes) < 1 / 3)
    assert_array_equal(ours.predict(X_new), np.argmax(votes, axis=1))
    assert np.any(ours.predict(X_new) != np.argmax(decision, axis=1))


def test_svc_worked_example_two_points():
    # Hard margin through x = ±1: w = 1, b = 0, α = ½ each; dual_coef_ is y·α with y = +1
    # for classes_[1].
    clf = SVC(kernel="linear", C=10.0, tol=1e-9).fit(np.array([[-1.0], [1.0]]), ["a", "b"])
    assert_array_equal(clf.support_, [0, 1])
    assert_allclose(clf.dual_coef_, [[-0.5, 0.5]])
    assert_allclose(clf.intercept_, [0.0], atol=1e-12)
    assert_allclose(clf.decision_function([[-2.0], [0.5]]), [-2.0, 0.5])
    assert_array_equal(clf.predict([[-2.0], [0.5]]), ["a", "b"])


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_svc_duplicate_rows_with_both_labels_match_scikit_learn(kernel):
    # A pair of identical rows has K_ii + K_jj − 2K_ij = 0: SMO steps with TAU instead.
    rng = np.random.default_rng(16)
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    X, y = np.vstack([X, X[:10]]), np.concatenate([y, 1 - y[:10]])
    ours = SVC(kernel=kernel, tol=1e-8).fit(X, y)
    reference = svm.SVC(kernel=kernel, tol=1e-8).fit(X, y)
    assert_array_equal(ours.support_, reference.support_)
    assert_allclose(ours.dual_coef_, reference.dual_coef_, atol=1e-5)
    assert_allclose(ours.intercept_, reference.intercept_, atol=1e-5)
    assert_array_equal(ours.predict(X), reference.predict(X))


def test_svc_small_kernel_cache_gives_the_same_model():
    X, y = blobs(3, n_samples=150, n_features=4, spread=1.5, seed=12)
    full = SVC(tol=1e-6).fit(X, y)
    small = SVC(tol=1e-6, cache_size=1e-3).fit(X, y)  # two cached rows
    assert small._cache_rows(100) == 2
    assert_array_equal(small.support_, full.support_)
    assert_allclose(small.dual_coef_, full.dual_coef_, atol=1e-12)
    assert_array_equal(small.n_iter_, full.n_iter_)


def test_exp_of_nonpositive_is_numpys_exp_to_one_ulp_and_zero_below_underflow():
    x = -np.concatenate(
        [[0.0, 1e-300, 0.5, 700.0, 708.0], np.random.default_rng(0).exponential(20.0, 5000)]
    )
    out, exponents = np.empty_like(x), np.empty(len(x), dtype=np.int64)
    _kernels.exp_of_nonpositive(x, out, exponents)
    reference = np.exp(x)
    normal = x >= _kernels.EXP_UNDERFLOW
    assert_allclose(out[normal], reference[normal], rtol=2.3e-16, atol=0.0)
    assert_array_equal(out[~normal], 0.0)
    assert out[0] == 1.0


@pytest.mark.parametrize("kernel", _kernels.KERNELS)
def test_kernel_row_is_the_row_of_the_kernel_matrix(kernel):
    X = np.random.default_rng(1).standard_normal((300, 7))
    index, gamma, coef0, degree = _kernels.KERNELS.index(kernel), 0.2, 0.5, 3
    out, scratch, exponents = np.empty(300), np.empty(300), np.empty(300, dtype=np.int64)
    XT, sq_norms = np.ascontiguousarray(X.T), np.einsum("ij,ij->i", X, X)
    matrix = _kernels.kernel_matrix(X, X, kernel, gamma, coef0, degree)
    for i in (0, 17, 299):
        _kernels.kernel_row(XT, sq_norms, i, index, gamma, coef0, degree, out, scratch, exponents)
        assert_allclose(out, matrix[i], rtol=1e-12, atol=1e-12)
        entry = _kernels.kernel_value(X, sq_norms, i, 5, index, gamma, coef0, degree)
        assert entry == pytest.approx(out[5], rel=1e-14)


def test_svc_refuses_more_than_max_samples_and_points_to_linear_svc():
    X, y = blobs(2, n_samples=101, seed=13)
    with pytest.raises(ValueError, match=r"101 samples, more than max_samples=100.*LinearSVC"):
        SVC(max_samples=100).fit(X, y)
    assert SVC(max_samples=101).fit(X, y).score(X, y) > 0.8


def test_svc_max_iter_reached_warns_and_sets_fit_status():
    X, y = blobs(2, spread=3.0, seed=14)
    message = r"stopped after 5 iterations \(max_iter=5\) before reaching tol"
    with pytest.warns(ConvergenceWarning, match=message):
        clf = SVC(max_iter=5).fit(X, y)
    assert clf.fit_status_ == 1
    assert_array_equal(clf.n_iter_, [5])


@pytest.mark.parametrize(
    "estimator",
    [LinearSVC(random_state=0), SVC(), SVC(kernel="poly", gamma=0.3)],
    ids=["LinearSVC", "SVC-rbf", "SVC-poly"],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_save_and_load_predict_the_same(estimator, n_classes, tmp_path):
    X, y = blobs(n_classes, seed=15)
    labels = np.array(["cat", "dog", "eel"])[y]
    estimator.fit(X, labels)
    save_estimator(estimator, tmp_path)
    loaded = load_estimator(tmp_path)
    assert type(loaded) is type(estimator)
    assert_array_equal(loaded.predict(X), estimator.predict(X))
    assert_array_equal(loaded.decision_function(X), estimator.decision_function(X))


# Both: bad input and scikit-learn's checks

XY = blobs(2, n_samples=20)


@pytest.mark.parametrize("cls", [LinearSVC, SVC])
@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.where(XY[0] > 1.0, np.nan, XY[0]), XY[1], "NaN"),
        (np.where(XY[0] > 1.0, np.inf, XY[0]), XY[1], "infinity"),
        (XY[0][:, 0], XY[1], "2D array"),
        (XY[0][:0], XY[1][:0], "0 sample"),
        (XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        (XY[0], np.zeros(20), "at least two classes; got 1 class"),
        (XY[0], np.linspace(0, 1, 20), "Unknown label type"),
    ],
)
def test_bad_data_raises_a_clear_value_error(cls, X, y, match):
    with pytest.raises(ValueError, match=match):
        cls().fit(X, y)


@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (LinearSVC(penalty="l1"), r"'penalty' parameter .* str among .*\. Got 'l1'"),
        (LinearSVC(loss="log"), r"'loss' parameter .* str among .*\. Got 'log'"),
        (LinearSVC(dual="yes"), r"'dual' parameter .* str among .*\. Got 'yes'"),
        (LinearSVC(loss="hinge", dual=False), "loss='hinge' needs the dual solver"),
        (LinearSVC(C=0.0), r"'C' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0"),
        (LinearSVC(tol=-1.0), r"'tol' parameter .* float in the range \(0\.0, inf\)\. Got -1\.0"),
        (LinearSVC(max_iter=0), r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0"),
        (LinearSVC(C=np.inf), r"'C' parameter .* float in the range \(0\.0, inf\)\. Got inf"),
        (
            LinearSVC(intercept_scaling=0.0),
            r"'intercept_scaling' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0",
        ),
        (SVC(kernel="sigmoid"), r"'kernel' parameter .* str among .*\. Got 'sigmoid'"),
        (SVC(gamma="large"), r"'gamma' parameter .* str among .*\. Got 'large'"),
        (SVC(gamma=-1.0), r"'gamma' parameter .* str among .*\. Got -1\.0"),
        (SVC(C=-1.0), r"'C' parameter .* float in the range \(0\.0, inf\)\. Got -1\.0"),
        (SVC(degree=-1), r"'degree' parameter .* int in the range \[0, inf\)\. Got -1"),
        (SVC(cache_size=0), r"'cache_size' parameter .* float in the range \(0\.0, inf\)\. Got 0"),
        (SVC(max_iter=0), r"'max_iter' parameter .* int among .*\. Got 0"),
        (SVC(max_samples=1), r"'max_samples' parameter .* int in the range \[2, inf\)\. Got 1"),
        (SVC(coef0=np.nan), r"'coef0' parameter .* float in the range \(-inf, inf\)\. Got nan"),
    ],
)
def test_bad_parameters_raise_a_clear_value_error(estimator, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(*XY)


def test_predicting_with_the_wrong_number_of_features_raises():
    for estimator in (LinearSVC(), SVC()):
        estimator.fit(*XY)
        with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 5"):
            estimator.predict(XY[0][:, :2])
