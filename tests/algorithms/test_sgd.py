"""SGDRegressor: the mini-batch update, the penalties' optima, chunks, stopping, checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model

from algorithms.linear.sgd import SGDRegressor


def scaled_data(n_samples=2000, seed=0):
    """Standardised X (6 features, two irrelevant), y = X·w + 1 + N(0, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 6))
    y = X @ np.array([3.0, -2.0, 0.0, 0.0, 1.0, 0.5]) + 1.0 + rng.standard_normal(n_samples)
    return X, y


def split(X, y, fraction=0.8):
    cut = int(fraction * len(y))
    return X[:cut], y[:cut], X[cut:], y[cut:]


def test_one_full_batch_step_is_the_mean_gradient_step():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    y = np.array([1.0, 2.0, -1.0])
    model = SGDRegressor(
        penalty=None, learning_rate="constant", eta0=0.1, batch_size=3, shuffle=False, max_iter=1
    ).fit(X, y)
    # From w = 0, b = 0 the residuals are −y: w = 0.1·(1/3)·Xᵀy, b = 0.1·mean(y).
    assert_allclose(model.coef_, 0.1 * X.T @ y / 3)
    assert model.intercept_ == pytest.approx(0.1 * y.mean())
    assert_allclose(model.loss_curve_, [0.5 * np.mean(y**2)])
    assert model.t_ == 2.0


def test_penalty_steps_decay_and_soft_threshold():
    # With X = 0 and y = 0 the loss gradient vanishes, leaving only the penalty's step.
    X, y = np.zeros((4, 2)), np.zeros(4)
    params = dict(
        alpha=0.01, eta0=0.1, learning_rate="constant", batch_size=4, shuffle=False, max_iter=1
    )
    for penalty, expected in [
        ("l2", [1.0 - 0.001, -0.0005 * (1.0 - 0.001)]),
        ("l1", [1.0 - 0.001, 0.0]),
        ("elasticnet", [0.9995 * 1.0 - 0.0005, 0.0]),
    ]:
        model = SGDRegressor(penalty=penalty, l1_ratio=0.5, warm_start=True, **params)
        model.coef_, model.intercept_ = np.array([1.0, -0.0005]), 0.0
        assert_allclose(model.fit(X, y).coef_, expected, err_msg=penalty)


@pytest.mark.parametrize(
    ("params", "reference"),
    [
        ({"penalty": None}, linear_model.LinearRegression()),
        ({"penalty": "l2", "alpha": 0.1}, linear_model.Ridge(alpha=0.1 * 1600)),
        ({"penalty": "l1", "alpha": 0.1}, linear_model.Lasso(alpha=0.1)),
        (
            {"penalty": "elasticnet", "alpha": 0.1, "l1_ratio": 0.5},
            linear_model.ElasticNet(alpha=0.1, l1_ratio=0.5),
        ),
    ],
)
def test_reaches_the_optimum_of_its_objective(params, reference):
    # (1/n)Σ½r² + α·R(w) is Ridge's objective with alpha = n·α and Lasso's/ElasticNet's as is.
    X, y = split(*scaled_data())[:2]
    model = SGDRegressor(tol=None, max_iter=100, random_state=0, **params).fit(X, y)
    reference.fit(X, y)
    assert_allclose(model.coef_, reference.coef_, atol=5e-3)
    assert model.intercept_ == pytest.approx(reference.intercept_, abs=5e-3)


@pytest.mark.parametrize("learning_rate", ["invscaling", "constant", "adaptive"])
def test_default_fit_scores_like_least_squares_on_scaled_data(learning_rate):
    X_train, y_train, X_test, y_test = split(*scaled_data())
    model = SGDRegressor(learning_rate=learning_rate, random_state=0).fit(X_train, y_train)
    exact = linear_model.LinearRegression().fit(X_train, y_train).score(X_test, y_test)
    ridge = linear_model.Ridge(alpha=1.0).fit(X_train, y_train).score(X_test, y_test)
    assert model.score(X_test, y_test) == pytest.approx(exact, abs=0.01)
    assert model.score(X_test, y_test) == pytest.approx(ridge, abs=0.01)
    assert model.n_iter_ < 1000


def test_partial_fit_on_ten_chunks_learns_like_a_full_fit():
    # One pass over 10 chunks of 2,000 rows makes 630 updates, enough at eta0=0.1.
    X_train, y_train, X_test, y_test = split(*scaled_data(n_samples=25_000))
    chunks = list(zip(np.array_split(X_train, 10), np.array_split(y_train, 10), strict=True))
    streamed = SGDRegressor(eta0=0.1, random_state=0)
    for X_chunk, y_chunk in chunks:
        streamed.partial_fit(X_chunk, y_chunk)
    full = SGDRegressor(eta0=0.1, random_state=0).fit(X_train, y_train)
    exact = linear_model.LinearRegression().fit(X_train, y_train)
    assert streamed.n_iter_ == 10
    assert streamed.t_ == 1 + 10 * 63
    assert streamed.score(X_test, y_test) == pytest.approx(full.score(X_test, y_test), abs=0.01)
    assert streamed.score(X_test, y_test) == pytest.approx(exact.score(X_test, y_test), abs=0.01)


