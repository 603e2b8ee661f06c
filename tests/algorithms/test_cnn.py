"""CNN layers (the seed's shapes, a direct convolution, numerical gradients) and CNNClassifier."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.signal import correlate
from sklearn.datasets import load_digits

from algorithms._kernel_args import read_only
from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network._cnn import (
    CNNClassifier,
    backward,
    batch_loss,
    forward,
    network_shapes,
    shapes_from_array,
    shapes_to_array,
    unpack,
)
from algorithms.neural_network._conv import (
    col2im,
    conv_relu_pool_backward,
    conv_relu_pool_forward,
    im2col,
    patch_offsets,
)
from algorithms.persistence import load_estimator, save_estimator

RNG = np.random.default_rng(0)


def direct_conv(x, weights, bias, stride, padding):
    """Cross-correlation by scipy, one (image, filter) pair at a time, then strided."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    n, filters = x.shape[0], weights.shape[3]
    out = np.array(
        [
            [
                correlate(x[i], weights[..., f], mode="valid")[..., 0] + bias[f]
                for f in range(filters)
            ]
            for i in range(n)
        ]
    )
    return out.transpose(0, 2, 3, 1)[:, ::stride, ::stride]


def numerical_gradient(loss, array, eps=1e-6):
    """Central differences of loss() with respect to every entry of array (changed in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        up = loss()
        array[index] = saved - eps
        down = loss()
        array[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


def layer_forward(x, kernel, bias, padding, ph, pw):
    """The conv layer's kernel called as `_cnn.forward` calls it, inputs as read-only views."""
    return conv_relu_pool_forward(read_only(x), read_only(kernel), read_only(bias), padding, ph, pw)


def test_seed_shapes():
    x = RNG.standard_normal((1, 6, 6, 3))
    kernels = RNG.standard_normal((3, 3, 3, 2))
    cols, conv, pooled, argmax = layer_forward(x, kernels, np.zeros(2), 0, 2, 2)
    assert cols.shape == (16, 27) and conv.shape == (1, 4, 4, 2)
    assert pooled.shape == argmax.shape == (1, 2, 2, 2) and pooled.min() >= 0
    assert pooled[0, 1, 0, 1] == max(conv[0, 2:4, 0:2, 1].max(), 0.0)
    assert conv.ravel()[argmax[0, 1, 0, 1]] == conv[0, 2:4, 0:2, 1].max()


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv_matches_direct_convolution_and_pools_its_relu(padding):
    x = RNG.standard_normal((2, 7, 6, 3))
    weights = RNG.standard_normal((3, 2, 3, 4))
    bias = RNG.standard_normal(4)
    _, out, pooled, _ = layer_forward(x, weights, bias, padding, 2, 2)
    assert_allclose(out, direct_conv(x, weights, bias, 1, padding), atol=1e-12)
    h, w = out.shape[1] // 2 * 2, out.shape[2] // 2 * 2
    windows = np.maximum(out, 0)[:, :h, :w].reshape(2, h // 2, 2, w // 2, 2, 4)
    assert_array_equal(pooled, windows.max(axis=(2, 4)))


def test_im2col_rows_are_receptive_fields_and_col2im_is_its_adjoint():
    x = RNG.standard_normal((2, 5, 4, 3))
    offsets = patch_offsets(5, 4, 3, 3, 3, 1)
    cols = im2col(read_only(x), offsets, 27)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    assert_array_equal(cols[(1 * 5 + 2) * 4 + 0], padded[1, 2:5, 0:3].ravel())
    probe = RNG.standard_normal(cols.shape)
    assert np.sum(cols * probe) == pytest.approx(np.sum(x * col2im(probe, offsets, x.shape)))


def test_conv_rejects_a_channel_mismatch():
    with pytest.raises(ValueError, match="channels differ from the kernels' channels"):
        layer_forward(np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 3, 1)), np.zeros(1), 1, 2, 2)


@pytest.mark.parametrize(("padding", "pool"), [(1, (2, 2)), (0, (1, 2)), (1, (3, 2))])
def test_conv_relu_pool_gradients(padding, pool):
    x = RNG.standard_normal((2, 6, 5, 2))
    weights = RNG.standard_normal((3, 3, 2, 3))
    bias = RNG.standard_normal(3)
    probe = RNG.standard_normal(layer_forward(x, weights, bias, padding, *pool)[2].shape)

    def loss():
        return float(np.sum(layer_forward(x, weights, bias, padding, *pool)[2] * probe))

    cols, z, _, argmax = layer_forward(x, weights, bias, padding, *pool)
    dw, db = np.empty_like(weights), np.empty_like(bias)
    dx = conv_relu_pool_backward(
        probe, x, cols, z, argmax, weights, padding, *pool, True, dw, db, 0.0
    )
    assert_allclose(dx, numerical_gradient(loss, x), atol=1e-6)
    assert_allclose(dw, numerical_gradient(loss, weights), atol=1e-6)
    assert_allclose(db, numerical_gradient(loss, bias), atol=1e-6)
    dw_decayed = np.empty_like(weights)
    no_dx = conv_relu_pool_backward(
        probe, x, cols, z, argmax, weights, padding, *pool, False, dw_decayed, db, 0.25
    )
    assert no_dx.size == 0
    assert_allclose(dw_decayed, dw + 0.25 * weights, rtol=1e-14, atol=1e-14)


