"""LinearRegression: scikit-learn's solution, rank deficiency, the seed's gradient descent."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import linalg
from sklearn import linear_model
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split

from algorithms.linear.least_squares import LinearRegression


def regression_data(n_samples=200, n_features=5, n_targets=None, seed=0):
    """Well-conditioned X with non-zero means and y = X·w + 3 + noise (2-D if n_targets)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) + rng.uniform(-2, 2, n_features)
    coef = rng.standard_normal((n_features,) if n_targets is None else (n_features, n_targets))
    noise = rng.standard_normal((n_samples,) if n_targets is None else (n_samples, n_targets))
    return X, X @ coef + 3.0 + 0.5 * noise


def seed_data():
    """The seed's experiment: 100 samples, 1 feature, noise 20, an 80/20 split."""
    X, y = make_regression(n_samples=100, n_features=1, noise=20, random_state=4)
    return train_test_split(X, y, test_size=0.2, random_state=1234)


def mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 3])
def test_lstsq_matches_scikit_learn(fit_intercept, n_targets):
    X, y = regression_data(n_targets=n_targets)
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    theirs = linear_model.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)
    assert ours.rank_ == theirs.rank_ == X.shape[1]
    assert isinstance(ours.intercept_, float if n_targets is None else np.ndarray)


@pytest.mark.parametrize("n_targets", [None, 2])
def test_gram_accumulated_over_many_row_blocks_matches_scikit_learn(n_targets):
    X, y = regression_data(n_samples=30_001, n_features=4, n_targets=n_targets)  # 5 blocks
    ours = LinearRegression().fit(X, y)
    theirs = linear_model.LinearRegression().fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8)


def test_rank_deficient_x_gives_the_minimum_norm_solution():
    X, y = regression_data()
    X = np.column_stack([X, X[:, 0], X[:, 1] - X[:, 2]])  # two redundant columns
    ours = LinearRegression().fit(X, y)
    theirs = linear_model.LinearRegression().fit(X, y)
    assert ours.rank_ == theirs.rank_ == 5
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7)
    assert_allclose(ours.coef_[0], ours.coef_[5])  # the weight is split evenly: minimum norm
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-7)


def test_features_on_very_different_scales_are_solved_exactly():
    # κ(X) ≈ 1e7, yet each column is well determined: the exact least squares solution (which
    # scikit-learn's default cond=1e-6 would truncate) through Jacobi-scaled normal equations.
    X, y = regression_data()
    X = X * [1e-3, 1.0, 10.0, 1e4, 1.0]
    ours = LinearRegression().fit(X, y)
    Xc = X - X.mean(axis=0)
    exact = np.linalg.lstsq(Xc / Xc.std(axis=0), y - y.mean(), rcond=None)[0] / Xc.std(axis=0)
    assert_allclose(ours.coef_, exact, rtol=1e-8)
    assert ours.rank_ == 5


def test_nearly_collinear_columns_fall_back_to_an_orthogonal_solve():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(200)
    X = np.column_stack([x, x + 1e-7 * rng.standard_normal(200), rng.standard_normal(200)])
    y = X @ [1.0, 2.0, 3.0] + 0.1 * rng.standard_normal(200)
    ours = LinearRegression().fit(X, y)
    Xc = X - X.mean(axis=0)
    exact = linalg.lstsq(Xc, y - y.mean(), lapack_driver="gelsd")[0]
    assert_allclose(ours.coef_, exact, rtol=1e-6)
    assert abs(ours.coef_[0]) > 1e3  # the noise-fitting solution, not a regularised one


def test_more_features_than_samples():
    X, y = regression_data(n_samples=8, n_features=20)
    ours = LinearRegression().fit(X, y)
    theirs = linear_model.LinearRegression().fit(X, y)
    assert ours.rank_ == 7  # centring removes one dimension
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7)
    assert_allclose(ours.predict(X), y, atol=1e-9)


