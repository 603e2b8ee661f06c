"""PCA against scikit-learn's on both solver routes, the seed's correlated data, the contract."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import decomposition

from algorithms import _gram
from algorithms.decomposition import PCA

ATTRIBUTES = (
    "components_",
    "explained_variance_",
    "explained_variance_ratio_",
    "singular_values_",
    "mean_",
)


def seed_data():
    """The seed's 100 × 5 data: column 1 ≈ 2·column 0, column 2 a mix of both, plus noise."""
    rng = np.random.RandomState(42)  # the seed's np.random.seed(42) stream
    X = rng.randn(100, 5)
    X[:, 1] = X[:, 0] * 2 + rng.randn(100) * 0.1
    X[:, 2] = X[:, 0] * -0.5 + X[:, 1] * 0.8 + rng.randn(100) * 0.1
    return X


def correlated(n_samples, n_features, seed=0):
    """Rows with distinct variances along random directions, offset from the origin."""
    rng = np.random.default_rng(seed)
    scales = np.linspace(3.0, 0.2, n_features)
    rotation = np.linalg.qr(rng.standard_normal((n_features, n_features)))[0]
    return (rng.standard_normal((n_samples, n_features)) * scales) @ rotation + 5.0


def assert_matches_scikit_learn(ours, theirs):
    for name in ATTRIBUTES:
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-6, atol=1e-9)
    assert ours.n_components_ == theirs.n_components_
    assert ours.noise_variance_ == pytest.approx(theirs.noise_variance_, rel=1e-6)


def test_the_seeds_correlated_data():
    X = seed_data()
    pca = PCA(n_components=2).fit(X)
    assert_allclose(pca.explained_variance_ratio_, [0.71277748, 0.15791861], rtol=1e-7)
    assert_matches_scikit_learn(pca, decomposition.PCA(n_components=2).fit(X))
    reconstruction = pca.inverse_transform(pca.transform(X))
    assert np.mean((X - reconstruction) ** 2) == pytest.approx(0.18261725, rel=1e-6)


@pytest.mark.parametrize(
    "shape",
    [(500, 8), (40, 12), (12, 40)],
    ids=["tall-covariance", "square-svd", "wide-svd"],
)
@pytest.mark.parametrize("n_components", [None, 3, 0.9])
def test_matches_scikit_learn(shape, n_components):
    n_samples, n_features = shape
    X = correlated(max(n_samples, n_features), n_features)[:n_samples]
    ours = PCA(n_components=n_components).fit(X)
    theirs = decomposition.PCA(n_components=n_components).fit(X)
    assert_matches_scikit_learn(ours, theirs)
    assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-6, atol=1e-8)


def test_components_are_orthonormal_with_the_largest_entry_positive():
    pca = PCA().fit(correlated(300, 6))
    assert_allclose(pca.components_ @ pca.components_.T, np.eye(6), atol=1e-12)
    largest = np.abs(pca.components_).argmax(axis=1)
    assert (pca.components_[np.arange(6), largest] > 0).all()
    assert (np.diff(pca.explained_variance_) <= 0).all()
    assert pca.explained_variance_ratio_.sum() == pytest.approx(1.0)
    assert pca.noise_variance_ == 0.0


def test_variance_fraction_keeps_the_fewest_components_above_it():
    X = correlated(400, 6)
    ratios = PCA().fit(X).explained_variance_ratio_
    cumulative = np.cumsum(ratios)
    fraction = (cumulative[2] + cumulative[3]) / 2
    pca = PCA(n_components=fraction).fit(X)
    assert pca.n_components_ == 4
    assert pca.explained_variance_ratio_.sum() > fraction
    assert PCA(n_components=float(cumulative[2])).fit(X).n_components_ == 4
    assert pca.noise_variance_ == pytest.approx(PCA().fit(X).explained_variance_[4:].mean())


