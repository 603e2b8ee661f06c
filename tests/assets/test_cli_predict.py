"""`trainyard predict` on a real champion: equal to the bundle, and bad input writes nothing."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import numpy as np
import polars as pl
import pytest

from assets.cli import main
from pipelines.bundle import ModelBundle
from pipelines.paths import DATA_DIR
from tests.assets.helpers import make_spec, materialize_group

pytestmark = pytest.mark.slow
PIPELINE = "viral_posts_seed"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A home whose viral_posts_seed champion is a 3-nearest-neighbours model (it has
    class probabilities)."""
    home = tmp_path_factory.mktemp("predict") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAINYARD_HOME", str(home))
        spec = make_spec(
            PIPELINE,
            model={"algorithm": "k_neighbors_classifier", "params": {"n_neighbors": 3}},
            evaluation={"metrics": ["accuracy"]},
        )
        assert materialize_group(spec, home / "artifacts", dg.DagsterInstance.ephemeral()).success
    return home


@pytest.fixture
def env(home, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINYARD_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / ".dagster"))
    return home


def _posts(tmp_path: Path, frame: pl.DataFrame | None = None, name: str = "posts.csv") -> Path:
    path = tmp_path / name
    frame = pl.read_csv(DATA_DIR / f"{PIPELINE}.csv") if frame is None else frame
    frame.write_csv(path) if path.suffix == ".csv" else frame.write_parquet(path)
    return path


def _refused(args: list[str], tmp_path: Path, capsys) -> str:
    """Run a predict that must fail: exit 1, no file written; its stderr."""
    before = set(tmp_path.iterdir())
    assert main(args) == 1
    assert set(tmp_path.iterdir()) == before
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return err


def test_predictions_equal_the_champion_bundle(env, tmp_path, capsys):
    source = _posts(tmp_path)
    assert main(["predict", PIPELINE, str(source)]) == 0
    written = tmp_path / "posts.predictions.parquet"
    assert f"{written}: 5 rows scored by the {PIPELINE} champion v1" in capsys.readouterr().out
    scored = pl.read_parquet(written)
    rows = pl.read_csv(source)
    bundle = ModelBundle.load(env / "artifacts" / PIPELINE / "champion")
    assert scored.columns == [*rows.columns, "prediction", "proba_0", "proba_1", "champion_version"]
    assert scored.select(rows.columns).equals(rows)
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), bundle.predict(rows))
    expected = bundle.estimator.predict_proba(bundle.transform.to_array(rows))
    np.testing.assert_allclose(scored.select("proba_0", "proba_1").to_numpy(), expected)
    assert scored["champion_version"].to_list() == ["v1"] * 5

    csv_out = tmp_path / "out.csv"
    assert (
        main(["predict", PIPELINE, str(_posts(tmp_path, name="p.parquet")), "-o", str(csv_out)])
        == 0
    )
    assert pl.read_csv(csv_out)["prediction"].to_list() == scored["prediction"].to_list()


def test_a_missing_column_is_named(env, tmp_path, capsys):
    source = _posts(tmp_path, pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").drop("hour"))
    err = _refused(["predict", PIPELINE, str(source)], tmp_path, capsys)
    assert "does not conform to ViralPostsSeed" in err and "column 'hour' is missing" in err


def test_a_wrong_type_is_named_with_its_line(env, tmp_path, capsys):
    posts = pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").with_columns(pl.col("hour").cast(pl.String))
    bad = posts.with_columns(
        hour=pl.when(pl.col("post_id") == 4).then(pl.lit("late")).otherwise("hour")
    )
    err = _refused(["predict", PIPELINE, str(_posts(tmp_path, bad))], tmp_path, capsys)
    assert "hour: coerce_dtype('Int64') fails in 1 row(s): late (line 5)" in err


def test_a_bad_parquet_row_is_named_from_0(env, tmp_path, capsys):
    posts = pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").with_columns(hour=pl.Series([1, 2, 99, 3, 4]))
    err = _refused(
        ["predict", PIPELINE, str(_posts(tmp_path, posts, "p.parquet"))], tmp_path, capsys
    )
    assert "hour: less_than_or_equal_to(23) fails in 1 row(s): 99 (row 2)" in err


def test_empty_files_are_refused(env, tmp_path, capsys):
    header_only = _posts(tmp_path, pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").head(0))
    err = _refused(["predict", PIPELINE, str(header_only)], tmp_path, capsys)
    assert f"{header_only}: no rows to score" in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    err = _refused(["predict", PIPELINE, str(empty)], tmp_path, capsys)
    assert f"cannot read {empty}" in err


def test_no_champion_names_the_pipeline(env, tmp_path, capsys):
    source = _posts(tmp_path)
    err = _refused(["predict", "viral_posts", str(source)], tmp_path, capsys)
    assert (
        "pipeline 'viral_posts' has no champion yet; run `trainyard run viral_posts` first" in err
    )
    err = _refused(["predict", "gridworld", str(source)], tmp_path, capsys)
    assert "'gridworld' is an environment" in err
    err = _refused(["predict", "nope", str(source)], tmp_path, capsys)
    assert "unknown pipeline nope" in err


def test_a_clashing_column_and_a_bad_output_name_are_refused(env, tmp_path, capsys):
    posts = pl.read_csv(DATA_DIR / f"{PIPELINE}.csv").with_columns(prediction=pl.lit(1))
    err = _refused(["predict", PIPELINE, str(_posts(tmp_path, posts))], tmp_path, capsys)
    assert "already have column(s) prediction" in err
    source = _posts(tmp_path, name="ok.csv")
    err = _refused(
        ["predict", PIPELINE, str(source), "-o", str(tmp_path / "x.txt")], tmp_path, capsys
    )
    assert "must end in .parquet or .csv" in err


def test_a_damaged_champion_is_refused(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("TRAINYARD_HOME", str(home))
    assert materialize_group(
        make_spec(PIPELINE), home / "artifacts", dg.DagsterInstance.ephemeral()
    ).success
    archive = home / "artifacts" / PIPELINE / "champion" / "estimator.npz"
    archive.write_bytes(archive.read_bytes()[:100])
    work = tmp_path / "work"
    work.mkdir()
    err = _refused(["predict", PIPELINE, str(_posts(work))], work, capsys)
    assert f"damaged model file {archive}: not a readable .npz archive" in err