def test_first_gradient_step_is_the_seed_update():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    y = np.array([1.0, 2.0, -1.0])
    model = LinearRegression(solver="gd", learning_rate=0.1, max_iter=1).fit(X, y)
    # From w = 0, b = 0: ŷ − y = −y, so dw = (1/n)·Xᵀ(−y) and db = (1/n)·Σ(−y).
    assert_allclose(model.coef_, 0.1 * X.T @ y / 3)
    assert model.intercept_ == pytest.approx(0.1 * y.mean())
    assert_allclose(model.loss_curve_, [np.mean(y**2)])
    assert model.n_iter_ == 1


def test_gradient_descent_converges_to_the_lstsq_solution_on_scaled_data():
    X, y = regression_data(n_targets=2)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    gd = LinearRegression(solver="gd", learning_rate=0.1, max_iter=2000).fit(X, y)
    exact = LinearRegression().fit(X, y)
    assert_allclose(gd.coef_, exact.coef_, rtol=1e-8)
    assert_allclose(gd.intercept_, exact.intercept_, rtol=1e-8)
    # A stable step never raises the MSE (up to rounding once converged).
    assert np.all(np.diff(gd.loss_curve_) <= 1e-12 * gd.loss_curve_[0])


def test_seed_experiment_a_larger_learning_rate_fits_better():
    X_train, X_test, y_train, y_test = seed_data()
    slow = LinearRegression(solver="gd", learning_rate=0.001).fit(X_train, y_train)
    fast = LinearRegression(solver="gd", learning_rate=0.01).fit(X_train, y_train)
    exact = LinearRegression().fit(X_train, y_train)
    assert 783 < mse(slow, X_test, y_test) < 784  # the seed's 783 after 1000 iterations
    assert mse(fast, X_test, y_test) < 0.5 * mse(slow, X_test, y_test)
    assert mse(fast, X_test, y_test) == pytest.approx(mse(exact, X_test, y_test), rel=1e-3)
    assert slow.n_iter_ == fast.n_iter_ == 1000


def test_tol_stops_once_an_iteration_gains_less_than_tol():
    X_train, _, y_train, _ = seed_data()
    model = LinearRegression(solver="gd", learning_rate=0.01, tol=1e-3).fit(X_train, y_train)
    gains = -np.diff(model.loss_curve_)
    assert model.n_iter_ == len(model.loss_curve_) < 1000
    assert gains[-1] < 1e-3 <= gains[:-1].min()


def test_divergence_names_the_learning_rate():
    X, y = regression_data()
    model = LinearRegression(solver="gd", learning_rate=1.0)
    with pytest.raises(
        ValueError, match=r"diverged at iteration \d+ with learning_rate=1.0.*smaller learning_rate"
    ):
        model.fit(X, y)
    assert not hasattr(model, "coef_")


def test_fit_intercept_false_keeps_the_line_through_the_origin():
    X, y = regression_data()
    for solver in ("lstsq", "gd"):
        model = LinearRegression(fit_intercept=False, solver=solver, learning_rate=0.01)
        assert model.fit(X, y).intercept_ == 0.0


XY = regression_data(n_samples=20)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 2, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 2, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0], np.where(XY[1] > np.median(XY[1]), np.nan, XY[1]), "y contains NaN"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        ({"solver": "normal"}, *XY, r"'solver' parameter .* str among"),
        (
            {"solver": "gd", "learning_rate": 0.0},
            *XY,
            r"'learning_rate' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0",
        ),
        (
            {"solver": "gd", "max_iter": 0},
            *XY,
            r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0",
        ),
        (
            {"solver": "gd", "tol": -1.0},
            *XY,
            r"'tol' parameter .* float in the range \[0\.0, inf\) or None\. Got -1\.0",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        LinearRegression(**params).fit(X, y)


def test_predict_checks_the_number_of_features():
    model = LinearRegression().fit(*XY)
    with pytest.raises(ValueError, match="X has 2 features, but LinearRegression is expecting 5"):
        model.predict(XY[0][:, :2])
