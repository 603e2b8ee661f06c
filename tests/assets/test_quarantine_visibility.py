"""What a user sees of a run: quarantined rows in the check, the metadata and the report;
rounded metric entries for every candidate and comparison; checks linked to the
materialization they judged."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.metadata import shown
from tests.assets.helpers import materialize_group, quarantine_spec

pytestmark = pytest.mark.slow
P = "viral_posts_seed"
HOUR = "hour:greater_than_or_equal_to(0)"
CANDIDATES = {
    "delta": {
        "algorithm": "delta_rule",
        "params": {"learning_rate": 0.1, "epochs": 200, "random_state": 0},
    },
    "guessing": {"algorithm": "random_weights", "params": {"random_state": 0}},
}
EVALUATION = {"metrics": ["accuracy", "f1"], "compare_with": ["random_weights"]}


def _check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    [event] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.asset_check_key.name == name
    ]
    return event


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path == [P, asset]
    ]
    return event.materialization.metadata


def _latest(instance: dg.DagsterInstance, asset: str) -> dg.EventLogRecord:
    return instance.fetch_materializations(dg.AssetKey([P, asset]), limit=1).records[0]


def _latest_check(instance: dg.DagsterInstance, asset: str, name: str) -> dg.AssetCheckEvaluation:
    key = dg.AssetCheckKey(dg.AssetKey([P, asset]), name)
    [record] = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
    return record.event.dagster_event.asset_check_evaluation_data


def test_quarantined_rows_warn_and_show_in_the_metadata_and_the_report(trainyard_home, tmp_path):
    spec = quarantine_spec(
        tmp_path, [5, 9], model=None, candidates=CANDIDATES, evaluation=EVALUATION
    )
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_group(spec, tmp_path / "a", instance)
    assert result.success

    schema = _check(result, "schema")
    assert schema.passed is False
    assert schema.severity == dg.AssetCheckSeverity.WARN
    assert schema.description.splitlines()[0] == (
        f"2 of 40 rows quarantined (5.0%, limit 5%): set aside in {P}/rejected; "
        "the other 38 rows go on."
    )
    assert "-1 (line 6), -1 (line 10)" in schema.description

    rejected = _metadata(result, "rejected")
    assert rejected["dagster/row_count"].value == 2
    assert rejected["num_rows_read"].value == 40
    assert [
        (r.data["where"], r.data["reason"], r.data["post_id"]) for r in rejected["preview"].records
    ] == [
        ("line 6", HOUR, 5),
        ("line 10", HOUR, 9),
    ]
    assert [r.data for r in rejected["reasons"].records] == [{"reason": HOUR, "rows": 2}]

    report = (trainyard_home / "reports" / P / "report.md").read_text()
    quality = report.split("## Data quality\n\n")[1].split("\n## ")[0]
    assert quality.startswith("2 of 40 rows quarantined (5.0%, limit 5%): these rows failed")
    assert "the other 38 went on to training and scoring" in quality
    assert "max_rejected_fraction 0.05" in quality
    assert f"| {HOUR} | 2 |" in quality
    assert f"| line 6 | {HOUR} | 5 | -1 | " in quality
    assert f"| line 10 | {HOUR} | 9 | -1 | " in quality
    assert (
        report.index("## Metrics") < report.index("## Data quality") < report.index("## Candidates")
    )


def test_metric_entries_are_rounded_for_every_candidate_and_comparison(trainyard_home, tmp_path):
    spec = quarantine_spec(tmp_path, [], model=None, candidates=CANDIDATES, evaluation=EVALUATION)
    result = materialize_group(spec, tmp_path / "a", dg.DagsterInstance.ephemeral())
    assert result.success
    evaluation = result.asset_value(dg.AssetKey([P, "evaluation"]))
    metadata = _metadata(result, "evaluation")
    expected = {
        **evaluation.metrics,
        **{f"baseline/{m}": v for m, v in evaluation.baseline.items()},
        **{
            f"{name}/{m}": v
            for name, values in evaluation.candidates.items()
            for m, v in values.items()
        },
        **{
            f"compare_with/{name}/{m}": v
            for name, values in evaluation.comparisons.items()
            for m, v in values.items()
        },
    }
    assert set(expected) >= {"delta/f1", "guessing/accuracy", "compare_with/random_weights/f1"}
    assert any(v != round(v, 4) for v in expected.values())
    floats = {k: v.value for k, v in metadata.items() if isinstance(v, dg.FloatMetadataValue)}
    assert floats == {k: round(v, 4) for k, v in expected.items()}
    assert metadata["chosen_candidate"].value == evaluation.candidate

    champion = _metadata(result, "champion")
    assert champion["accuracy"].value == round(evaluation.metrics["accuracy"], 4)
    assert champion["exact_metrics"].value == evaluation.metrics

    report = (trainyard_home / "reports" / P / "report.md").read_text()
    assert "## Data quality\n\nAll 40 rows read passed the schema; none was quarantined" in report
    assert _check(result, "schema").passed is True


def test_shown_rounds_to_four_decimals_or_four_significant_digits():
    assert shown(0.8508682328907048) == 0.8509
    assert shown(12345.678912) == 12345.6789
    assert shown(-1.23456) == -1.2346
    assert shown(0.000123456) == 0.0001235
    assert shown(0.0) == 0.0


def test_checks_are_linked_to_the_materialization_they_judged(trainyard_home, tmp_path):
    spec = quarantine_spec(tmp_path, [5], rows=43)
    base, instance = tmp_path / "a", dg.DagsterInstance.ephemeral()
    first = materialize_group(spec, base, instance)
    assert first.success
    headline = first.asset_value(dg.AssetKey([P, "evaluation"])).headline_value
    assert round(headline, 4) > headline  # 12/17: its rounded value would beat a tie
    # The same model again ties on the exact headline, so the gate passes.
    second = materialize_group(spec, base, instance)
    assert second.success
    for asset, check in (("validated", "schema"), ("champion", "promotion_gate")):
        target = _latest_check(instance, asset, check).target_materialization_data
        latest = _latest(instance, asset)
        assert (target.run_id, target.storage_id) == (second.run_id, latest.storage_id)
    gate = _check(second, "promotion_gate")
    assert gate.description.splitlines()[0] == f"promoted: {P}/champion is this run's model now"

    strict = quarantine_spec(
        tmp_path,
        [5],
        rows=43,
        evaluation={"metrics": ["accuracy"], "promote_if": {"accuracy": ">= 1.01"}},
    )
    failed = materialize_group(strict, base, instance)
    assert not failed.success
    gate = _check(failed, "promotion_gate")
    assert gate.passed is False
    assert gate.description.splitlines()[0] == (
        f"not promoted: judged against {P}/champion from run {second.run_id}, which stays as it was"
    )
    assert gate.description.splitlines()[1].startswith("accuracy ")
    assert gate.target_materialization_data.run_id == second.run_id
    assert _latest(instance, "champion").run_id == second.run_id
    assert _latest_check(instance, "validated", "schema").target_materialization_data.run_id == (
        failed.run_id
    )


def test_quarantine_past_the_limit_fails_the_check_with_error_severity(trainyard_home, tmp_path):
    spec = quarantine_spec(tmp_path, [5, 9, 12])
    result = materialize_group(spec, tmp_path / "a", dg.DagsterInstance.ephemeral())
    assert not result.success
    schema = _check(result, "schema")
    assert schema.passed is False
    assert schema.severity == dg.AssetCheckSeverity.ERROR
    assert schema.description.splitlines()[0] == (
        "rejected fraction 0.075 exceeds max_rejected_fraction 0.05: nothing was stored."
    )
    assert "3 of 40 rows fail schema ViralPostsSeed" in schema.description
