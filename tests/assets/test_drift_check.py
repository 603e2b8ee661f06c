"""The `drift` check of a landing pipeline: each validated batch against the rows the current
champion was trained on, run on a real (temporary) instance."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.factory import build_definitions
from pipelines.generators.weekly_posts import ENGAGEMENT_SHIFT, weekly_posts
from tests.assets.helpers import make_spec

pytestmark = pytest.mark.slow

PARTITIONS = "viral_posts_weekly__batches"
CHECK = dg.AssetCheckKey(dg.AssetKey(["viral_posts_weekly", "validated"]), "drift")


def _ingest(defs, instance, landing: Path, name: str, frame) -> dg.ExecuteInProcessResult:
    frame.write_csv(landing / name)
    instance.add_dynamic_partitions(PARTITIONS, [name])
    job = defs.resolve_job_def("viral_posts_weekly_ingest")
    return job.execute_in_process(instance=instance, partition_key=name, raise_on_error=False)


def _drift(result: dg.ExecuteInProcessResult):
    evaluations = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return next((e for e in evaluations if e.check_name == "drift"), None)


def test_drift_is_quiet_on_like_batches_and_fires_on_the_shifted_one(tmp_path, trainyard_home):
    landing = tmp_path / "landing"
    landing.mkdir()
    spec = make_spec(
        "viral_posts_weekly",
        source={"landing": str(landing)},
        drift={"warn_psi": 0.1, "fail_psi": 0.25},
    )
    defs = build_definitions({spec.name: spec}, base_dir=tmp_path / "artifacts")
    with dg.instance_for_test() as instance:
        first = _ingest(defs, instance, landing, "2024-01-08.csv", weekly_posts(1))
        assert first.success and _drift(first) is None  # no champion yet: not checked
        logs = [entry.user_message for entry in instance.all_logs(first.run_id)]
        assert any("drift not checked: no champion yet" in m for m in logs)
        assert (
            defs.resolve_job_def("viral_posts_weekly_retrain")
            .execute_in_process(instance=instance)
            .success
        )

        for week in (2, 3):  # the same distribution, other seeds
            quiet = _drift(_ingest(defs, instance, landing, f"week{week}.csv", weekly_posts(week)))
            assert quiet.passed, quiet.description
            assert quiet.description.startswith("no drift: all 5 features stable")
            assert quiet.metadata["champion_version"].value == "v1"

        shifted = weekly_posts(4, engagement_shift=ENGAGEMENT_SHIFT)
        result = _ingest(defs, instance, landing, "week4.csv", shifted)
        assert result.success  # drift never stops the batch
        fired = _drift(result)
        assert not fired.passed
        assert fired.severity == dg.AssetCheckSeverity.ERROR
        assert fired.description.startswith("1 of 5 features moved (engagement_score)")
        rows = {r.data["feature"]: r.data for r in fired.metadata["features"].value.records}
        assert rows["engagement_score"]["status"] == "drifted"
        assert float(rows["engagement_score"]["psi"]) > 0.25
        assert rows["hour"]["status"] == "stable"
        assert fired.metadata["reference_rows"].value == 800  # the champion's train rows
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key([CHECK])
        assert latest[CHECK].run_id == result.run_id

        # The retrain's report: each batch's check as it landed, and the moved features.
        assert defs.resolve_job_def("viral_posts_weekly_retrain").execute_in_process(
            instance=instance, raise_on_error=False
        )
        report = (trainyard_home / "reports" / "viral_posts_weekly" / "report.md").read_text()
        section = report.split("## Drift")[1].split("\n## ")[0]
        assert "| `2024-01-08.csv` | — | — | — | not checked (no champion when it landed) |" in (
            section
        )
        assert "| `week2.csv` | v1 |" in section and "| stable |" in section
        assert "| engagement_score | drifted |" in section
        assert "The features that moved in `week4.csv`" in section
        assert (trainyard_home / "reports" / "viral_posts_weekly" / "drift.png").exists()
