"""Lasso, ElasticNet and their paths: scikit-learn agreement, the duality gap, the contract."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import nnls
from sklearn import linear_model

from algorithms.linear.coordinate_descent import (
    ConvergenceWarning,
    ElasticNet,
    Lasso,
    centred_gram,
    centred_transpose,
    data_sweep_budget,
    enet_path,
    lasso_path,
)
from algorithms.persistence import load_estimator, save_estimator

TIGHT = {"tol": 1e-10, "max_iter": 100_000}


def sparse_regression(n=200, p=30, seed=0, correlation=0.3):
    """Correlated Gaussian features, up to 6 non-zero true coefficients, noise, an offset of 3."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p))
    X = Z + correlation * Z[:, [0]] + 0.5
    coef = np.zeros(p + 22)
    coef[[0, 3, 5, 8, 13, 21]] = [3.0, -2.0, 1.5, 0.5, 4.0, -1.0]
    coef = coef[:p]
    return X, X @ coef + rng.normal(size=n) + 3.0


def duality_gap(X, y, coef, alpha, l1_ratio, fit_intercept):
    """The elastic-net duality gap of coef, recomputed in numpy (kernel module docstring)."""
    if fit_intercept:
        X, y = X - X.mean(axis=0), y - y.mean()
    n = X.shape[0]
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    R = y - X @ coef
    scale = min(1.0, l1 / np.abs(X.T @ R - l2 * coef).max())
    quadratic = R @ R + l2 * coef @ coef
    primal = 0.5 * quadratic + l1 * np.abs(coef).sum()
    dual = -0.5 * scale**2 * quadratic + scale * R @ y
    return (primal - dual) / n


@pytest.mark.parametrize("precompute", ["auto", False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
# scikit-learn's gap for l1_ratio=0 with positive=True does not vanish at the optimum, so it
# never stops there: that case is checked against scipy's nnls below instead.
@pytest.mark.parametrize(
    ("l1_ratio", "positive"),
    [(1.0, False), (1.0, True), (0.7, False), (0.7, True), (0.2, False), (0.2, True), (0.0, False)],
)
@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0])
def test_elastic_net_matches_scikit_learn(alpha, l1_ratio, fit_intercept, positive, precompute):
    X, y = sparse_regression()
    params = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive)
    ours = ElasticNet(precompute=precompute, **params, **TIGHT).fit(X, y)
    theirs = linear_model.ElasticNet(**params, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-6)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-4, abs=1e-6)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-4, atol=1e-6)
    if positive:
        assert (ours.coef_ >= 0).all()


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("alpha", [0.5, 0.0])
def test_positive_ridge_and_least_squares_converge_to_scipy_nnls(alpha, precompute):
    X, y = sparse_regression(seed=17)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n, p = X.shape
    # (1/2n)‖yc − Xc·w‖² + ½·alpha·‖w‖² = (1/2n)‖(Xc; √(n·alpha)·I)·w − (yc; 0)‖², w ≥ 0.
    expected = nnls(np.vstack([Xc, np.sqrt(n * alpha) * np.eye(p)]), np.r_[yc, np.zeros(p)])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the alpha=0 advice
        warnings.simplefilter("error", ConvergenceWarning)
        model = ElasticNet(
            alpha=alpha, l1_ratio=0.0, positive=True, precompute=precompute, **TIGHT
        ).fit(X, y)
    assert model.n_iter_ < 1000
    assert_allclose(model.coef_, expected, rtol=1e-4, atol=1e-6)
    assert (expected == 0).sum() >= 5  # the constraint is active


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.003, 0.05, 0.5])
def test_lasso_matches_scikit_learn_and_is_elastic_net_with_l1_ratio_one(alpha, fit_intercept):
    X, y = sparse_regression(seed=1)
    ours = Lasso(alpha=alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    theirs = linear_model.Lasso(alpha=alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-6)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-4, abs=1e-6)
    enet = ElasticNet(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    assert_array_equal(ours.coef_, enet.coef_)
    assert "l1_ratio" not in ours.get_params()


@pytest.mark.parametrize("precompute", [False, True])
def test_random_selection_reaches_the_same_optimum_reproducibly(precompute):
    X, y = sparse_regression(seed=2)
    params = dict(alpha=0.05, l1_ratio=0.5, selection="random", precompute=precompute, **TIGHT)
    first = ElasticNet(random_state=0, **params).fit(X, y)
    again = ElasticNet(random_state=0, **params).fit(X, y)
    other = ElasticNet(random_state=1, **params).fit(X, y)
    theirs = linear_model.ElasticNet(alpha=0.05, l1_ratio=0.5, **TIGHT).fit(X, y)
    assert_array_equal(first.coef_, again.coef_)
    assert first.n_iter_ == again.n_iter_
    assert_allclose(first.coef_, theirs.coef_, rtol=1e-4, atol=1e-6)
    assert_allclose(other.coef_, theirs.coef_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("precompute", ["auto", False, True])
@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.05, 1.0), (0.2, 0.5), (1.0, 0.1)])
def test_duality_gap_at_the_solution_is_below_tol(alpha, l1_ratio, precompute):
    X, y = sparse_regression(seed=3, correlation=1.0)
    tol = 1e-6
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, precompute=precompute).fit(X, y)
    bound = tol * np.sum((y - y.mean()) ** 2) / len(y)
    assert 0 <= model.dual_gap_ <= bound
    recomputed = duality_gap(X, y, model.coef_, alpha, l1_ratio, fit_intercept=True)
    assert recomputed == pytest.approx(model.dual_gap_, rel=1e-5, abs=1e-12)
    assert model.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ model.coef_)


