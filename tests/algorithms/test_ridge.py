"""Ridge: scikit-learn's solution for every solver and alpha, α = 0 on singular XᵀX, checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model

from algorithms.linear.ridge import Ridge


def regression_data(n_samples=200, n_features=5, n_targets=None, seed=0):
    """Well-conditioned X with non-zero means and y = X·w + 3 + noise (2-D if n_targets)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) + rng.uniform(-2, 2, n_features)
    coef = rng.standard_normal((n_features,) if n_targets is None else (n_features, n_targets))
    noise = rng.standard_normal((n_samples,) if n_targets is None else (n_samples, n_targets))
    return X, X @ coef + 3.0 + 0.5 * noise


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0, 10.0, 1000.0])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_matches_scikit_learn(alpha, solver, fit_intercept, n_targets):
    X, y = regression_data(n_targets=n_targets)
    ours = Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept).fit(X, y)
    theirs = linear_model.Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept)
    theirs.fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)
    assert ours.solver_ == ("svd" if solver == "svd" else "cholesky")


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_more_features_than_samples_uses_the_svd(alpha):
    X, y = regression_data(n_samples=10, n_features=30)
    ours = Ridge(alpha=alpha).fit(X, y)
    reference = linear_model.Ridge(alpha=alpha) if alpha else linear_model.LinearRegression()
    theirs = reference.fit(X, y)
    assert ours.solver_ == "svd"
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8)


def test_alpha_zero_on_singular_gram_gives_the_minimum_norm_least_squares_solution():
    X, y = regression_data()
    X = np.column_stack([X, 2.0 * X[:, 0]])
    ours = Ridge(alpha=0.0).fit(X, y)
    least_squares = linear_model.LinearRegression().fit(X, y)
    assert ours.solver_ == "svd"  # Cholesky of the singular XᵀX is refused
    assert_allclose(ours.coef_, least_squares.coef_, rtol=1e-7)
    assert_allclose(ours.coef_[5], 2.0 * ours.coef_[0])  # minimum norm splits along (1, 2)
    assert_allclose(ours.intercept_, least_squares.intercept_, rtol=1e-7)


def test_cholesky_copes_with_features_on_very_different_scales():
    X, y = regression_data()
    X = X * [1e-3, 1.0, 10.0, 1e4, 1.0]
    cholesky = Ridge(alpha=1e-6).fit(X, y)
    svd = Ridge(alpha=1e-6, solver="svd").fit(X, y)
    assert cholesky.solver_ == "cholesky"
    assert_allclose(cholesky.coef_, svd.coef_, rtol=1e-7)


def test_penalty_shrinks_the_coefficients_but_not_the_intercept():
    X, y = regression_data()
    norms = [np.linalg.norm(Ridge(alpha=alpha).fit(X, y).coef_) for alpha in (0, 1, 100, 1e4)]
    assert np.all(np.diff(norms) < 0)
    flat = Ridge(alpha=1e12).fit(X, y)
    assert_allclose(flat.coef_, 0.0, atol=1e-6)
    assert flat.intercept_ == pytest.approx(y.mean())
    shifted = Ridge(alpha=10.0).fit(X, y + 100.0)
    base = Ridge(alpha=10.0).fit(X, y)
    assert_allclose(shifted.coef_, base.coef_, rtol=1e-10)
    assert shifted.intercept_ == pytest.approx(base.intercept_ + 100.0)


XY = regression_data(n_samples=20)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 2, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 2, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
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
        ({"solver": "lsqr"}, *XY, r"'solver' parameter .* str among"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        Ridge(**params).fit(X, y)