def test_fit_without_tol_equals_one_partial_fit_per_epoch():
    X, y = scaled_data(n_samples=300)
    params = dict(eta0=0.05, power_t=0.3, penalty="elasticnet", random_state=4)
    fitted = SGDRegressor(tol=None, max_iter=4, **params).fit(X, y)
    stepped = SGDRegressor(**params)
    for _ in range(4):
        stepped.partial_fit(X, y)
    assert_allclose(stepped.coef_, fitted.coef_, rtol=1e-12)
    assert_allclose(stepped.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert stepped.t_ == fitted.t_ == 1 + 4 * 10


def test_random_state_fixes_the_visiting_order():
    X, y = scaled_data(n_samples=300)
    params = dict(tol=None, max_iter=3)
    first = SGDRegressor(random_state=1, **params).fit(X, y)
    second = SGDRegressor(random_state=1, **params).fit(X, y)
    other = SGDRegressor(random_state=2, **params).fit(X, y)
    in_order = SGDRegressor(shuffle=False, **params).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert not np.allclose(first.coef_, other.coef_)
    assert not np.allclose(first.coef_, in_order.coef_)


def test_tol_stops_after_n_iter_no_change_epochs_without_progress():
    X, y = scaled_data()
    model = SGDRegressor(n_iter_no_change=3, random_state=0).fit(X, y)
    curve = model.loss_curve_
    assert model.n_iter_ == len(curve) < 1000
    stalled = 0  # epochs in a row that failed to beat the best loss before them by tol
    for epoch in range(1, len(curve)):
        stalled = stalled + 1 if curve[epoch] > curve[:epoch].min() - 1e-3 else 0
        assert stalled < 3 or epoch == len(curve) - 1
    assert stalled == 3


def test_adaptive_divides_the_step_instead_of_stopping():
    X, y = scaled_data(n_samples=500)
    params = dict(eta0=0.05, n_iter_no_change=2, random_state=0)
    constant = SGDRegressor(learning_rate="constant", **params).fit(X, y)
    adaptive = SGDRegressor(learning_rate="adaptive", **params).fit(X, y)
    assert adaptive.n_iter_ > constant.n_iter_
    assert_allclose(adaptive.loss_curve_[: constant.n_iter_], constant.loss_curve_)


def test_warm_start_continues_from_the_fitted_weights():
    X, y = scaled_data(n_samples=500)
    model = SGDRegressor(warm_start=True, random_state=0).fit(X, y)
    first_curve = model.loss_curve_
    model.fit(X, y)
    assert model.loss_curve_[0] < 0.2 * first_curve[0]
    cold = SGDRegressor(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="warm_start needs X with 6 features"):
        model.fit(X[:, :3], y)
    assert cold.loss_curve_[0] == pytest.approx(first_curve[0])


def test_divergence_names_eta0():
    X, y = scaled_data(n_samples=200)
    model = SGDRegressor(learning_rate="constant", eta0=100.0)
    with pytest.raises(ValueError, match=r"diverged in epoch \d+ with eta0=100.0.*smaller eta0"):
        model.fit(100.0 * X, y)
    assert not hasattr(model, "coef_")


def test_a_hundred_thousand_rows_make_3125_batches_per_epoch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 20))
    y = X @ rng.standard_normal(20)
    model = SGDRegressor(tol=None, max_iter=5, random_state=0).fit(X, y)
    assert model.t_ == 1 + 5 * 3125
    assert model.n_iter_ == 5


XY = scaled_data(n_samples=20)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 1, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 1, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        (
            {"loss": "huber"},
            *XY,
            r"'loss' parameter .* str among \{'squared_error'\}\. Got 'huber'",
        ),
        ({"penalty": "l0"}, *XY, r"'penalty' parameter .* str among"),
        ({"learning_rate": "optimal"}, *XY, r"'learning_rate' parameter .* str among"),
        ({"eta0": 0.0}, *XY, r"'eta0' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0"),
        (
            {"alpha": -1.0},
            *XY,
            r"'alpha' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (
            {"alpha": np.inf},
            *XY,
            r"'alpha' parameter .* float in the range \[0\.0, inf\)\. Got inf",
        ),
        (
            {"l1_ratio": 1.5},
            *XY,
            r"'l1_ratio' parameter .* float in the range \[0\.0, 1\.0\]\. Got 1\.5",
        ),
        ({"batch_size": 0}, *XY, r"'batch_size' parameter .* int in the range \[1, inf\)\. Got 0"),
        ({"max_iter": 0}, *XY, r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0"),
        (
            {"tol": -1.0},
            *XY,
            r"'tol' parameter .* float in the range \[0\.0, inf\) or None\. Got -1\.0",
        ),
        (
            {"n_iter_no_change": 0},
            *XY,
            r"'n_iter_no_change' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        SGDRegressor(**params).fit(X, y)


def test_partial_fit_checks_the_number_of_features():
    model = SGDRegressor().partial_fit(*XY)
    with pytest.raises(ValueError, match="X has 2 features, but SGDRegressor is expecting 6"):
        model.partial_fit(XY[0][:, :2], XY[1])
