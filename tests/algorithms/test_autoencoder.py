"""Autoencoder: architecture, learning to reconstruct, encode/decode, bad input, sklearn checks."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network import Autoencoder, MLPRegressor


def low_rank(n=400, n_features=10, rank=2, seed=0):
    """Rows on a rank-`rank` linear subspace of R^n_features, plus a little noise."""
    rng = np.random.default_rng(seed)
    codes = rng.normal(size=(n, rank))
    return codes @ rng.normal(size=(rank, n_features)) + 0.01 * rng.normal(size=(n, n_features))


def test_decoder_mirrors_the_encoder_by_default():
    X = low_rank(n=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mirrored = Autoencoder(encoder_layer_sizes=(6, 3), max_iter=2).fit(X)
        custom = Autoencoder(encoder_layer_sizes=(6, 3), decoder_layer_sizes=(4, 5), max_iter=2)
        custom.fit(X)
    assert_array_equal(mirrored.layer_shapes_, [[10, 6], [6, 3], [3, 6], [6, 10]])
    assert_array_equal(custom.layer_shapes_, [[10, 6], [6, 3], [3, 4], [4, 5], [5, 10]])
    assert mirrored.transform(X).shape == (50, 3)
    assert_array_equal(
        mirrored.get_feature_names_out(), ["autoencoder0", "autoencoder1", "autoencoder2"]
    )


def test_linear_autoencoder_reconstructs_low_rank_data():
    X = low_rank()
    ae = Autoencoder(
        encoder_layer_sizes=(2,),
        activation="identity",
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X)
    assert ae.loss_curve_[-1] < 0.01 * ae.loss_curve_[0]
    codes = ae.transform(X)
    assert codes.shape == (len(X), 2)
    reconstruction = ae.inverse_transform(codes)
    relative = np.linalg.norm(reconstruction - X) / np.linalg.norm(X)
    assert relative < 0.03
    errors = ae.reconstruction_error(X)
    assert errors.shape == (len(X),)
    assert_allclose(errors, ((reconstruction - X) ** 2).mean(axis=1))


def test_nonlinear_autoencoder_reconstruction_error_goes_down():
    X = low_rank(rank=3)
    ae = Autoencoder(
        encoder_layer_sizes=(16, 3),
        activation="tanh",
        learning_rate_init=0.003,
        max_iter=150,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = Autoencoder(**{**ae.get_params(), "max_iter": 5}).fit(X)
        ae.fit(X)
    assert ae.reconstruction_error(X).mean() < 0.2 * short.reconstruction_error(X).mean()
    assert np.all(np.diff(ae.loss_curve_[:50]) < 0)
    relative = np.linalg.norm(ae.inverse_transform(ae.transform(X)) - X) / np.linalg.norm(X)
    assert relative < 0.2


def test_autoencoder_is_a_regressor_of_x_on_itself():
    # The same network and seed trained by MLPRegressor on y = X learns the same weights.
    X = low_rank(n=100)
    params = dict(activation="tanh", max_iter=10, random_state=1, batch_size=32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae = Autoencoder(encoder_layer_sizes=(5, 2), **params).fit(X)
        reg = MLPRegressor(hidden_layer_sizes=(5, 2, 5), **params).fit(X, X)
    assert_array_equal(ae.packed_coefs_, reg.packed_coefs_)
    assert_array_equal(ae.loss_curve_, reg.loss_curve_)


def test_early_stopping_scores_are_negated_reconstruction_errors():
    X = low_rank()
    ae = Autoencoder(
        encoder_layer_sizes=(4,),
        activation="identity",
        early_stopping=True,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X)
    scores = np.array(ae.validation_scores_)
    assert np.all(scores <= 0)
    assert ae.best_validation_score_ == scores.max()
    assert ae.n_iter_ == len(scores)


def test_partial_fit_continues_training():
    X = low_rank(n=100)
    ae = Autoencoder(encoder_layer_sizes=(3,), random_state=0, learning_rate_init=0.01)
    for _ in range(3):
        ae.partial_fit(X)
    assert ae.n_iter_ == 3 and len(ae.loss_curve_) == 3
    assert ae.loss_curve_[2] < ae.loss_curve_[0]


def test_bad_input_raises_a_clear_value_error():
    X = low_rank(n=20)
    with pytest.raises(ValueError, match="NaN"):
        Autoencoder().fit(np.where(X > 1, np.nan, X))
    with pytest.raises(ValueError, match="0 sample"):
        Autoencoder().fit(X[:0])
    with pytest.raises(ValueError, match="encoder_layer_sizes must hold positive"):
        Autoencoder(encoder_layer_sizes=(4, -1)).fit(X)
    with pytest.raises(ValueError, match="decoder_layer_sizes must hold positive"):
        Autoencoder(decoder_layer_sizes=(0,)).fit(X)
    with pytest.raises(ValueError, match="diverged at epoch .* learning_rate_init=100000.0"):
        Autoencoder(solver="sgd", learning_rate_init=1e5, max_iter=20).fit(X * 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = Autoencoder(encoder_layer_sizes=(4, 2), max_iter=2).fit(X)
    with pytest.raises(ValueError, match=r"codes of shape \(n_samples, 2\), got \(20, 3\)"):
        fitted.inverse_transform(X[:, :3])
    with pytest.raises(ValueError, match="X has 3 features, but Autoencoder is expecting 10"):
        fitted.transform(X[:, :3])
