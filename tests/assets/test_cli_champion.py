"""`trainyard champion`: the versions a pipeline has promoted, and a rollback the gate and the
UI both see."""

from __future__ import annotations

import json

import dagster as dg
import polars as pl
import pytest

from assets.cli import main
from assets.instance import latest_metadata, persistent_instance
from pipelines.paths import DATA_DIR
from tests.assets.helpers import file_bytes, make_spec, materialize_group

pytestmark = pytest.mark.slow
PIPELINE = "viral_posts_seed"


def _bundle_files(directory) -> dict[str, bytes]:
    return {name: data for name, data in file_bytes(directory).items() if name != "champion.json"}


def test_promote_twice_then_roll_back_to_v1(trainyard_home, tmp_path, capsys):
    artifacts = trainyard_home / "artifacts" / PIPELINE
    assert main(["run", PIPELINE]) == 0  # v1: the delta rule, accuracy 0.6
    # v2: one nearest neighbour scores the training rows perfectly, so the gate promotes it.
    nearest = make_spec(
        PIPELINE,
        model={"algorithm": "k_neighbors_classifier", "params": {"n_neighbors": 1}},
        evaluation={"metrics": ["accuracy"], "promote_if": {"accuracy": ">= 0.6"}},
    )
    assert materialize_group(nearest, trainyard_home / "artifacts", persistent_instance()).success
    capsys.readouterr()

    assert main(["champion", PIPELINE]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith(f"{PIPELINE}: champion v2 since ") and "(promoted)" in listing[0]
    assert listing[2].split()[:1] == ["v1"] and "accuracy 0.6000" in listing[2]
    assert listing[3].split()[:2] == ["*", "v2"] and "accuracy 1.0000" in listing[3]
    v1 = _bundle_files(artifacts / "champions" / "v1")
    assert _bundle_files(artifacts / "champion") != v1

    assert main(["champion", PIPELINE, "--rollback", "v1"]) == 0
    assert "champion is v1 again (rollback from v2)" in capsys.readouterr().out
    assert _bundle_files(artifacts / "champion") == v1
    recorded = latest_metadata(persistent_instance(), [PIPELINE, "champion"])
    assert recorded["version"] == "v1" and recorded["reason"] == "rollback from v2"
    assert recorded["accuracy"] == 0.6

    source = tmp_path / "posts.csv"
    pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").write_csv(source)
    assert main(["predict", PIPELINE, str(source)]) == 0
    scored = pl.read_parquet(tmp_path / "posts.predictions.parquet")
    assert scored["champion_version"].unique().to_list() == ["v1"]

    # The gate now compares with v1's 0.6, not v2's 1.0: the delta rule is promoted again.
    assert main(["run", PIPELINE]) == 0
    assert latest_metadata(persistent_instance(), [PIPELINE, "champion"])["version"] == "v3"
    capsys.readouterr()
    assert main(["champion", PIPELINE]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert [(r[0], r[-1]) for r in rows] == [
        ("v1", "promoted"),
        ("v2", "promoted"),
        ("v1", "v2"),
        ("*", "promoted"),
    ]


def test_bad_rollbacks_change_nothing(trainyard_home, capsys):
    assert main(["champion", PIPELINE]) == 1
    assert f"{PIPELINE}: no champion yet" in capsys.readouterr().out
    assert main(["champion", PIPELINE, "--rollback", "v1"]) == 1
    assert "has no champion history to roll back to" in capsys.readouterr().err

    assert main(["run", PIPELINE]) == 0
    champion = trainyard_home / "artifacts" / PIPELINE / "champion"
    before = file_bytes(champion)
    recorded = latest_metadata(persistent_instance(), [PIPELINE, "champion"])
    capsys.readouterr()
    for args, words in [
        (["--rollback", "v9"], "no champion version 'v9'; its versions: v1"),
        (["--rollback", "v1"], "v1 is already the champion of 'viral_posts_seed'"),
        (["--rollback", "latest"], "no champion version 'latest'; its versions: v1"),
    ]:
        assert main(["champion", PIPELINE, *args]) == 1
        assert words in capsys.readouterr().err
    assert main(["champion", "nope", "--rollback", "v1"]) == 1
    assert "unknown pipeline nope" in capsys.readouterr().err
    assert file_bytes(champion) == before
    assert latest_metadata(persistent_instance(), [PIPELINE, "champion"]) == recorded


def test_the_champion_records_the_data_version_of_every_asset_upstream(trainyard_home):
    assert main(["run", PIPELINE]) == 0
    record = json.loads(
        (trainyard_home / "artifacts" / PIPELINE / "champion" / "champion.json").read_text()
    )
    upstream = ("raw", "validated", "normalized", "model", "evaluation")
    instance = persistent_instance()
    expected = {
        f"{PIPELINE}/{name}": instance.get_latest_materialization_event(
            dg.AssetKey([PIPELINE, name])
        ).asset_materialization.tags["dagster/data_version"]
        for name in upstream
    }
    assert record["data_versions"] == expected
