"""Pickle-free persistence: round trips, byte-identical files, refusals."""

import json
import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.dummy import DummyClassifier

from algorithms import DeltaRuleClassifier, RandomWeightsClassifier
from algorithms.persistence import (
    FORMAT_VERSION,
    estimator_from_state,
    estimator_state,
    load_estimator,
    save_estimator,
    write_npz,
)
from algorithms.tasks import CLASSIFICATION


def viral_posts(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    return X, (X @ [0.2, 0.5, 0.9] > 0.8).astype(int)


def fitted_delta_rule(**params):
    X, y = viral_posts()
    model = DeltaRuleClassifier(learning_rate=0.05, epochs=30, random_state=0, **params)
    return model.fit(X, y)


def edit_json(directory, **changes):
    path = directory / "estimator.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps({**meta, **changes}))


@pytest.mark.parametrize(
    "model",
    [
        fitted_delta_rule(fit_intercept=True, shuffle=True),
        RandomWeightsClassifier(n_trials=50, fit_intercept=True, random_state=1).fit(
            *viral_posts()
        ),
    ],
)
def test_round_trip_predicts_the_same(tmp_path, model):
    save_estimator(model, tmp_path / "model")
    loaded = load_estimator(tmp_path / "model")
    X, _ = viral_posts(n=40, seed=9)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_array_equal(loaded.decision_function(X), model.decision_function(X))
    assert_array_equal(loaded.loss_curve_, model.loss_curve_)
    assert loaded.intercept_ == model.intercept_
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "estimator.json",
        "estimator.npz",
    ]


