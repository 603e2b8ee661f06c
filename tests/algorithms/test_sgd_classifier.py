"""SGDClassifier: scikit-learn's numbers, incremental learning, determinism, refusals."""

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model

from algorithms.exceptions import ConvergenceWarning
from algorithms.linear.sgd_classifier import SGDClassifier

DATA = Path(__file__).resolve().parents[2] / "data"


def load(name):
    """(X, y) of data/<name>.csv: every column but the last as floats, the last as labels."""
    with open(DATA / f"{name}.csv", newline="") as file:
        rows = list(csv.reader(file))[1:]
    return np.array([row[:-1] for row in rows], dtype=float), np.array([row[-1] for row in rows])


def standardised_split(name, seed=0, train=0.7):
    """A seeded train/test split of data/<name>.csv, standardised on the training rows."""
    X, y = load(name)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(train * len(y))
    mean, std = X[order[:cut]].mean(axis=0), X[order[:cut]].std(axis=0)
    std[std == 0] = 1.0
    X = (X - mean) / std
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def fit_both(params, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn alike when max_iter is reached
        ours = SGDClassifier(**params).fit(X, y, **fit_params)
        theirs = linear_model.SGDClassifier(**params).fit(X, y, **fit_params)
    return ours, theirs


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "iris"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"loss": "log_loss"},
        {"loss": "modified_huber", "penalty": "elasticnet", "l1_ratio": 0.5},
        {"penalty": "l1", "learning_rate": "invscaling", "eta0": 0.05},
        {"loss": "log_loss", "learning_rate": "adaptive", "penalty": None},
        {"learning_rate": "constant", "fit_intercept": False, "alpha": 0.01},
        {"class_weight": "balanced", "max_iter": 7, "tol": None},
    ],
)
def test_without_shuffling_it_takes_scikit_learns_steps_exactly(name, params):
    """Same rows in the same order: the same weights, epochs and update count as
    scikit-learn's (its arithmetic, rounding included; 1e-12 allows for BLAS differences)."""
    X, y, _, _ = standardised_split(name)
    ours, theirs = fit_both({"shuffle": False, **params}, X, y)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.coef_.shape == theirs.coef_.shape
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-12, atol=1e-12)
    assert (ours.n_iter_, ours.t_) == (theirs.n_iter_, theirs.t_)
    assert_array_equal(ours.predict(X), theirs.predict(X))


def test_sample_and_class_weights_weigh_the_steps_as_scikit_learns():
    X, y, _, _ = standardised_split("iris")
    weights = np.random.default_rng(3).uniform(0.1, 3.0, len(y))
    params = {"shuffle": False, "class_weight": {"setosa": 2.0, "versicolor": 0.5}}
    ours, theirs = fit_both(params, X, y, sample_weight=weights)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-12, atol=1e-12)
    unweighted = SGDClassifier(shuffle=False).fit(X, y)
    assert np.abs(unweighted.coef_ - ours.coef_).max() > 0.1


@pytest.mark.parametrize("loss", ["log_loss", "modified_huber"])
@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_probabilities_are_scikit_learns(name, loss):
    X, y, X_test, _ = standardised_split(name)
    ours, theirs = fit_both({"loss": loss, "shuffle": False}, X, y)
    assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-12)
    assert_allclose(ours.predict_proba(X_test).sum(axis=1), 1.0)
    assert_allclose(ours.decision_function(X_test), theirs.decision_function(X_test), atol=1e-10)


def test_hinge_has_no_probabilities():
    model = SGDClassifier().fit(*standardised_split("breast_cancer")[:2])
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError, match="has no attribute 'predict_proba'") as error:
        model.predict_proba  # noqa: B018
    assert "not available for loss='hinge'" in str(error.value.__cause__)


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "digits"])
@pytest.mark.parametrize("loss", ["hinge", "log_loss", "modified_huber"])
def test_shuffled_held_out_accuracy_is_scikit_learns_within_three_points(name, loss):
    """Shuffling draws other permutations than scikit-learn's, so the fits differ; the mean
    held-out accuracy over 8 seeds must be within 0.03 of scikit-learn's."""
    X, y, X_test, y_test = standardised_split(name)
    gaps = []
    for seed in range(8):
        ours, theirs = fit_both({"loss": loss, "random_state": seed}, X, y)
        gaps.append(ours.score(X_test, y_test) - theirs.score(X_test, y_test))
    assert abs(np.mean(gaps)) <= 0.03, gaps
    assert ours.score(X_test, y_test) > 0.9


