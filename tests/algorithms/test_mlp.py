"""MLPClassifier / MLPRegressor: gradients, scikit-learn agreement, XOR, dropout, early stopping."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk_nn
from sklearn.datasets import load_digits

from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network import MLPClassifier, MLPRegressor
from algorithms.neural_network._layers import (
    backward,
    data_loss,
    forward,
    glorot_uniform,
    l2_penalty,
    layer_shapes,
    unpack,
)

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def objective(theta, shapes, X, Y, activation, out_activation, alpha, masks=None):
    coefs, intercepts = unpack(theta, shapes)
    P = forward(coefs, intercepts, X, activation, out_activation, masks)[2]
    return data_loss(out_activation, Y, P) + l2_penalty(coefs, alpha, len(X))


def gradient(theta, shapes, X, Y, activation, out_activation, alpha, masks=None):
    coefs, intercepts = unpack(theta, shapes)
    inputs, hidden, P = forward(coefs, intercepts, X, activation, out_activation, masks)
    grad = np.empty_like(theta)
    coef_grads, intercept_grads = unpack(grad, shapes)
    backward(coefs, inputs, hidden, masks, P - Y, activation, alpha, coef_grads, intercept_grads)
    return grad


def tiny_problem(out_activation, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, 3))
    n_out = 1 if out_activation == "logistic" else 3
    if out_activation == "identity":
        Y = rng.normal(size=(7, n_out))
    elif out_activation == "logistic":
        Y = rng.integers(0, 2, size=(7, 1)).astype(float)
    else:
        Y = np.eye(n_out)[rng.integers(0, n_out, 7)]
    return X, Y, layer_shapes([3, 4, 5, n_out])


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("out_activation", ["identity", "logistic", "softmax"])
@pytest.mark.parametrize("dropout", [False, True])
def test_backprop_matches_finite_differences(activation, out_activation, dropout):
    X, Y, shapes = tiny_problem(out_activation)
    theta = glorot_uniform(shapes, activation, np.random.RandomState(1))
    masks = None
    if dropout:
        rng = np.random.default_rng(2)
        masks = [(rng.random((7, fan_out)) < 0.7) / 0.7 for fan_out in shapes[:-1, 1]]
    args = (shapes, X, Y, activation, out_activation, 0.3, masks)
    analytic = gradient(theta, *args)
    step = 1e-6
    numeric = np.empty_like(theta)
    for k in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += step
        minus[k] -= step
        numeric[k] = (objective(plus, *args) - objective(minus, *args)) / (2 * step)
    assert np.abs(analytic).max() > 1e-3
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_loss_values_of_each_output():
    P = np.array([[0.8], [0.3]])
    Y = np.array([[1.0], [0.0]])
    assert data_loss("identity", Y, P) == pytest.approx((0.2**2 + 0.3**2) / 4)
    assert data_loss("logistic", Y, P) == pytest.approx(-(np.log(0.8) + np.log(0.7)) / 2)
    soft = np.array([[0.7, 0.2, 0.1]])
    assert data_loss("softmax", np.array([[0.0, 1.0, 0.0]]), soft) == pytest.approx(-np.log(0.2))
    coefs = [np.array([[1.0, 2.0]]), np.array([[3.0], [0.0]])]
    assert l2_penalty(coefs, 0.5, 2) == pytest.approx(0.5 * 14 / 4)


def classification_data(n=120, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.digitize(X @ [1.0, -1.0, 0.5, 0.0] + 0.3 * rng.normal(size=n), [-0.7, 0.7])
    return X, np.minimum(y, n_classes - 1)


def regression_data(n=120, n_targets=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.column_stack([np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + k for k in range(n_targets)])
    return X, y[:, 0] if n_targets == 1 else y


SOLVERS = [
    dict(solver="sgd", momentum=0.0, learning_rate_init=0.1),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.05),
    dict(solver="sgd", momentum=0.9, learning_rate="invscaling", learning_rate_init=0.1),
    dict(solver="adam", learning_rate_init=0.01),
]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_matches_scikit_learn_from_the_same_initial_weights(
    solver, activation, n_classes
):
    # The same random_state gives both the same Glorot draws; one full batch, no shuffling:
    # the first epoch's loss and the weights after the step must agree.
    X, y = classification_data(n_classes=n_classes)
    params = dict(
        hidden_layer_sizes=(6, 5),
        activation=activation,
        alpha=0.01,
        batch_size=len(X),
        shuffle=False,
        max_iter=1,
        random_state=4,
        **solver,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPClassifier(**params).fit(X, y)
        ref = sk_nn.MLPClassifier(**params).fit(X, y)
    assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-12)
    for mine, theirs in zip(
        ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_matches_scikit_learn_over_shuffled_mini_batches(solver, n_targets):
    # Shuffles come from the same RandomState stream, so whole runs agree.
    X, y = regression_data(n_targets=n_targets)
    params = dict(
        hidden_layer_sizes=(8,), alpha=0.001, batch_size=32, max_iter=5, random_state=0, **solver
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPRegressor(**params).fit(X, y)
        ref = sk_nn.MLPRegressor(**params).fit(X, y)
    # With several targets scikit-learn's reported loss also averages the squared error over
    # them (its gradient does not), so only the single-target loss curves agree.
    if n_targets == 1:
        assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-10)
    assert ours.predict(X).shape == y.shape


def standardized_digits():
    X, y = load_digits(return_X_y=True)
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    order = np.random.default_rng(0).permutation(len(X))
    split = int(0.75 * len(X))
    return X[order[:split]], y[order[:split]], X[order[split:]], y[order[split:]]


def test_digits_accuracy_matches_scikit_learn():
    X_train, y_train, X_test, y_test = standardized_digits()
    params = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPClassifier(**params).fit(X_train, y_train)
        ref = sk_nn.MLPClassifier(**params).fit(X_train, y_train)
    accuracy = ours.score(X_test, y_test)
    assert accuracy > 0.94
    assert abs(accuracy - ref.score(X_test, y_test)) <= 0.02
    assert ours.n_iter_ == len(ours.loss_curve_) == 30
    assert ours.loss_curve_[-1] < 0.2 * ours.loss_curve_[0]


def test_the_seeds_xor_network_learns_xor():
    # The seed's [2, 3, 1] network: two inputs, three hidden units, one output.
    xor_net = MLPClassifier(
        hidden_layer_sizes=(3,),
        activation="tanh",
        solver="sgd",
        learning_rate_init=0.5,
        momentum=0.9,
        batch_size=4,
        max_iter=500,
        tol=0.0,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=500"):
        clf = xor_net.fit(XOR_X, XOR_Y)
    assert_array_equal(clf.layer_shapes_, [[2, 3], [3, 1]])
    assert_array_equal(clf.predict(XOR_X), XOR_Y)
    proba = clf.predict_proba(XOR_X)[:, 1]
    assert np.all(np.abs(proba - XOR_Y) < 0.2)


def test_a_wider_network_learns_xor_with_adam():
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 16),
        learning_rate_init=0.05,
        max_iter=300,
        random_state=0,
        tol=0.0,
    ).fit(XOR_X, XOR_Y)
    assert_array_equal(clf.predict(XOR_X), XOR_Y)
    assert clf.loss_curve_[-1] < 0.05


def test_dropout_changes_training_but_prediction_is_deterministic():
    X, y = classification_data()
    params = dict(hidden_layer_sizes=(20,), max_iter=20, random_state=0, learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(**params).fit(X, y)
        dropped = MLPClassifier(dropout=0.5, **params).fit(X, y)
        again = MLPClassifier(dropout=0.5, **params).fit(X, y)
    assert not np.allclose(plain.packed_coefs_, dropped.packed_coefs_)
    assert_array_equal(dropped.packed_coefs_, again.packed_coefs_)
    assert_array_equal(dropped.predict_proba(X), dropped.predict_proba(X))
    assert dropped.score(X, y) > 0.7


def test_early_stopping_restores_the_best_weights():
    X, y = regression_data(n=200)
    params = dict(
        hidden_layer_sizes=(30,),
        early_stopping=True,
        learning_rate_init=0.05,
        n_iter_no_change=5,
        random_state=0,
        max_iter=200,
    )
    full = MLPRegressor(**params).fit(X, y)
    scores = full.validation_scores_
    best = int(np.argmax(scores))
    assert full.n_iter_ == len(scores) == len(full.loss_curve_) > best + 1
    assert full.best_validation_score_ == max(scores)
    assert full.best_loss_ is None
    # The same run cut at the best epoch ends on the weights fit returned.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cut = MLPRegressor(**{**params, "max_iter": best + 1}).fit(X, y)
    assert_array_equal(cut.validation_scores_, scores[: best + 1])
    assert_array_equal(full.packed_coefs_, cut.packed_coefs_)


def test_classifier_validation_scores_are_accuracies():
    X, y = classification_data(n=200)
    clf = MLPClassifier(early_stopping=True, random_state=0, learning_rate_init=0.01).fit(X, y)
    scores = np.array(clf.validation_scores_)
    assert_allclose(scores * 20, np.round(scores * 20))  # 20 validation rows
    assert clf.best_validation_score_ == scores.max() > 0.8


def test_fit_stops_on_a_loss_plateau_and_tracks_the_best_loss():
    X, y = regression_data()
    reg = MLPRegressor(hidden_layer_sizes=(10,), tol=1e-2, random_state=0).fit(X, y)
    assert reg.n_iter_ < 200
    assert reg.best_loss_ == min(reg.loss_curve_)
    assert reg.validation_scores_ is None and reg.best_validation_score_ is None
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        MLPRegressor(max_iter=3, random_state=0).fit(X, y)


def test_fit_equals_one_partial_fit_per_epoch():
    # Like scikit-learn's, fit keeps permuting one row order across epochs while each
    # partial_fit starts from the identity order, so they agree without shuffling.
    X, y = classification_data()
    params = dict(hidden_layer_sizes=(7,), random_state=3, batch_size=25, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = MLPClassifier(max_iter=4, **params).fit(X, y)
    stepped = MLPClassifier(**params)
    for _ in range(4):
        stepped.partial_fit(X, y, classes=[0, 1, 2])
    assert_array_equal(stepped.packed_coefs_, fitted.packed_coefs_)
    assert_array_equal(stepped.loss_curve_, fitted.loss_curve_)
    assert stepped.n_iter_ == 4 and stepped.t_ == 4 * len(X)


def test_fitted_state_is_flat_and_saveable():
    X, y = classification_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(5, 4), max_iter=3, random_state=0).fit(X, y)
    assert_array_equal(clf.layer_shapes_, [[4, 5], [5, 4], [4, 3]])
    assert clf.packed_coefs_.shape == (4 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3,)
    assert [W.shape for W in clf.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [(5,), (4,), (3,)]
    assert_array_equal(clf.coefs_[1].ravel(), clf.packed_coefs_[25:45])
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    for name, value in vars(clf).items():
        if name.endswith("_") and not name.startswith("_") and not isinstance(value, np.ndarray):
            json.dumps(value)
    with pytest.raises(AttributeError):
        clf.coefs_ = []


def test_binary_classifier_uses_one_logistic_unit_and_keeps_labels():
    X, y = classification_data(n_classes=2)
    labels = np.array(["no", "yes"])[y]
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), np.where(proba[:, 1] > 0.5, "yes", "no"))
    assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert clf.score(X, labels) > 0.9


def test_divergence_names_the_learning_rate():
    X, y = regression_data()
    reg = MLPRegressor(solver="sgd", learning_rate_init=1e3, momentum=0.0, max_iter=50)
    with pytest.raises(ValueError, match=r"diverged at epoch \d+ with learning_rate_init=1000.0"):
        reg.fit(X * 1e3, y * 1e3)


XY = classification_data(n=30)


@pytest.mark.parametrize(
    ("params", "X", "y", "match"),
    [
        ({}, np.where(XY[0] > 1.5, np.nan, XY[0]), XY[1], "NaN"),
        ({}, np.where(XY[0] > 1.5, np.inf, XY[0]), XY[1], "infinity"),
        ({}, XY[0][:, 0], XY[1], "2D array"),
        ({}, XY[0][:0], XY[1][:0], "0 sample"),
        ({}, XY[0], XY[1][:-1], "inconsistent numbers of samples"),
        ({}, XY[0], np.zeros(30), "got 1 class"),
        ({}, XY[0], np.linspace(0, 1, 30), "Unknown label type"),
        (
            {"activation": "softplus"},
            *XY,
            r"'activation' parameter .* str among .*\. Got 'softplus'",
        ),
        ({"solver": "lbfgs"}, *XY, r"'solver' parameter .* str among .*\. Got 'lbfgs'"),
        (
            {"learning_rate": "cyclic"},
            *XY,
            r"'learning_rate' parameter .* str among .*\. Got 'cyclic'",
        ),
        ({"hidden_layer_sizes": (3, 0)}, *XY, "hidden_layer_sizes must hold positive"),
        (
            {"learning_rate_init": 0.0},
            *XY,
            r"'learning_rate_init' parameter .* float in the range \(0\.0, inf\)\. Got 0\.0",
        ),
        (
            {"alpha": -1.0},
            *XY,
            r"'alpha' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        ({"max_iter": 0}, *XY, r"'max_iter' parameter .* int in the range \[1, inf\)\. Got 0"),
        ({"batch_size": 0}, *XY, r"'batch_size' parameter .* str among .*\. Got 0"),
        (
            {"dropout": 1.0},
            *XY,
            r"'dropout' parameter .* float in the range \[0\.0, 1\.0\)\. Got 1\.0",
        ),
        (
            {"beta_2": 1.0},
            *XY,
            r"'beta_2' parameter .* float in the range \[0\.0, 1\.0\)\. Got 1\.0",
        ),
        (
            {"validation_fraction": 1.0},
            *XY,
            r"'validation_fraction' parameter .* float in the range \(0\.0, 1\.0\)\. Got 1\.0",
        ),
        ({"early_stopping": True, "validation_fraction": 0.99}, *XY, "leaves none"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**{"max_iter": 2, **params}).fit(X, y)


def test_bad_partial_fit_and_predict_input_raise():
    X, y = XY
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[5\] not in classes \[0, 1, 2\]"):
        MLPClassifier().partial_fit(X, np.where(y == 1, 5, y), classes=[0, 1, 2])
    fitted = MLPClassifier().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="differs from the classes"):
        fitted.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="X has 2 features, but MLPClassifier is expecting 4"):
        fitted.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor().fit(X, np.where(y == 1, np.nan, y))