def test_saved_files_describe_the_estimator(tmp_path):
    model = fitted_delta_rule()
    save_estimator(model, tmp_path)
    text = (tmp_path / "estimator.json").read_text()
    meta = json.loads(text)
    assert text.endswith("}\n")
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["algorithm"] == "delta_rule"
    assert meta["class"] == "algorithms.linear.delta_rule.DeltaRuleClassifier"
    assert meta["params"]["learning_rate"] == 0.05
    assert meta["attributes"] == {
        "intercept_": 0.0,
        "n_features_in_": 3,
        "n_iter_": 30,
    }
    assert meta["arrays"] == ["classes_", "coef_", "loss_curve_"]
    with np.load(tmp_path / "estimator.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["classes_", "coef_", "loss_curve_"]
        assert_array_equal(archive["coef_"], model.coef_)


def test_identical_estimators_give_byte_identical_files(tmp_path):
    save_estimator(fitted_delta_rule(), tmp_path / "first")
    save_estimator(fitted_delta_rule(), tmp_path / "second")
    save_estimator(fitted_delta_rule(), tmp_path / "second")  # overwrite in place
    for name in ("estimator.json", "estimator.npz"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
    with zipfile.ZipFile(tmp_path / "first" / "estimator.npz") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_write_npz_is_deterministic_and_readable(tmp_path):
    arrays = {"b": np.arange(3), "a": np.array([[1.5, 2.5]]), "names": np.array(["x", "y"])}
    write_npz(tmp_path / "one.npz", arrays)
    write_npz(tmp_path / "two.npz", dict(reversed(arrays.items())))
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    with np.load(tmp_path / "one.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["a", "b", "names"]
        for name, value in arrays.items():
            assert_array_equal(archive[name], value)
    with pytest.raises(ValueError, match="allow_pickle"):
        write_npz(tmp_path / "bad.npz", {"objects": np.array([{}], dtype=object)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.npz", "two.npz"]


def test_state_round_trip_without_files_keeps_object_string_labels():
    X, y = viral_posts()
    labels = np.array(["quiet", "viral"], dtype=object)[y]
    model = DeltaRuleClassifier(epochs=5, random_state=0).fit(X, labels)
    assert model.classes_.dtype == object
    meta, arrays = estimator_state(model)
    assert meta["object_arrays"] == ["classes_"]
    assert arrays["classes_"].dtype.kind == "U"
    restored = estimator_from_state(json.loads(json.dumps(meta)), arrays)
    assert restored.classes_.dtype == object
    assert_array_equal(restored.predict(X), model.predict(X))


def test_unfitted_estimator_round_trips_its_params(tmp_path):
    save_estimator(DeltaRuleClassifier(learning_rate=0.2, rule="perceptron"), tmp_path)
    loaded = load_estimator(tmp_path)
    assert (
        loaded.get_params()
        == DeltaRuleClassifier(learning_rate=0.2, rule="perceptron").get_params()
    )
    assert not hasattr(loaded, "coef_")


def test_loading_refuses_an_unknown_class(tmp_path):
    save_estimator(fitted_delta_rule(), tmp_path)
    edit_json(tmp_path, **{"class": "os.system"})
    with pytest.raises(ValueError, match="'os.system' is not registered"):
        load_estimator(tmp_path)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"format_version": 99}, "unsupported estimator format_version 99"),
        ({"algorithm": "random_weights"}, "does not match the registry entry"),
        ({"params": {"learning_rate": 0.1, "evil": 1}}, r"saved params \['evil'\]"),
        ({"attributes": {"predict": 1}}, "'predict' is not a fitted attribute name"),
        ({"arrays": ["coef_", "weights_"]}, "lacks the array 'weights_'"),
        ({"params": []}, "'params' has the wrong type"),
    ],
)
def test_loading_refuses_inconsistent_metadata(tmp_path, changes, match):
    save_estimator(fitted_delta_rule(), tmp_path)
    edit_json(tmp_path, **changes)
    with pytest.raises(ValueError, match=match):
        load_estimator(tmp_path)


def test_loading_a_missing_file_raises(tmp_path):
    with pytest.raises(ValueError, match="estimator.json is missing"):
        load_estimator(tmp_path)
    save_estimator(fitted_delta_rule(), tmp_path)
    (tmp_path / "estimator.npz").unlink()
    with pytest.raises(ValueError, match="estimator.npz is missing"):
        load_estimator(tmp_path)


def test_saving_refuses_unregistered_or_unserialisable_estimators(tmp_path):
    with pytest.raises(ValueError, match="DummyClassifier' is not registered"):
        save_estimator(DummyClassifier(), tmp_path)
    model = DeltaRuleClassifier(random_state=np.random.default_rng(0))
    with pytest.raises(ValueError, match="cannot save parameter random_state: a Generator"):
        save_estimator(model, tmp_path)
    assert list(tmp_path.iterdir()) == []


def _registered(task):
    from algorithms.registry import algorithm_names, get_algorithm

    return [n for n in algorithm_names() if get_algorithm(n).task.name == task]


@pytest.mark.parametrize("name", _registered("classification") + _registered("regression"))
def test_every_registered_estimator_round_trips(name, tmp_path):
    from algorithms.registry import get_algorithm

    info = get_algorithm(name)
    rng = np.random.default_rng(0)
    X = rng.random((60, 4))
    score = X @ [1.0, -2.0, 0.5, 0.0]
    y = (score > np.median(score)).astype(int) if info.task is CLASSIFICATION else score
    # The CNN reads rows as 8×8 images by default; these rows are four numbers.
    params = {"cnn_classifier": {"image_shape": None, "max_iter": 5}}.get(name, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # default iteration budgets on a tiny toy set
        model = info.estimator_class(**params).fit(X, y)
    save_estimator(model, tmp_path / "a")
    save_estimator(model, tmp_path / "b")
    for file in ("estimator.json", "estimator.npz"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    loaded = load_estimator(tmp_path / "a")
    assert type(loaded) is type(model)
    assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("name", _registered("clustering") + _registered("decomposition"))
def test_every_registered_transformer_round_trips(name, tmp_path):
    from algorithms.registry import get_algorithm

    X = np.random.default_rng(1).random((80, 5))
    params = {"k_means": {"n_clusters": 3, "random_state": 0}}.get(name, {"random_state": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_algorithm(name).estimator_class(**params).fit(X)
    save_estimator(model, tmp_path)
    loaded = load_estimator(tmp_path)
    np.testing.assert_allclose(loaded.transform(X), model.transform(X))
