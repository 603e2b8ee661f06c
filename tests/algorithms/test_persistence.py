"""Pickle-free persistence: round trips, byte-identical files, refusals."""

import io
import json
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.dummy import DummyClassifier
from upath import UPath

from algorithms import DecisionTreeClassifier, DeltaRuleClassifier, RandomWeightsClassifier
from algorithms.fitted_layouts import LAYOUTS
from algorithms.persistence import (
    FORMAT_VERSION,
    DamagedModelError,
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
        ({"params": []}, "params: has the wrong type"),
    ],
)
def test_loading_refuses_inconsistent_metadata(tmp_path, changes, match):
    save_estimator(fitted_delta_rule(), tmp_path)
    edit_json(tmp_path, **changes)
    with pytest.raises(ValueError, match=match):
        load_estimator(tmp_path)


def test_loading_a_missing_file_raises(tmp_path):
    with pytest.raises(ValueError, match="estimator.json: the file is missing"):
        load_estimator(tmp_path)
    save_estimator(fitted_delta_rule(), tmp_path)
    (tmp_path / "estimator.npz").unlink()
    with pytest.raises(ValueError, match="estimator.npz: the file is missing"):
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


def _npz_with(directory, name, payload: bytes):
    """Rewrite the archive with member `name`.npy replaced by raw `payload` bytes."""
    path = directory / "estimator.npz"
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[f"{name}.npy"] = payload
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def _npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _flip_a_byte(directory):
    path = directory / "estimator.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(directory):
    path = directory / "estimator.npz"
    path.write_bytes(path.read_bytes()[:-40])


def _huge_header(directory):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    _npz_with(directory, "coef_", header.getvalue() + b"\0" * 24)


TAMPERINGS = {
    "a flipped byte": (_flip_a_byte, "estimator.npz"),
    "a truncated archive": (_truncate, "estimator.npz"),
    "an 8 TB header": (_huge_header, "estimator.npz: coef_: header claims"),
    "a pickle for the archive": (
        lambda d: (d / "estimator.npz").write_bytes(pickle.dumps({"coef_": [1.0]})),
        "estimator.npz: not a readable .npz archive",
    ),
    "a pickled object array": (
        lambda d: _npz_with(d, "coef_", _npy(np.array([{}, []], dtype=object), True)),
        "estimator.npz: coef_: object dtype",
    ),
    "garbage JSON": (
        lambda d: (d / "estimator.json").write_bytes(b"\xff{not json"),
        "estimator.json: not JSON",
    ),
    "JSON that is a list": (
        lambda d: (d / "estimator.json").write_text("[1, 2]"),
        "estimator.json: not a JSON object",
    ),
    "a coef_ of the wrong shape": (
        lambda d: _npz_with(d, "coef_", _npy(np.zeros(5))),
        r"estimator.npz: coef_: float64 array of shape \(5,\); expected n_features_in_ = 3",
    ),
    "a coef_ of the wrong rank": (
        lambda d: _npz_with(d, "coef_", _npy(np.zeros((3, 1)))),
        "estimator.npz: coef_: .* expected 1 dimension",
    ),
    "a coef_ of the wrong dtype": (
        lambda d: _npz_with(d, "coef_", _npy(np.zeros(3, dtype=np.float32))),
        "estimator.npz: coef_: float32 .* expected dtype f8",
    ),
    "an array the metadata does not list": (
        lambda d: _npz_with(d, "weights_", _npy(np.zeros(3))),
        "estimator.npz: weights_: an array the metadata does not list",
    ),
    "an array the class does not have": (
        lambda d: (
            _npz_with(d, "weights_", _npy(np.zeros(3))),
            edit_json(d, arrays=["classes_", "coef_", "loss_curve_", "weights_"]),
        ),
        "estimator.npz: weights_: DeltaRuleClassifier has no fitted array 'weights_'",
    ),
    "a negative count": (
        lambda d: edit_json(d, attributes={"n_features_in_": -3, "intercept_": 0.0}),
        "estimator.json: n_features_in_: a count must be a non-negative integer",
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_a_tampered_or_damaged_file_is_refused_naming_file_and_field(tmp_path, case):
    tamper, words = TAMPERINGS[case]
    save_estimator(fitted_delta_rule(), tmp_path)
    tamper(tmp_path)
    with pytest.raises(DamagedModelError, match=words) as caught:
        load_estimator(tmp_path)
    assert str(tmp_path) in str(caught.value)
    assert "allow_pickle" not in str(caught.value)


def test_a_tree_index_out_of_range_is_refused(tmp_path):
    X, y = viral_posts()
    save_estimator(DecisionTreeClassifier(max_depth=2).fit(X, y), tmp_path)
    with np.load(tmp_path / "estimator.npz") as archive:
        left = archive["tree_children_left_"].copy()
    left[0] = 10**9
    _npz_with(tmp_path, "tree_children_left_", _npy(left))
    with pytest.raises(DamagedModelError, match="tree_children_left_: .*values outside -1"):
        load_estimator(tmp_path)


def test_round_trip_on_an_fsspec_memory_filesystem():
    directory = UPath("memory://persistence/model")
    model = fitted_delta_rule()
    save_estimator(model, directory)
    assert sorted(p.name for p in directory.iterdir()) == ["estimator.json", "estimator.npz"]
    assert_array_equal(load_estimator(directory).coef_, model.coef_)
    (directory / "estimator.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DamagedModelError, match="memory://persistence/model/estimator.npz"):
        load_estimator(directory)


def test_every_registered_class_has_a_layout():
    from algorithms.registry import algorithm_names, get_algorithm

    missing = [
        name
        for name in algorithm_names()
        if get_algorithm(name).estimator_class.__name__ not in LAYOUTS
    ]
    assert missing == []


@pytest.mark.parametrize("name", ["sgd_classifier", "minibatch_kmeans"])
def test_an_incremental_model_saved_mid_stream_continues_as_the_original(name, tmp_path):
    """Everything partial_fit continues from (weights, counts, update and step counts) is
    saved, so a reloaded model learns the next chunks exactly as the one kept in memory."""
    from algorithms.registry import get_algorithm

    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 4)) + np.repeat(np.eye(4)[:3] * 6, 100, axis=0)
    y = np.repeat(["a", "b", "c"], 100)
    order = rng.permutation(len(X))
    chunks = np.array_split(order, 6)
    params = {"sgd_classifier": {"loss": "log_loss"}, "minibatch_kmeans": {"n_clusters": 3}}
    original = get_algorithm(name).estimator_class(random_state=0, **params[name])

    def learn(model, chunk, **classes):
        if name == "sgd_classifier":
            return model.partial_fit(X[chunk], y[chunk], **classes)
        return model.partial_fit(X[chunk])

    learn(original, chunks[0], classes=["a", "b", "c"])
    learn(original, chunks[1])
    save_estimator(original, tmp_path)
    loaded = load_estimator(tmp_path)
    for chunk in chunks[2:]:
        learn(original, chunk)
        learn(loaded, chunk)
    fitted = "coef_" if name == "sgd_classifier" else "cluster_centers_"
    assert_array_equal(getattr(loaded, fitted), getattr(original, fitted))
    assert_array_equal(loaded.predict(X), original.predict(X))
    if name == "minibatch_kmeans":
        assert_array_equal(loaded.counts_, original.counts_)
        assert loaded.n_steps_ == original.n_steps_ == 6
    else:
        assert loaded.t_ == original.t_ == 301
