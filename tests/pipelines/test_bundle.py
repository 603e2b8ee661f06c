import json

import numpy as np
import polars as pl
import pytest
from upath import UPath

import pipelines.bundle
from algorithms import DeltaRuleClassifier
from algorithms.persistence import DamagedModelError
from pipelines.bundle import Bundle, ModelBundle
from pipelines.features import design_matrix, prepare
from pipelines.paths import DATA_DIR, SPECS_DIR
from pipelines.spec import load_spec
from pipelines.training import build_estimator, train


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPECS_DIR / "viral_posts_seed.yaml")


@pytest.fixture(scope="module")
def posts():
    return pl.read_csv(DATA_DIR / "viral_posts_seed.csv")


def _bundle(spec, posts, **overrides) -> ModelBundle:
    return train(spec, prepare(posts, spec), overrides)


def _files(directory) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_train_fits_the_spec_model_on_train_rows(spec, posts):
    bundle = _bundle(spec, posts)
    assert isinstance(bundle.estimator, DeltaRuleClassifier)
    assert bundle.params["learning_rate"] == 0.1 and bundle.params["epochs"] == 1000
    assert bundle.feature_names == ("hour", "content_length", "engagement_score")
    assert bundle.spec_hash == spec.spec_hash()
    normalized = prepare(posts, spec).frame
    X, y = design_matrix(normalized, spec, "train")
    expected = DeltaRuleClassifier(learning_rate=0.1, epochs=1000, rule="lms", random_state=0)
    np.testing.assert_array_equal(bundle.estimator.coef_, expected.fit(X, y).coef_)


def test_build_estimator_rejects_unknown_overrides(spec):
    assert build_estimator(spec.model, {"epochs": 3}).epochs == 3
    with pytest.raises(
        ValueError, match="unknown parameter\\(s\\) alpha for algorithm 'delta_rule'"
    ):
        build_estimator(spec.model, {"alpha": 1.0})


def test_round_trip_predicts_identically_on_raw_rows(spec, posts, tmp_path):
    bundle = _bundle(spec, posts)
    bundle.save(tmp_path / "model")
    loaded = ModelBundle.load(tmp_path / "model")
    assert sorted(_files(tmp_path / "model")) == [
        "bundle.json",
        "estimator.json",
        "estimator.npz",
        "reference.json",
    ]
    assert loaded.transform == bundle.transform
    assert loaded.reference == bundle.reference
    assert set(loaded.reference.features) == set(spec.features.columns)
    assert (loaded.pipeline, loaded.algorithm, loaded.target) == (
        "viral_posts_seed",
        "delta_rule",
        "viral",
    )
    assert loaded.params == bundle.params and loaded.spec_hash == bundle.spec_hash
    new_posts = pl.DataFrame(
        {"engagement_score": [50.0, 1.0], "hour": [23, 0], "content_length": [1000, 10]}
    )
    np.testing.assert_array_equal(loaded.predict(posts), bundle.predict(posts))
    np.testing.assert_array_equal(loaded.predict(new_posts), bundle.predict(new_posts))
    normalized = prepare(posts, spec).frame
    X, _ = design_matrix(normalized, spec)
    np.testing.assert_array_equal(bundle.predict(posts), bundle.estimator.predict(X))


def test_equal_bundles_save_byte_identical_files(spec, posts, tmp_path):
    _bundle(spec, posts).save(tmp_path / "a")
    _bundle(spec, posts).save(tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    manifest = (tmp_path / "a" / "bundle.json").read_text()
    assert list(json.loads(manifest)) == sorted(json.loads(manifest))


def test_save_replaces_a_previous_bundle_whole(spec, posts, tmp_path):
    _bundle(spec, posts).save(tmp_path / "model")
    _bundle(spec, posts, epochs=3).save(tmp_path / "model")
    assert ModelBundle.load(tmp_path / "model").estimator.loss_curve_.shape == (3,)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_failed_save_leaves_the_previous_bundle_loadable(spec, posts, tmp_path, monkeypatch):
    bundle = _bundle(spec, posts)
    bundle.save(tmp_path / "model")
    before = _files(tmp_path / "model")

    def broken(estimator, directory):
        (directory / "estimator.json").write_text("{half")
        raise OSError("disk full")

    monkeypatch.setattr(pipelines.bundle, "save_estimator", broken)
    with pytest.raises(OSError, match="disk full"):
        _bundle(spec, posts, epochs=3).save(tmp_path / "model")
    assert _files(tmp_path / "model") == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary directory left
    np.testing.assert_array_equal(
        ModelBundle.load(tmp_path / "model").predict(posts), bundle.predict(posts)
    )


def test_load_and_predict_errors_say_what_is_missing(spec, posts, tmp_path):
    with pytest.raises(DamagedModelError, match="nowhere/bundle.json: the file is missing"):
        ModelBundle.load(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="missing column\\(s\\) content_length"):
        _bundle(spec, posts).predict(posts.drop("content_length"))


def test_a_bundle_round_trips_on_an_fsspec_url_and_names_its_kind(spec, posts):
    bundle = _bundle(spec, posts)
    bundle.save("memory://bundles/model")
    bundle.save("memory://bundles/model")  # replaces the first one whole
    directory = UPath("memory://bundles")
    assert [p.name for p in directory.iterdir()] == ["model"]
    manifest = json.loads((directory / "model" / "bundle.json").read_text())
    assert (manifest["kind"], manifest["format_version"]) == ("model", 2)
    loaded = Bundle.load("memory://bundles/model")
    assert isinstance(loaded, ModelBundle)
    np.testing.assert_array_equal(loaded.predict(posts), bundle.predict(posts))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ({"kind": "spaceship"}, "bundle.json: kind: kind 'spaceship', expected model"),
        ({"format_version": 1}, "bundle.json: format_version: 1, this code reads 2"),
        ({"target": None, "feature_names": 3}, "bundle.json: unreadable"),
    ],
)
def test_a_damaged_manifest_is_refused_naming_the_field(spec, posts, tmp_path, edit, words):
    _bundle(spec, posts).save(tmp_path / "model")
    path = tmp_path / "model" / "bundle.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | edit))
    with pytest.raises(DamagedModelError, match=words):
        ModelBundle.load(tmp_path / "model")


def test_a_bundle_saved_without_a_drift_profile_loads_with_none(spec, posts, tmp_path):
    bundle = _bundle(spec, posts)
    bundle.save(tmp_path / "model")
    (tmp_path / "model" / "reference.json").unlink()
    assert ModelBundle.load(tmp_path / "model").reference is None


def test_a_damaged_drift_profile_is_called_damaged(spec, posts, tmp_path):
    _bundle(spec, posts).save(tmp_path / "model")
    (tmp_path / "model" / "reference.json").write_text('{"n_rows": 3}')
    with pytest.raises(DamagedModelError, match="reference.json.*unreadable drift profile"):
        ModelBundle.load(tmp_path / "model")
