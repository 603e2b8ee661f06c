"""`trainyard list` and `show` read the summary records a run writes: the same values the
instance records, a later failed run leaves the last success shown with its run and time, a
damaged record is reported as damaged, and an asset stored before records existed is read
from the instance."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import dagster as dg
import pytest

from assets import cli, runner
from assets.cli import main
from assets.factory import build_definitions
from assets.instance import persistent_instance
from assets.summaries import instance_summaries, plain_metadata
from pipelines.summaries import read_summary
from tests.assets.helpers import quarantine_spec

pytestmark = pytest.mark.slow

PIPELINE = "viral_posts_seed"


def _use(monkeypatch, spec) -> None:
    """`trainyard` runs, lists and shows `spec` (named viral_posts_seed) as the pipeline."""
    defs = build_definitions({spec.name: spec})
    monkeypatch.setattr(runner, "_definitions", lambda _artifacts, _spec: defs)
    monkeypatch.setattr(cli, "load_specs", lambda data_only=False: {spec.name: spec})
    monkeypatch.setattr(cli, "_named_spec", lambda _args, data_only=True: spec)


def _output(capsys, argv: list[str]) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().out.splitlines()


def _seconds(line: str) -> float:
    """The time of a `show` line `evaluated: 2026-12-03 10:41:34 UTC by run …` (epoch s)."""
    stamp = line.removeprefix("evaluated: ").partition(" UTC")[0]
    return datetime.fromisoformat(f"{stamp}+00:00").timestamp()


def test_a_run_writes_the_records_list_and_show_print_as_the_instance_has_them(
    trainyard_home, tmp_path, monkeypatch, capsys
):
    spec = quarantine_spec(tmp_path, [5, 9])
    _use(monkeypatch, spec)
    assert main(["run", PIPELINE]) == 0
    capsys.readouterr()
    pipeline_dir = trainyard_home / "artifacts" / PIPELINE
    [[evaluation_event], [rejected_event]] = [
        persistent_instance().fetch_materializations(dg.AssetKey([PIPELINE, a]), limit=5).records
        for a in ("evaluation", "rejected")
    ]
    for asset, event in (("evaluation", evaluation_event), ("rejected", rejected_event)):
        summary = read_summary(pipeline_dir, asset)
        recorded = event.event_log_entry.asset_materialization.metadata
        # Every entry Dagster recorded but the inline Markdown report, value for value.
        assert summary.metadata == plain_metadata(recorded), asset
        left_out = {"report"} if asset == "evaluation" else set()
        assert set(recorded) - set(summary.metadata) == left_out
        assert summary.run_id == event.run_id
        stored_at = datetime.fromisoformat(summary.materialized_at).timestamp()
        assert 0 <= event.timestamp - stored_at < 5
    evaluation = read_summary(pipeline_dir, "evaluation").metadata
    assert evaluation["headline"] == "accuracy" and evaluation["accuracy"] > 0.5
    preview = read_summary(pipeline_dir, "rejected").metadata["preview"]
    assert [(row["where"], row["post_id"], row["hour"]) for row in preview] == [
        ("line 6", 5, -1),
        ("line 10", 9, -1),
    ]

    code, listed = _output(capsys, ["list"])
    assert code == 0
    metric = f"accuracy {evaluation['accuracy']:.4f}"
    assert listed[1] == f"{PIPELINE:<20} {'delta_rule':<26} {metric:<28} yes"
    code, shown = _output(capsys, ["show", PIPELINE])
    assert code == 0
    stored_at = cli._when(read_summary(pipeline_dir, "evaluation").materialized_at)
    assert shown[2] == f"evaluated: {stored_at} by run {evaluation_event.run_id[:8]}"
    assert ["accuracy", f"{evaluation['accuracy']:.4f}"] in [line.split() for line in shown]
    assert (
        "rejected: 2 of 40 rows quarantined (5.0%, limit 5%), in viral_posts_seed/rejected" in shown
    )

    # The same home as a run before summary records existed leaves it: read from the instance,
    # the same lines (the time is the instance's, a fraction of a second later).
    shutil.rmtree(pipeline_dir / "summaries")
    assert _output(capsys, ["list"]) == (0, listed)
    code, from_instance = _output(capsys, ["show", PIPELINE])
    assert code == 0
    assert from_instance[:2] + from_instance[3:] == shown[:2] + shown[3:]
    assert from_instance[2].endswith(f" by run {evaluation_event.run_id[:8]}")
    assert 0 <= _seconds(from_instance[2]) - _seconds(shown[2]) <= 5


def test_after_a_failed_run_list_and_show_still_give_the_last_successful_evaluation(
    trainyard_home, tmp_path, monkeypatch, capsys
):
    for folder in ("good", "bad"):
        (tmp_path / folder).mkdir()
    _use(monkeypatch, quarantine_spec(tmp_path / "good", [5, 9]))
    assert main(["run", PIPELINE]) == 0
    capsys.readouterr()
    records = trainyard_home / "artifacts" / PIPELINE / "summaries"
    before = {p.name: p.read_bytes() for p in records.iterdir()}
    listed, shown = _output(capsys, ["list"]), _output(capsys, ["show", PIPELINE])

    _use(monkeypatch, quarantine_spec(tmp_path / "bad", list(range(1, 11))))
    assert main(["run", PIPELINE]) == 1  # a quarter of the rows rejected: the run fails
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in records.iterdir()} == before
    # The instance agrees: its latest evaluation is the first run's, which `show` names.
    found = instance_summaries([(PIPELINE, "evaluation")])[PIPELINE, "evaluation"]
    assert shown[1][2].endswith(f" by run {found.run_id[:8]}")
    assert _output(capsys, ["list"]) == listed and _output(capsys, ["show", PIPELINE]) == shown


def test_a_damaged_record_is_reported_damaged_not_never_run(trainyard_home, capsys):
    assert main(["run", PIPELINE]) == 0
    capsys.readouterr()
    record = trainyard_home / "artifacts" / PIPELINE / "summaries" / "evaluation.json"
    record.write_text(record.read_text()[:-40])
    code, listed = _output(capsys, ["list"])
    assert code == 1
    [line] = [x for x in listed if x.startswith(f"{PIPELINE} ")]
    assert f"{'damaged summary':<28} yes" in line
    assert f"{PIPELINE}: damaged evaluation summary ({record}: not JSON (" in listed[-1]
    code, shown = _output(capsys, ["show", PIPELINE])
    assert code == 1 and len(shown) == 1
    assert shown[0].startswith(f"{PIPELINE}: damaged evaluation summary ({record}: not JSON (")
    assert shown[0].endswith(f"; `trainyard run {PIPELINE}` rewrites it")

    record.write_text(json.dumps({"pipeline": PIPELINE}))
    code, shown = _output(capsys, ["show", PIPELINE])
    assert code == 1 and f"({record}: not a summary record (" in shown[0]