@pytest.mark.parametrize("penalty", ["l2", None])
@pytest.mark.parametrize("learning_rate", ["optimal", "constant", "invscaling"])
def test_partial_fit_over_chunks_in_order_equals_one_epoch_of_fit(penalty, learning_rate):
    """Per-sample SGD in a fixed order: chunking the stream changes nothing but rounding."""
    X, y, _, _ = standardised_split("wine")
    params = {"shuffle": False, "penalty": penalty, "learning_rate": learning_rate}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = SGDClassifier(max_iter=1, tol=None, **params).fit(X, y)
    streamed = SGDClassifier(**params)
    for chunk in np.array_split(np.arange(len(y)), 7):
        streamed.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
    assert_allclose(streamed.coef_, whole.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(streamed.intercept_, whole.intercept_, rtol=1e-9, atol=1e-12)
    assert streamed.t_ == whole.t_ == 1 + len(y)
    assert streamed.n_iter_ == 1


def test_fit_without_tol_equals_one_shuffled_partial_fit_per_epoch():
    """An integer random_state keys each epoch's permutation on its first update count."""
    X, y, _, _ = standardised_split("breast_cancer")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = SGDClassifier(loss="log_loss", max_iter=4, tol=None, random_state=7).fit(X, y)
    streamed = SGDClassifier(loss="log_loss", random_state=7)
    for _ in range(4):
        streamed.partial_fit(X, y, classes=np.unique(y))
    # Each call rebuilds the scaled weight vector, so rounding may differ slightly.
    assert_allclose(streamed.coef_, fitted.coef_, rtol=1e-9)
    assert streamed.t_ == fitted.t_ == 1 + 4 * len(y)


def test_random_state_makes_fits_repeatable_and_seeds_differ():
    X, y, _, _ = standardised_split("digits")
    first = SGDClassifier(random_state=3).fit(X, y)
    again = SGDClassifier(random_state=3).fit(X, y)
    other = SGDClassifier(random_state=4).fit(X, y)
    assert_array_equal(first.coef_, again.coef_)
    assert first.n_iter_ == again.n_iter_
    assert np.abs(first.coef_ - other.coef_).max() > 1e-3


def test_multiclass_is_one_vs_rest_with_one_row_per_class():
    X, y, X_test, _ = standardised_split("iris")
    model = SGDClassifier(random_state=0).fit(X, y)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    scores = model.decision_function(X_test)
    assert_array_equal(model.predict(X_test), model.classes_[scores.argmax(axis=1)])
    X_binary, y_binary, _, _ = standardised_split("breast_cancer")
    binary = SGDClassifier(random_state=0).fit(X_binary, y_binary)
    assert binary.coef_.shape == (1, 30) and binary.intercept_.shape == (1,)
    scores = binary.decision_function(X_binary)
    assert scores.shape == (len(y_binary),)
    assert_array_equal(binary.predict(X_binary), binary.classes_[(scores > 0).astype(int)])


@pytest.mark.parametrize("params", [{"loss": "log_loss"}, {"penalty": "elasticnet"}])
def test_each_one_vs_rest_row_is_its_own_binary_fit(params):
    """The problems share one pass over the rows but not their steps or stopping: row r of a
    shuffled multiclass fit is the binary fit of (y == class r) on the same permutations."""
    X, y, _, _ = standardised_split("digits")
    multiclass = SGDClassifier(random_state=5, n_iter_no_change=3, **params).fit(X, y)
    epochs = []
    for r, label in enumerate(multiclass.classes_):
        binary = SGDClassifier(random_state=5, n_iter_no_change=3, **params).fit(X, y == label)
        assert_array_equal(multiclass.coef_[r], binary.coef_[0])
        assert multiclass.intercept_[r] == binary.intercept_[0]
        epochs.append(binary.n_iter_)
    assert multiclass.n_iter_ == max(epochs) > min(epochs)


def test_tol_stops_after_n_iter_no_change_epochs_and_max_iter_warns():
    X, y, _, _ = standardised_split("breast_cancer")
    stopped = SGDClassifier(random_state=0, n_iter_no_change=3).fit(X, y)
    assert 3 < stopped.n_iter_ < 1000
    assert stopped.t_ == 1 + stopped.n_iter_ * len(y)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        SGDClassifier(random_state=0, max_iter=2).fit(X, y)


def test_warm_start_continues_and_fit_without_it_restarts():
    X, y, _, _ = standardised_split("wine")
    params = {"shuffle": False, "tol": None, "learning_rate": "constant"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SGDClassifier(max_iter=2, warm_start=True, **params).fit(X, y)
        model.fit(X, y)
        continued = model.coef_.copy()
        model.set_params(warm_start=False).fit(X, y)
        fresh = model.coef_.copy()
        four = SGDClassifier(max_iter=4, **params).fit(X, y).coef_
    assert_allclose(continued, four, rtol=1e-9)
    assert np.abs(continued - fresh).max() > 1e-3


def test_partial_fit_needs_classes_on_the_first_call():
    X, y, _, _ = standardised_split("iris")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        SGDClassifier().partial_fit(X, y)


def test_partial_fit_refuses_a_class_it_was_not_told_about():
    X, y, _, _ = standardised_split("iris")
    two = y != "virginica"
    model = SGDClassifier().partial_fit(X[two], y[two], classes=["setosa", "versicolor"])
    with pytest.raises(ValueError, match=r"label\(s\) \['virginica'\] not among the classes"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        model.partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match="not among the classes"):
        SGDClassifier().partial_fit(X, y, classes=["setosa", "versicolor"])


def test_partial_fit_refuses_another_number_of_features():
    X, y, _, _ = standardised_split("iris")
    model = SGDClassifier().partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match="X has 3 features, but SGDClassifier is expecting 4"):
        model.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="X has 3 features, but SGDClassifier is expecting 4"):
        model.predict(X[:, :3])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(bad):
    X, y, _, _ = standardised_split("iris")
    X[5, 2] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        SGDClassifier().fit(X, y)
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        SGDClassifier().partial_fit(X, y, classes=np.unique(y))


