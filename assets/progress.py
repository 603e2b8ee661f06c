"""A Dagster logger that prints one progress line per asset event instead of debug logs.

The CLI selects it with run config `loggers: {progress: {}}`; runs from the UI keep
Dagster's own loggers.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

# The error Dagster raises in a step whose blocking asset check failed (the promotion gate).
_BLOCKING_CHECK_FAILED = "DagsterAssetCheckFailedError"


class ProgressHandler(logging.Handler):
    """Turns step, materialization and check events, and warnings the steps log, into short
    human lines on stderr."""

    def __init__(self, stream=None) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                message = meta.get("orig_message") or record.getMessage()
                print(f"    ! {message}", file=self.stream, flush=True)
            return
        line = self.line(event)
        if line:
            print(line, file=self.stream, flush=True)

    def line(self, event, at: float | None = None) -> str | None:
        """The line of a Dagster event (None for events not shown); `at` is when it happened
        in seconds (default: now), as read back from an event log."""
        kind, step = event.event_type_value, event.step_key
        now = time.perf_counter() if at is None else at
        if kind == "STEP_START":
            again = step in self.started  # a retry is STEP_RESTARTED: this step lost its worker
            self.started[step] = now
            if again:
                return f"  ↻ step {step} started again: the worker running it was lost"
        elif kind == "ASSET_MATERIALIZATION":
            seconds = now - self.started.get(step, now)
            return f"  ✓ {event.asset_key.to_user_string():<32} materialized in {seconds:.2f} s"
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.asset_check_evaluation_data
            headline = (data.description or "").split("\n")[0]
            verdict = "passed"
            if not data.passed:
                warns = data.severity == dg.AssetCheckSeverity.WARN
                verdict = f"{'warning' if warns else 'FAILED'}: {headline}".rstrip(": ")
            target = data.asset_key.to_user_string()
            return f"    check {data.asset_check_key.name} on {target}: {verdict}"
        elif kind == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:  # the user code's own error
                error = error.cause
            if error is not None and error.cls_name == _BLOCKING_CHECK_FAILED:
                # The failed check's own line above says which; the runner says why.
                return f"  ✗ step {step} stopped: a blocking check failed, nothing was stored"
            message = error.message.strip() if error else "unknown error"
            return f"  ✗ step {step} failed:\n" + _indent(message)
        elif kind == "STEP_UP_FOR_RETRY":
            return f"  ↻ step {step} failed; it will be retried"
        elif kind == "STEP_SKIPPED":
            return f"  - step {step} skipped (an upstream step failed)"
        return None


def _indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.splitlines())


@dg.logger(
    description="One line per materialization, check and failure (used by the CLI); "
    "config `silent: true` prints nothing (the CLI reads the event log instead).",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("trainyard.progress", level=logging.DEBUG)
    if not (init_context.logger_config or {}).get("silent"):
        logger.addHandler(ProgressHandler())
    return logger
