"""Summary records: the latest materialization of the assets `trainyard list` and `show` print,
in a small file each, so that they answer without opening the Dagster instance.

    <root>/<p>/summaries/<asset>.json     (the artifacts root, any fsspec URL)

for `SUMMARIZED` assets. The IO manager that stores the asset's value writes its record
(`assets.summaries`), whole (temporary sibling, then rename), right after the value and before
Dagster records the materialization, on whichever machine ran the step: the record lives in
the storage the workers share, beside the value it describes. A record holds the pipeline, the
asset, the run and time it was stored, and the materialization's metadata as plain JSON
(numbers, text, paths, JSON, tables as lists of rows; the inline Markdown report is left out,
its path is there). It is replaced by every later materialization, never by a failed step, so
it always describes the latest successful one, as the instance's latest materialization does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from upath import UPath

from algorithms.atomic_files import atomic_write

SUMMARIES = "summaries"
# The metadata entries a reader of each summarized asset relies on.
SUMMARIZED = {
    "evaluation": ("headline", "scored_on"),
    "rejected": ("dagster/row_count", "num_rows_read", "max_rejected_fraction", "preview"),
}

Directory = Path | UPath


class DamagedSummaryError(ValueError):
    """A summary record that cannot be read: the message names the file and what is wrong."""

    def __init__(self, file: Directory, reason: str):
        self.file, self.reason = file, reason
        super().__init__(f"{file}: {reason}")


@dataclass(frozen=True)
class Summary:
    """The latest materialization of `<pipeline>/<asset>`: by which run, when (ISO 8601 UTC),
    and its metadata entries as plain values."""

    pipeline: str
    asset: str
    run_id: str
    materialized_at: str
    metadata: dict[str, Any]

    def to_json(self) -> str:
        """Sorted, indented JSON (`read_summary` inverts it)."""
        return json.dumps(asdict(self), sort_keys=True, indent=2) + "\n"


def summary_path(pipeline_dir: Directory, asset: str) -> Directory:
    """Where the summary record of `asset` of the pipeline stored in `pipeline_dir` lives."""
    return pipeline_dir / SUMMARIES / f"{asset}.json"


def write_summary(pipeline_dir: Directory, summary: Summary) -> None:
    """Replace the summary record of `summary.asset` whole."""
    atomic_write(summary_path(pipeline_dir, summary.asset), summary.to_json().encode("utf-8"))


def read_summary(pipeline_dir: Directory, asset: str) -> Summary | None:
    """The summary record of `asset`, None when there is none; DamagedSummaryError when it is
    not a record of this pipeline's asset with the entries its readers need."""
    path = summary_path(pipeline_dir, asset)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedSummaryError(path, f"not JSON ({exc})") from None
    except OSError as exc:
        raise DamagedSummaryError(path, f"cannot be read ({exc})") from None
    try:
        summary = Summary(**data)
    except TypeError as exc:
        raise DamagedSummaryError(path, f"not a summary record ({exc})") from None
    if (summary.pipeline, summary.asset) != (pipeline_dir.name, asset):
        raise DamagedSummaryError(
            path, f"records {summary.pipeline}/{summary.asset}, not {pipeline_dir.name}/{asset}"
        )
    if not isinstance(summary.metadata, dict):
        raise DamagedSummaryError(path, "metadata: not a JSON object")
    missing = [entry for entry in SUMMARIZED[asset] if entry not in summary.metadata]
    if missing:
        raise DamagedSummaryError(path, f"metadata: no {', '.join(missing)}")
    headline = summary.metadata.get("headline")
    if asset == "evaluation" and not isinstance(summary.metadata.get(headline), float):
        raise DamagedSummaryError(path, f"metadata: the headline {headline!r} has no value")
    return summary


def has_stored_value(pipeline_dir: Directory, asset: str) -> bool:
    """Whether the pipeline's artifacts hold a value of `asset` (`<asset>.<ext>` or `<asset>/`):
    one without a summary record was materialized before summaries were written, and only the
    instance knows its metadata."""
    if not pipeline_dir.is_dir():
        return False
    return any(p.name == asset or p.name.startswith(f"{asset}.") for p in pipeline_dir.iterdir())