def test_stops_like_scikit_learn_at_the_default_tol():
    X, y = sparse_regression(n=500, seed=4, correlation=1.0)
    ours = Lasso(alpha=0.02, precompute=False).fit(X, y)
    theirs = linear_model.Lasso(alpha=0.02).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.dual_gap_ == pytest.approx(theirs.dual_gap_, rel=1e-6)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("precompute", [False, True])
def test_warm_start_reuses_coef_and_needs_fewer_sweeps(precompute):
    X, y = sparse_regression(n=400, seed=5, correlation=1.0)
    params = dict(l1_ratio=0.8, precompute=precompute, tol=1e-8)
    warm = ElasticNet(alpha=0.1, warm_start=True, **params).fit(X, y)
    warm.set_params(alpha=0.09).fit(X, y)
    cold = ElasticNet(alpha=0.09, **params).fit(X, y)
    assert 0 < warm.n_iter_ < cold.n_iter_
    assert_allclose(warm.coef_, cold.coef_, rtol=1e-4, atol=1e-6)
    assert warm.fit(X, y).n_iter_ == 0  # already optimal: the first gap check stops it
    assert ElasticNet(alpha=0.09, **params).fit(X, y).n_iter_ == cold.n_iter_


def test_warm_start_ignores_a_coef_of_another_shape():
    X, y = sparse_regression(seed=6)
    model = Lasso(alpha=0.1, warm_start=True).fit(X[:, :5], y)
    model.fit(X, y)
    assert model.coef_.shape == (X.shape[1],)
    assert_allclose(model.coef_, Lasso(alpha=0.1).fit(X, y).coef_)


