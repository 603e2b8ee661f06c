"""Whole pipelines materialized in process: results, determinism, validation modes, the gate."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from upath import UPath

from assets.io_managers import ParquetIOManager
from pipelines.bundle import ModelBundle
from tests.assets.helpers import (
    check_results,
    file_bytes,
    make_spec,
    materialize_group,
    materialized_keys,
)

pytestmark = pytest.mark.slow
ALL = {
    f"viral_posts/{s}"
    for s in ["raw", "validated", "normalized", "model", "evaluation", "champion"]
}


def test_viral_posts_end_to_end_beats_the_baselines(trainyard_home, tmp_path):
    spec = make_spec("viral_posts")
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_group(spec, tmp_path / "a", instance)
    assert result.success
    assert materialized_keys(result) == ALL
    assert check_results(result) == {"schema": True, "promotion_gate": True}
    summary = result.asset_value(dg.AssetKey(["viral_posts", "evaluation"]))
    accuracy = summary.metrics["accuracy"]
    assert accuracy >= summary.baseline["accuracy"] + 0.15
    assert accuracy > summary.comparisons["random_weights"]["accuracy"]
    assert summary.n_scored == 2000
    report = trainyard_home / "reports" / "viral_posts" / "report.md"
    assert "held-out" in report.read_text()
    champion = ModelBundle.load(tmp_path / "a" / "viral_posts" / "champion")
    assert champion.spec_hash == spec.spec_hash()


def test_two_runs_give_byte_identical_models_and_equal_metrics(trainyard_home, tmp_path):
    spec = make_spec("viral_posts")
    summaries, models = [], []
    for run in ("a", "b"):
        result = materialize_group(spec, tmp_path / run, dg.DagsterInstance.ephemeral())
        assert result.success
        summaries.append(result.asset_value(dg.AssetKey(["viral_posts", "evaluation"])))
        models.append(file_bytes(tmp_path / run / "viral_posts" / "model"))
    assert models[0] == models[1] and models[0]
    assert summaries[0].metrics == summaries[1].metrics


def _csv_spec(path: Path, **changes):
    return make_spec(
        "viral_posts_seed",
        source={"csv": str(path)},
        split={"test_fraction": 0.4, "seed": 0},
        **changes,
    )


def _posts(rows: int = 40) -> pl.DataFrame:
    from pipelines.generators import get_generator

    frame = get_generator("viral_posts")(rows, 3)
    return frame.select("post_id", "hour", "content_length", "engagement_score", "viral")


def test_invalid_data_stops_the_run_and_keeps_the_earlier_materialization(trainyard_home, tmp_path):
    data, base = tmp_path / "posts.csv", tmp_path / "artifacts"
    good = _posts()
    good.write_csv(data)
    spec = _csv_spec(data)
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_group(spec, base, instance).success

    bad = good.with_columns(
        pl.when(pl.col("post_id") == 3).then(99).otherwise(pl.col("hour")).alias("hour"),
        pl.when(pl.col("post_id") == 9).then(2).otherwise(pl.col("viral")).alias("viral"),
    )
    bad.write_csv(data)
    result = materialize_group(spec, base, instance)
    assert not result.success
    assert materialized_keys(result) == {"viral_posts_seed/raw"}
    assert check_results(result) == {"schema": False}
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.user_failure_data.description
    assert "hour" in message and "viral" in message and "2 of 40 rows" in message

    stored = ParquetIOManager(base_path=UPath(base)).load_from_path(
        None, UPath(base) / "viral_posts_seed" / "validated.parquet"
    )
    assert stored.height == 40 and stored["hour"].max() <= 23


def test_quarantine_moves_bad_rows_aside_and_fails_past_the_threshold(trainyard_home, tmp_path):
    data = tmp_path / "posts.csv"
    frame = _posts(40)
    frame.with_columns(
        pl.when(pl.col("post_id") == 5).then(-1).otherwise(pl.col("hour")).alias("hour")
    ).write_csv(data)
    spec = _csv_spec(data, on_invalid="quarantine", max_rejected_fraction=0.05)
    result = materialize_group(spec, tmp_path / "q", dg.DagsterInstance.ephemeral())
    assert result.success
    rejected = result.asset_value(dg.AssetKey(["viral_posts_seed", "rejected"]))
    assert rejected["post_id"].to_list() == [5]
    assert "hour" in rejected["reason"][0]
    validated = result.asset_value(dg.AssetKey(["viral_posts_seed", "validated"]))
    assert validated.height == 39

    strict = _csv_spec(data, on_invalid="quarantine", max_rejected_fraction=0.01)
    result = materialize_group(strict, tmp_path / "q2", dg.DagsterInstance.ephemeral())
    assert not result.success
    assert "viral_posts_seed/model" not in materialized_keys(result)


def test_a_failed_gate_keeps_the_current_champion(trainyard_home, tmp_path):
    base, instance = tmp_path / "g", dg.DagsterInstance.ephemeral()
    first = make_spec("viral_posts_seed")
    assert materialize_group(first, base, instance).success
    champion_files = file_bytes(base / "viral_posts_seed" / "champion")

    strict = make_spec(
        "viral_posts_seed",
        evaluation={"metrics": ["accuracy"], "promote_if": {"accuracy": ">= 1.01"}},
        model={"algorithm": "delta_rule", "params": {"epochs": 3, "random_state": 1}},
    )
    result = materialize_group(strict, base, instance)
    assert not result.success
    assert check_results(result)["promotion_gate"] is False
    assert "viral_posts_seed/champion" not in materialized_keys(result)
    assert file_bytes(base / "viral_posts_seed" / "champion") == champion_files


def test_candidates_are_compared_and_the_best_passing_one_is_promoted(trainyard_home, tmp_path):
    candidates = {
        "delta": {
            "algorithm": "delta_rule",
            "params": {
                "learning_rate": 0.01,
                "epochs": 50,
                "fit_intercept": True,
                "random_state": 0,
            },
        },
        "logistic": {"algorithm": "logistic_regression", "params": {"C": 1.0}},
        "guessing": {"algorithm": "random_weights", "params": {"random_state": 0}},
    }
    spec = make_spec(
        "viral_posts",
        model=None,
        candidates=candidates,
        evaluation={
            "metrics": ["accuracy", "f1", "roc_auc"],
            "promote_if": {"accuracy": ">= 0.75"},
        },
    )
    result = materialize_group(spec, tmp_path / "c", dg.DagsterInstance.ephemeral())
    assert result.success
    keys = materialized_keys(result)
    assert {f"viral_posts/model/{n}" for n in candidates} <= keys
    evaluation = result.asset_value(dg.AssetKey(["viral_posts", "evaluation"]))
    table = evaluation.candidates
    assert set(table) == set(candidates)
    best = max(table, key=lambda n: table[n]["accuracy"])
    assert evaluation.candidate == best and evaluation.metrics == table[best]
    assert table["guessing"]["accuracy"] < table[best]["accuracy"]
    assert 0.5 < table["logistic"]["roc_auc"] <= 1.0
    champion = ModelBundle.load(tmp_path / "c" / "viral_posts" / "champion")
    assert champion.algorithm == candidates[best]["algorithm"]
    report = (trainyard_home / "reports" / "viral_posts" / "report.md").read_text()
    assert "## Candidates" in report and "ROC" not in report.split("## Candidates")[0]
    assert (trainyard_home / "reports" / "viral_posts" / "candidates.png").exists()


def test_xor_networks_learn_the_truth_table(trainyard_home, tmp_path):
    spec = make_spec("xor")
    result = materialize_group(spec, tmp_path / "x", dg.DagsterInstance.ephemeral())
    assert result.success
    evaluation = result.asset_value(dg.AssetKey(["xor", "evaluation"]))
    assert evaluation.candidates == {
        "seed_2_3_1": {"accuracy": 1.0},
        "wider_2_16_16_1": {"accuracy": 1.0},
    }
    # A tie on accuracy: the simpler network (fewer fitted numbers) is chosen, and said so.
    assert evaluation.candidate == "seed_2_3_1"
    assert (
        evaluation.details["choice"][1]
        == "seed_2_3_1 and wider_2_16_16_1 tie on accuracy (1.0000)."
    )
    assert evaluation.details["choice"][2].startswith("Broken by the simpler model")
    report = (trainyard_home / "reports" / "xor" / "report.md").read_text()
    assert "seed_2_3_1 and wider_2_16_16_1 tie on accuracy (1.0000)." in report
    assert "## Loss curves of the candidates" in report
    assert "| 1 | 1 | 0 |" in report and "| 0 | 1 | 1 |" in report


def test_iris_clusters_match_the_species_and_draw_the_elbow(trainyard_home, tmp_path):
    result = materialize_group(
        make_spec("iris_clusters"), tmp_path / "i", dg.DagsterInstance.ephemeral()
    )
    assert result.success
    assert check_results(result) == {"schema": True, "promotion_gate": True}
    evaluation = result.asset_value(dg.AssetKey(["iris_clusters", "evaluation"]))
    assert evaluation.metrics["adjusted_rand"] == pytest.approx(0.7302, abs=1e-4)
    assert evaluation.baseline["adjusted_rand"] == 0.0
    champion = ModelBundle.load(tmp_path / "i" / "iris_clusters" / "champion")
    assert champion.estimator.cluster_centers_.shape == (3, 4)
    reports = trainyard_home / "reports" / "iris_clusters"
    assert {p.name for p in reports.glob("*.png")} == {
        "contingency.png",
        "elbow.png",
        "clusters_pca.png",
    }
    report = (reports / "report.md").read_text()
    assert "| 3 | 78.85 | 73.50 | 0.730 | ◀ model |" in report
    assert "| setosa | 0 | 50 | 0 |" in report


def test_digits_compares_mlp_and_cnn_and_draws_images(trainyard_home, tmp_path):
    result = materialize_group(make_spec("digits"), tmp_path / "d", dg.DagsterInstance.ephemeral())
    assert result.success
    evaluation = result.asset_value(dg.AssetKey(["digits", "evaluation"]))
    assert set(evaluation.candidates) == {"mlp", "cnn"}
    assert all(scores["accuracy"] > 0.95 for scores in evaluation.candidates.values())
    assert evaluation.candidate == "cnn" and evaluation.details["n_test"] == 359
    champion = ModelBundle.load(tmp_path / "d" / "digits" / "champion")
    assert champion.algorithm == "cnn_classifier"
    reports = trainyard_home / "reports" / "digits"
    images = {p.stem for p in reports.glob("*.png")}
    assert {"pca_variance", "misclassified", "reconstructions", "candidates"} <= images
    report = (reports / "report.md").read_text()
    wrong = round((1 - evaluation.metrics["accuracy"]) * 359)
    assert f"{wrong} of 359 scored images are misclassified" in report
