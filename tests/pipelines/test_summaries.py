"""Summary records: written whole, read back equal, and a damaged one named, never taken as
"never run"."""

import json

import pytest
from upath import UPath

from pipelines.summaries import (
    DamagedSummaryError,
    Summary,
    has_stored_value,
    read_summary,
    summary_path,
    write_summary,
)

EVALUATION = Summary(
    pipeline="iris",
    asset="evaluation",
    run_id="0123abcd-0000",
    materialized_at="2026-12-03T10:41:34.123456+00:00",
    metadata={"headline": "accuracy", "accuracy": 0.9667, "scored_on": "held-out test split"},
)


@pytest.mark.parametrize("root", ["local", "memory"])
def test_a_written_record_reads_back_equal_from_a_local_disk_or_a_url(tmp_path, root):
    pipeline_dir = tmp_path / "iris" if root == "local" else UPath("memory://summaries-test/iris")
    assert read_summary(pipeline_dir, "evaluation") is None
    write_summary(pipeline_dir, EVALUATION)
    assert read_summary(pipeline_dir, "evaluation") == EVALUATION
    stored = json.loads(summary_path(pipeline_dir, "evaluation").read_text())
    assert stored["metadata"]["accuracy"] == 0.9667 and stored["run_id"] == "0123abcd-0000"


def _damaged(tmp_path, text: str) -> DamagedSummaryError:
    path = summary_path(tmp_path / "iris", "evaluation")
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(DamagedSummaryError) as caught:
        read_summary(tmp_path / "iris", "evaluation")
    assert caught.value.file == path
    return caught.value


def test_a_record_that_is_not_json_is_damaged_naming_the_file(tmp_path):
    error = _damaged(tmp_path, '{"pipeline": "iris", "asse')
    assert str(error).startswith(f"{error.file}: not JSON (")


def test_a_record_with_missing_or_foreign_fields_is_damaged(tmp_path):
    record = json.loads(EVALUATION.to_json())
    del record["run_id"]
    assert "not a summary record" in _damaged(tmp_path, json.dumps(record)).reason


def test_a_record_of_another_pipeline_is_damaged(tmp_path):
    other = json.loads(EVALUATION.to_json()) | {"pipeline": "wine"}
    error = _damaged(tmp_path, json.dumps(other))
    assert error.reason == "records wine/evaluation, not iris/evaluation"


def test_an_evaluation_record_without_its_headline_value_is_damaged(tmp_path):
    record = json.loads(EVALUATION.to_json())
    del record["metadata"]["accuracy"]
    error = _damaged(tmp_path, json.dumps(record))
    assert error.reason == "metadata: the headline 'accuracy' has no value"
    del record["metadata"]["headline"]
    error = _damaged(tmp_path / "again", json.dumps(record))
    assert error.reason == "metadata: no headline"


def test_a_stored_value_is_a_file_or_a_folder_named_after_the_asset(tmp_path):
    pipeline_dir = tmp_path / "iris"
    assert not has_stored_value(pipeline_dir, "evaluation")
    pipeline_dir.mkdir()
    (pipeline_dir / "evaluation_extra.json").write_text("{}")
    assert not has_stored_value(pipeline_dir, "evaluation")
    (pipeline_dir / "evaluation.json").write_text("{}")
    assert has_stored_value(pipeline_dir, "evaluation")
    (pipeline_dir / "rejected").mkdir()
    assert has_stored_value(pipeline_dir, "rejected")