def test_seed_lasso_keeps_exactly_the_three_true_features():
    # The seed's pipeline: uniform X standardized, y = 5x0 + 2x1 - 3x2 + N(0, 0.5), alpha 0.1.
    rng = np.random.default_rng(42)
    X = rng.random((1000, 20))
    y = 5 * X[:, 0] + 2 * X[:, 1] - 3 * X[:, 2] + rng.normal(0, 0.5, 1000)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = Lasso(alpha=0.1).fit(X, y)
    assert_array_equal(np.flatnonzero(model.coef_), [0, 1, 2])
    assert_array_equal(np.sign(model.coef_[:3]), [1, 1, -1])
    theirs = linear_model.Lasso(alpha=0.1).fit(X, y)
    assert_allclose(model.coef_, theirs.coef_, rtol=1e-4, atol=1e-6)
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("precompute", ["auto", False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_path_matches_scikit_learn(positive, precompute):
    X, y = sparse_regression(seed=7)
    alphas, coefs, gaps = lasso_path(
        X, y, n_alphas=20, positive=positive, precompute=precompute, **TIGHT
    )
    their_alphas, their_coefs, _ = linear_model.lasso_path(
        X, y, alphas=20, positive=positive, **TIGHT
    )
    assert_allclose(alphas, their_alphas, rtol=1e-12)
    assert_array_equal(lasso_path(X, y, alphas=20, precompute=precompute, **TIGHT)[0], alphas)
    assert coefs.shape == (X.shape[1], 20)
    assert_allclose(coefs, their_coefs, rtol=1e-4, atol=1e-6)
    assert (gaps >= 0).all()


@pytest.mark.parametrize("l1_ratio", [0.9, 0.5, 0.1])
def test_enet_path_matches_scikit_learn_without_centring(l1_ratio):
    X, y = sparse_regression(seed=8)
    alphas, coefs, gaps, n_iters = enet_path(
        X, y, l1_ratio=l1_ratio, n_alphas=15, eps=1e-2, return_n_iter=True, **TIGHT
    )
    theirs = linear_model.enet_path(X, y, l1_ratio=l1_ratio, alphas=15, eps=1e-2, **TIGHT)
    assert_allclose(alphas, theirs[0], rtol=1e-12)
    assert_allclose(coefs, theirs[1], rtol=1e-4, atol=1e-6)
    # Uncentred: alpha_max = max|Xᵀy| / (n·l1_ratio) with the raw X and y.
    assert alphas[0] == pytest.approx(np.abs(X.T @ y).max() / (len(y) * l1_ratio))
    assert len(n_iters) == len(gaps) == 15
    each = [
        ElasticNet(alpha=a, l1_ratio=l1_ratio, fit_intercept=False, **TIGHT).fit(X, y).coef_
        for a in alphas[[0, 7, 14]]
    ]
    assert_allclose(np.column_stack(each), coefs[:, [0, 7, 14]], rtol=1e-4, atol=1e-6)


def test_path_takes_explicit_alphas_in_descending_order_and_a_coef_init():
    X, y = sparse_regression(seed=9)
    alphas, coefs, _ = enet_path(X, y, alphas=[0.01, 1.0, 0.1], **TIGHT)
    assert_array_equal(alphas, [1.0, 0.1, 0.01])
    theirs = linear_model.enet_path(X, y, alphas=[0.01, 1.0, 0.1], **TIGHT)
    assert_allclose(coefs, theirs[1], rtol=1e-4, atol=1e-6)
    started = enet_path(X, y, alphas=[0.01], coef_init=coefs[:, -1], return_n_iter=True)
    assert started[3][0] == 0
    assert_array_equal(started[1][:, 0], coefs[:, -1])


def test_path_accepts_integer_and_strided_targets():
    X, y = sparse_regression(seed=18)
    targets = np.column_stack([np.round(y).astype(np.int32), np.zeros(len(y))])
    alphas, coefs, _ = lasso_path(X, targets[:, 0], n_alphas=5, max_iter=np.int32(500))
    theirs = linear_model.lasso_path(X, np.round(y), alphas=5)
    assert_allclose(alphas, theirs[0])
    assert_allclose(coefs, theirs[1], rtol=1e-3, atol=1e-4)


def test_sparsity_grows_along_the_path():
    X, y = sparse_regression(n=300, seed=10)
    X = X - X.mean(axis=0)
    alphas, coefs, _ = lasso_path(X, y - y.mean(), n_alphas=30)
    nonzero = (coefs != 0).sum(axis=0)
    assert np.all(np.diff(alphas) < 0)
    assert nonzero[0] == 0  # alpha_max: every coefficient is 0
    assert np.all(np.diff(nonzero) >= 0)
    assert nonzero[-1] > 6


def test_auto_switches_to_the_gram_matrix_after_a_sweep_budget():
    assert data_sweep_budget("auto", 1000, 256) == 0  # narrow: the Gram matrix at once
    assert data_sweep_budget("auto", 2000, 257) == 5  # wide: after ⌈p/64⌉ sweeps
    assert data_sweep_budget("auto", 100, 100) is None  # n <= p: the data is cheaper
    assert data_sweep_budget(True, 10, 100) == 0
    assert data_sweep_budget(False, 1000, 10) is None
    X, y = sparse_regression(n=600, p=300, seed=11, correlation=0.5)
    fits = {
        pre: Lasso(alpha=0.1, precompute=pre, tol=1e-8).fit(X, y) for pre in ("auto", False, True)
    }
    assert fits[False].n_iter_ > data_sweep_budget("auto", 600, 300)
    for model in fits.values():
        assert_allclose(model.coef_, fits[False].coef_, rtol=1e-4, atol=1e-6)
        assert model.n_iter_ == pytest.approx(fits[False].n_iter_, rel=0.25)


@pytest.mark.parametrize("mean", [0.5, 1e4])
def test_gram_matrix_of_features_far_from_their_mean_keeps_its_precision(mean):
    X, y = sparse_regression(seed=16)
    X = X - X.mean(axis=0) + mean  # 1e4: XᵀX − n·x̄x̄ᵀ would lose 8 digits; blocks centre
    X_offset = X.mean(axis=0)
    expected = (X - X_offset).T @ (X - X_offset)
    assert_allclose(centred_gram(X, X_offset), expected, rtol=1e-11, atol=1e-9)
    ours = Lasso(alpha=0.05, precompute=True, **TIGHT).fit(X, y)
    theirs = linear_model.Lasso(alpha=0.05, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)


def test_not_converging_warns_with_the_gap():
    X, y = sparse_regression(seed=12, correlation=3.0)
    with pytest.warns(ConvergenceWarning, match=r"did not converge .* max_iter=2 .*duality gap"):
        model = Lasso(alpha=0.001, max_iter=2).fit(X, y)
    assert model.n_iter_ == 2
    assert model.dual_gap_ > 0
    with pytest.warns(ConvergenceWarning):
        enet_path(X, y, n_alphas=3, max_iter=1, tol=0.0)


def test_alpha_zero_warns_and_fits_least_squares():
    X, y = sparse_regression(n=300, p=5, seed=13)
    with pytest.warns(UserWarning, match="alpha=0 fits ordinary least squares"):
        model = ElasticNet(alpha=0.0, tol=1e-12, max_iter=10_000).fit(X, y)
    design = np.column_stack([X, np.ones(len(y))])
    least_squares = np.linalg.lstsq(design, y, rcond=None)[0]
    assert_allclose(model.coef_, least_squares[:-1], rtol=1e-6)
    assert model.intercept_ == pytest.approx(least_squares[-1], rel=1e-6)


def test_constant_feature_gets_a_zero_coefficient():
    X, y = sparse_regression(seed=14)
    X[:, 4] = 7.0
    for precompute in (False, True):
        model = ElasticNet(alpha=0.01, precompute=precompute).fit(X, y)
        assert model.coef_[4] == 0.0
        assert np.isfinite(model.coef_).all()


def test_fitted_state_saves_and_loads(tmp_path):
    X, y = sparse_regression(seed=15)
    for model in (Lasso(alpha=0.1), ElasticNet(alpha=0.1, l1_ratio=0.3, selection="random")):
        model.fit(X, y)
        save_estimator(model, tmp_path / type(model).__name__)
        loaded = load_estimator(tmp_path / type(model).__name__)
        assert loaded.get_params() == model.get_params()
        assert_array_equal(loaded.predict(X), model.predict(X))
        assert (loaded.dual_gap_, loaded.n_iter_) == (model.dual_gap_, model.n_iter_)


XY = sparse_regression(n=20, p=3)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 1.5, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 1.5, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0], np.where(XY[1] > 3, np.nan, XY[1]), "NaN"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        (
            {"alpha": -1.0},
            *XY,
            r"'alpha' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (
            {"l1_ratio": 1.5},
            *XY,
            r"'l1_ratio' parameter .* float in the range \[0\.0, 1\.0\]\. Got 1\.5",
        ),
        ({"max_iter": 0}, *XY, r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0"),
        ({"tol": -1e-3}, *XY, r"'tol' parameter .* float in the range \[0\.0, inf\)\. Got -0\.001"),
        ({"selection": "greedy"}, *XY, r"'selection' parameter .* str among"),
        (
            {"precompute": "always"},
            *XY,
            r"'precompute' parameter .* \{'auto'\} or an instance of 'bool' .*\. Got 'always'",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        ElasticNet(**params).fit(X, y)


def test_bad_path_arguments_and_predict_shape_raise():
    X, y = XY
    with pytest.raises(ValueError, match="automatic alpha grid needs l1_ratio > 0"):
        enet_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="alphas must be finite numbers >= 0"):
        enet_path(X, y, alphas=[0.1, -1.0])
    with pytest.raises(ValueError, match="coef_init must hold 3 finite numbers"):
        lasso_path(X, y, coef_init=[0.0, 1.0])
    with pytest.raises(
        ValueError,
        match=r"'eps' parameter .* float in the range \(0\.0, inf\)\. Got 0",
    ):
        lasso_path(X, y, eps=0)
    with pytest.raises(ValueError, match="NaN"):
        lasso_path(np.where(X > 1.5, np.nan, X), y)
    fitted = Lasso(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but Lasso is expecting 3"):
        fitted.predict(X[:, :2])


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(1, 1), (515, 3), (700, 300)])
def test_centred_transpose_is_the_transpose_of_the_centred_data(order, shape):
    rng = np.random.default_rng(0)
    X = np.asarray(rng.normal(size=shape), order=order)
    X.flags.writeable = False
    offset = X.mean(axis=0)
    y = rng.normal(size=shape[0])
    XT, norm2, Xty = centred_transpose(X, offset, y)
    assert XT.flags.c_contiguous and XT.shape == shape[::-1]
    assert_array_equal(XT, (X - offset).T)
    assert_allclose(norm2, ((X - offset) ** 2).sum(axis=0), rtol=1e-13)
    assert_allclose(Xty, (X - offset).T @ y, rtol=1e-12, atol=1e-12 * np.abs(y).sum())
