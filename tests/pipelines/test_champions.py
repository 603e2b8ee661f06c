import json
import uuid

import polars as pl
import pytest
from upath import UPath

import pipelines.champions as champions
from algorithms.persistence import DamagedModelError
from pipelines.bundle import ModelBundle
from pipelines.champions import (
    ChampionHistoryError,
    Promotion,
    bundle_hash,
    champion_problem,
    current,
    events,
    load_champion,
    promote,
    rollback,
    versions,
)
from pipelines.features import prepare
from pipelines.paths import DATA_DIR, SPECS_DIR
from pipelines.spec import load_spec
from pipelines.training import train

RECORD = "champion.json"


@pytest.fixture(scope="module")
def bundles() -> tuple[ModelBundle, ModelBundle]:
    """Two different models of viral_posts_seed (another learning rate)."""
    spec = load_spec(SPECS_DIR / "viral_posts_seed.yaml")
    prepared = prepare(pl.read_csv(DATA_DIR / "viral_posts_seed.csv"), spec)
    return train(spec, prepared, {}), train(spec, prepared, {"learning_rate": 0.01})


def _promotion(bundle: ModelBundle, accuracy: float, run: str = "run-1") -> Promotion:
    return Promotion(bundle, {"accuracy": accuracy}, "accuracy", run, {"p/raw": "abc"})


def _bundle_files(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != RECORD}


def test_each_promotion_is_a_version_with_its_record(bundles, tmp_path):
    first = promote(tmp_path, _promotion(bundles[0], 0.6))
    second = promote(tmp_path, _promotion(bundles[1], 0.8, "run-2"))
    assert [r.version for r in versions(tmp_path)] == ["v1", "v2"]
    assert (first.version, first.run_id, first.metrics, first.reason) == (
        "v1",
        "run-1",
        {"accuracy": 0.6},
        "promoted",
    )
    assert second.data_versions == {"p/raw": "abc"} and second.headline == "accuracy"
    assert second.spec_hash == bundles[1].spec_hash and second.since == second.promoted_at
    stored = json.loads((tmp_path / "champions" / "v2" / RECORD).read_text())
    assert stored["version"] == "v2" and stored["bundle_hash"] == bundle_hash(tmp_path / "champion")
    assert _bundle_files(tmp_path / "champion") == _bundle_files(tmp_path / "champions" / "v2")
    assert first.bundle_hash != second.bundle_hash
    champion = load_champion(tmp_path)
    assert champion.version == "v2" and champion.bundle.params["learning_rate"] == 0.01


def test_rollback_restores_the_version_byte_for_byte(bundles, tmp_path):
    promote(tmp_path, _promotion(bundles[0], 0.6))
    promote(tmp_path, _promotion(bundles[1], 0.8))
    record = rollback(tmp_path, "v1")
    assert (record.version, record.reason, record.metrics) == (
        "v1",
        "rollback from v2",
        {"accuracy": 0.6},
    )
    assert _bundle_files(tmp_path / "champion") == _bundle_files(tmp_path / "champions" / "v1")
    assert current(tmp_path) == record and load_champion(tmp_path).version == "v1"
    assert [(e.version, e.reason) for e in events(tmp_path)] == [
        ("v1", "promoted"),
        ("v2", "promoted"),
        ("v1", "rollback from v2"),
    ]
    assert promote(tmp_path, _promotion(bundles[1], 0.8)).version == "v3"


def test_rollback_refuses_what_it_cannot_do_and_changes_nothing(bundles, tmp_path):
    with pytest.raises(ChampionHistoryError, match="has no champion history to roll back to"):
        rollback(tmp_path, "v1")
    promote(tmp_path, _promotion(bundles[0], 0.6))
    promote(tmp_path, _promotion(bundles[1], 0.8))
    before = _bundle_files(tmp_path / "champion")
    with pytest.raises(
        ChampionHistoryError, match="no champion version 'v7'; its versions: v1, v2"
    ):
        rollback(tmp_path, "v7")
    with pytest.raises(ChampionHistoryError, match="v2 is already the champion"):
        rollback(tmp_path, "v2")
    archive = tmp_path / "champions" / "v1" / "bundle.json"
    archive.write_text(archive.read_text().replace('"lms"', '"perceptron"'))
    with pytest.raises(DamagedModelError, match="bundle_hash: the bundle files' hash"):
        rollback(tmp_path, "v1")
    assert _bundle_files(tmp_path / "champion") == before
    assert current(tmp_path).version == "v2"
    assert not (tmp_path / "champions" / "rollbacks").exists()


