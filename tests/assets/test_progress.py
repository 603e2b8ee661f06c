"""The CLI's progress logger: one line per event, and the warnings steps log."""

import io
import logging

import dagster as dg

from assets.progress import ProgressHandler
from tests.assets.helpers import make_spec, materialize_group, shipped_spec_dict


def _record(level: int, message: str, meta: dict) -> logging.LogRecord:
    record = logging.LogRecord("x", level, __file__, 1, message, None, None)
    record.dagster_meta = meta
    return record


def test_warnings_get_a_line_and_other_messages_none():
    stream = io.StringIO()
    handler = ProgressHandler(stream)
    handler.emit(_record(logging.WARNING, "raw text", {"orig_message": "p/model: max_iter hit"}))
    handler.emit(_record(logging.INFO, "chatter", {"orig_message": "loading input"}))
    handler.emit(_record(logging.ERROR, "plain message", {}))
    assert stream.getvalue() == "    ! p/model: max_iter hit\n    ! plain message\n"


def test_training_warnings_reach_the_log_and_the_model_metadata(trainyard_home, tmp_path):
    candidates = shipped_spec_dict("xor")["candidates"]
    short = candidates["seed_2_3_1"] | {
        "params": candidates["seed_2_3_1"]["params"] | {"max_iter": 3, "tol": 1e-4}
    }
    spec = make_spec("xor", candidates={"short": short})
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_group(spec, tmp_path, instance)
    (model,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "short"
    ]
    message = "MLPClassifier reached max_iter=3 epochs before the loss stopped improving."
    assert model.materialization.metadata["warnings"].data == [message]
    logged = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING and entry.dagster_event is None
    ]
    assert logged == [f"xor/model/short: {message}"]