@pytest.mark.parametrize("shape", [(500, 8), (30, 10)])
def test_whiten_gives_unit_variance_and_inverts(shape):
    X = correlated(*shape)
    pca = PCA(n_components=4, whiten=True).fit(X)
    Z = pca.transform(X)
    assert_allclose(Z.var(axis=0, ddof=1), np.ones(4), rtol=1e-8)
    assert_allclose(Z, decomposition.PCA(4, whiten=True).fit(X).transform(X), rtol=1e-6, atol=1e-8)
    plain = PCA(n_components=4).fit(X)
    assert_allclose(pca.inverse_transform(Z), plain.inverse_transform(plain.transform(X)))


def test_all_components_round_trip_exactly():
    X = correlated(200, 5)
    for whiten in (False, True):
        pca = PCA(whiten=whiten).fit(X)
        assert_allclose(pca.inverse_transform(pca.transform(X)), X, rtol=1e-10)
        assert_allclose(pca.fit_transform(X), pca.transform(X))


def test_fitted_state_is_plain_arrays_and_numbers():
    pca = PCA(2).fit(seed_data())
    fitted = {name: value for name, value in vars(pca).items() if name.endswith("_")}
    assert set(ATTRIBUTES) <= set(fitted)
    assert all(isinstance(v, np.ndarray | int | float) for v in fitted.values())


@pytest.mark.parametrize(
    ("X", "params", "message"),
    [
        (np.array([[0.0, np.nan], [1.0, 1.0]]), {}, "NaN"),
        (np.array([[0.0, np.inf], [1.0, 1.0]]), {}, "infinity"),
        # Tall: the covariance route, whose Gram pass finds them.
        (np.where(np.arange(60).reshape(20, 3) == 40, np.nan, 1.0), {}, "Input X contains NaN"),
        (np.where(np.arange(60).reshape(20, 3) == 7, -np.inf, 1.0), {}, "X contains infinity"),
        (np.zeros((0, 3)), {}, "0 sample"),
        (np.zeros(4), {}, "Expected 2D array"),
        (np.ones((5, 3)), {"n_components": 4}, r"between 0 and min\(n_samples, n_features\)=3"),
        (
            np.ones((5, 3)),
            {"n_components": 1.5},
            r"'n_components' parameter .* float in the range \(0\.0, 1\.0\) or None\. Got 1\.5",
        ),
        (
            np.ones((5, 3)),
            {"n_components": "mle"},
            r"'n_components' parameter .* float in the range \(0\.0, 1\.0\) or None\. Got 'mle'",
        ),
    ],
)
def test_bad_input_is_refused(X, params, message):
    with pytest.raises(ValueError, match=message):
        PCA(**params).fit(X)


def test_transform_and_inverse_check_shapes():
    pca = PCA(2).fit(seed_data())
    with pytest.raises(ValueError, match="X has 4 features, but PCA is expecting 5"):
        pca.transform(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"expects shape \(n_samples, 2\), got \(3, 3\)"):
        pca.inverse_transform(np.zeros((3, 3)))


@pytest.mark.parametrize("shape", [(10, 3), (8_191, 5), (40_000, 7), (300_000, 2)])
def test_row_block_gram_is_xtx_and_the_same_on_any_number_of_threads(monkeypatch, shape):
    X = np.random.default_rng(1).normal(size=shape)
    results = []
    for cores in (1, 2, 3):
        monkeypatch.setattr(_gram, "usable_cores", lambda cores=cores: cores)
        results.append(_gram.row_block_gram(X))
    assert_allclose(results[0], X.T @ X, rtol=1e-12, atol=1e-9)
    assert_array_equal(results[0], results[1])
    assert_array_equal(results[0], results[2])


@pytest.mark.parametrize("shape", [(10, 3), (40_000, 7)])
def test_row_block_moments_are_the_gram_matrix_and_the_column_sums(shape):
    X = np.random.default_rng(2).normal(3.0, 1.0, size=shape)
    gram, sums = _gram.row_block_moments(X)
    assert_array_equal(gram, _gram.row_block_gram(X))
    assert_allclose(sums, X.sum(axis=0), rtol=1e-13)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_finite_x_whose_squares_overflow_is_not_called_non_finite():
    X = np.ones((40, 2))
    X[3, 0] = 1e200
    with pytest.raises(ValueError, match=r"too large for float64 .* scale the features"):
        PCA(1).fit(X)