def test_network_gradient():
    image_shape, n_classes, alpha = (5, 4, 2), 3, 0.3
    shapes = network_shapes(image_shape, (3, 2), (4,), n_classes)
    flat = RNG.standard_normal(sum(int(np.prod(s)) for s in shapes)) * 0.5
    params = unpack(flat, shapes)
    images = RNG.standard_normal((6, *image_shape))
    onehot = np.eye(n_classes)[RNG.integers(n_classes, size=6)]

    def loss():
        return batch_loss(params, forward(params, images, 2)[0], onehot, alpha)

    grad_flat = np.zeros_like(flat)
    proba, cache = forward(params, images, 2)
    backward(params, unpack(grad_flat, shapes), proba, onehot, cache, alpha)
    assert_allclose(grad_flat, numerical_gradient(loss, flat), rtol=1e-5, atol=1e-7)


def test_shapes_table_round_trip():
    shapes = network_shapes((8, 8, 1), (8, 16), (32,), 10)
    assert shapes == [(3, 3, 1, 8), (8,), (3, 3, 8, 16), (16,), (64, 32), (32,), (32, 10), (10,)]
    assert shapes_from_array(shapes_to_array(shapes)) == shapes


def digits():
    X, y = load_digits(return_X_y=True)
    return X[:1400] / 16.0, y[:1400], X[1400:] / 16.0, y[1400:]


def test_learns_digits():
    X_train, y_train, X_test, y_test = digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CNNClassifier(max_iter=6, learning_rate_init=0.01, random_state=0)
        clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9
    assert clf.n_iter_ == 6 and len(clf.loss_curve_) == 6
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 5
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X_test))
    assert clf.packed_params_.ndim == 1 and clf.param_shapes_.shape == (8, 4)
    assert clf.validation_scores_ is None


def test_early_stopping_stops_after_n_iter_no_change_stale_epochs():
    X_train, y_train, _, _ = digits()
    clf = CNNClassifier(
        filters=(4,),
        dense=(),
        early_stopping=True,
        n_iter_no_change=2,
        tol=0.5,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X_train[:300], y_train[:300])
    assert clf.n_iter_ == 3  # tol 0.5 accuracy is never gained after the first epoch
    assert len(clf.validation_scores_) == 3
    assert all(0.0 <= score <= 1.0 for score in clf.validation_scores_)


def test_persistence_round_trip(tmp_path):
    X_train, y_train, X_test, _ = digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CNNClassifier(filters=(4,), max_iter=2, random_state=0).fit(X_train, y_train)
    save_estimator(clf, tmp_path)
    loaded = load_estimator(tmp_path)
    assert_array_equal(loaded.packed_params_, clf.packed_params_)
    assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))


def test_seeded_fits_are_identical_and_warn_when_unfinished():
    X_train, y_train, _, _ = digits()
    fits = []
    for _ in range(2):
        with pytest.warns(ConvergenceWarning, match="max_iter=2"):
            fits.append(CNNClassifier(max_iter=2, random_state=1).fit(X_train[:200], y_train[:200]))
    assert_array_equal(fits[0].packed_params_, fits[1].packed_params_)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_shape": (8, 7, 1)}, "holds 56 values but X has 64 features"),
        ({"image_shape": (8, 8)}, "image_shape must be"),
        ({"filters": (8, 0)}, "filters must be"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
    ],
)
def test_bad_parameters(kwargs, message):
    X_train, y_train, _, _ = digits()
    with pytest.raises(ValueError, match=message):
        CNNClassifier(**kwargs).fit(X_train[:20], y_train[:20])


def test_bad_data():
    X = np.zeros((4, 64))
    with pytest.raises(ValueError, match="needs at least two classes; got 1 class"):
        CNNClassifier().fit(X, [1, 1, 1, 1])
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        CNNClassifier().fit(X, [0, 1, 0, 1])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_names_the_learning_rate():
    X_train, y_train, _, _ = digits()
    with pytest.raises(ValueError, match="learning_rate_init=1e\\+30"):
        CNNClassifier(learning_rate_init=1e30, random_state=0).fit(X_train * 1e200, y_train)