@pytest.mark.parametrize(
    ("params", "call", "match"),
    [
        ({"alpha": 0.0}, "fit", "alpha must be > 0 with learning_rate='optimal'"),
        ({"class_weight": "balanced"}, "partial_fit", "class_weight='balanced' needs"),
        ({}, "fit one class", "needs at least two classes"),
        ({}, "partial_fit one class", "classes must hold two labels or more"),
    ],
)
def test_bad_settings_raise_a_clear_value_error(params, call, match):
    X, y, _, _ = standardised_split("iris")
    model = SGDClassifier(**params)
    with pytest.raises(ValueError, match=match):
        if call == "fit":
            model.fit(X, y)
        elif call == "partial_fit":
            model.partial_fit(X, y, classes=np.unique(y))
        elif call == "fit one class":
            model.fit(X, np.full(len(y), "setosa"))
        else:
            model.partial_fit(X, np.full(len(y), "setosa"), classes=["setosa"])


def test_divergence_names_the_step_and_leaves_no_model():
    X, y, _, _ = standardised_split("iris")
    model = SGDClassifier(learning_rate="constant", eta0=1e10)
    with pytest.raises(ValueError, match="SGD diverged in epoch 0 .*eta0=10000000000.0"):
        model.fit(X * 1e300, y)
    assert not hasattr(model, "coef_")
    good = SGDClassifier(random_state=0).fit(X, y)
    before = good.coef_.copy()
    with pytest.raises(ValueError, match="SGD diverged"):
        good.set_params(learning_rate="constant", eta0=1e10).partial_fit(X * 1e300, y)
    with pytest.raises(ValueError, match="SGD diverged"):
        good.fit(X * 1e300, np.where(y == "setosa", "a", "b"))
    assert_array_equal(good.coef_, before)
    assert_array_equal(good.classes_, ["setosa", "versicolor", "virginica"])