def test_a_failed_pointer_write_leaves_the_previous_champion(bundles, tmp_path, monkeypatch):
    promote(tmp_path, _promotion(bundles[0], 0.6))

    def fail(source, target, skip=()):
        raise OSError("disk full")

    monkeypatch.setattr(champions, "copy_files", fail)
    with pytest.raises(OSError, match="disk full"):
        promote(tmp_path, _promotion(bundles[1], 0.8))
    # History first: v2 is complete, the pointer still names v1, which exists.
    assert [r.version for r in versions(tmp_path)] == ["v1", "v2"]
    assert current(tmp_path).version == "v1"
    assert _bundle_files(tmp_path / "champion") == _bundle_files(tmp_path / "champions" / "v1")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_version_write_keeps_its_number_unused(bundles, tmp_path, monkeypatch):
    promote(tmp_path, _promotion(bundles[0], 0.6))

    def fail(directory):
        raise OSError("disk full")

    monkeypatch.setattr(ModelBundle, "save", lambda self, directory: fail(directory))
    with pytest.raises(OSError, match="disk full"):
        promote(tmp_path, _promotion(bundles[1], 0.8))
    monkeypatch.undo()
    assert [r.version for r in versions(tmp_path)] == ["v1"]
    assert current(tmp_path).version == "v1"
    assert promote(tmp_path, _promotion(bundles[1], 0.8)).version == "v3"


def test_a_champion_stored_before_history_becomes_v1(bundles, tmp_path):
    bundles[0].save(tmp_path / "champion")
    legacy = _bundle_files(tmp_path / "champion")
    assert current(tmp_path).version == "v1"
    assert current(tmp_path).reason == "stored before champion history"
    assert promote(tmp_path, _promotion(bundles[1], 0.8)).version == "v2"
    assert _bundle_files(tmp_path / "champions" / "v1") == legacy
    rollback(tmp_path, "v1")
    assert _bundle_files(tmp_path / "champion") == legacy


def test_history_on_an_fsspec_url(bundles):
    root = UPath(f"memory://champions-{uuid.uuid4().hex[:8]}") / "viral_posts_seed"
    promote(root, _promotion(bundles[0], 0.6))
    promote(root, _promotion(bundles[1], 0.8))
    assert rollback(root, "v1").reason == "rollback from v2"
    assert _bundle_files(root / "champion") == _bundle_files(root / "champions" / "v1")
    assert [e.version for e in events(root)] == ["v1", "v2", "v1"]


def test_a_champion_is_loaded_to_be_judged_only_when_its_files_changed(
    bundles, tmp_path, monkeypatch
):
    promote(tmp_path, _promotion(bundles[0], 0.6))
    loaded = []
    load = champions.bundle_problem
    monkeypatch.setattr(champions, "bundle_problem", lambda d: loaded.append(d) or load(d))
    assert champion_problem(tmp_path) is None and loaded == []

    # Files in a format this code does not read are loaded, even with a matching hash.
    pointer = tmp_path / "champion"
    meta = json.loads((pointer / "estimator.json").read_text())
    (pointer / "estimator.json").write_text(json.dumps(meta | {"format_version": 99}))
    record = json.loads((pointer / RECORD).read_text())
    (pointer / RECORD).write_text(json.dumps(record | {"bundle_hash": bundle_hash(pointer)}))
    assert "unsupported estimator format_version 99" in champion_problem(tmp_path)
    assert loaded == [pointer]

    (pointer / "estimator.json").write_text(json.dumps(meta))
    npz = pointer / "estimator.npz"
    npz.write_bytes(npz.read_bytes()[:100])
    assert "estimator.npz" in champion_problem(tmp_path) and len(loaded) == 2
