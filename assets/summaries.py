"""Writing the summary records of `pipelines.summaries` from Dagster, and reading the same from
the instance for assets stored before summaries existed.

`SummaryWriter` is mixed into the IO managers that store summarized assets: after the value is
stored, it writes the record of what Dagster is about to record on the materialization (the
output's metadata and what the IO manager added, as `plain_metadata`). Writing here, in the
step, rather than in the process that launched the run, keeps the record true for runs on
Celery workers on other machines and for runs launched from the UI or a schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from upath import UPath

from assets.instance import persistent_instance
from pipelines.summaries import SUMMARIZED, Summary, write_summary

# Values kept as they are; a table becomes its rows, Markdown (the inline report) is left out.
_PLAIN = (bool, int, float, str, list, dict, type(None))


def plain_metadata(entries: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata entries (Dagster values or the raw values an `Output` was given) as JSON-able
    values: numbers, text, paths and JSON as their value, a table as its rows."""
    plain: dict[str, Any] = {}
    for name, entry in entries.items():
        if isinstance(entry, dg.MarkdownMetadataValue):
            continue
        value = entry.value if isinstance(entry, dg.MetadataValue) else entry
        if isinstance(value, dg.TableMetadataValue):
            plain[name] = [record.data for record in value.records]
        elif isinstance(value, _PLAIN):
            plain[name] = value
    return plain


def _asset(key: dg.AssetKey) -> tuple[str, str] | None:
    """(pipeline, asset) of a summarized asset's key, else None."""
    if len(key.path) == 2 and key.path[1] in SUMMARIZED:
        return key.path[0], key.path[1]
    return None


class SummaryWriter(dg.UPathIOManager):
    """An IO manager that, after storing a summarized asset's value, writes its summary record
    under its own base path (`<base>/<p>/summaries/<asset>.json`)."""

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        super().handle_output(context, obj)
        named = _asset(context.asset_key) if context.has_asset_key else None
        if named is None:
            return
        metadata = {**context.output_metadata, **context.get_logged_metadata()}
        summary = Summary(
            pipeline=named[0],
            asset=named[1],
            run_id=context.run_id,
            materialized_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            metadata=plain_metadata(metadata),
        )
        write_summary(UPath(self._base_path) / named[0], summary)


def instance_summaries(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Summary | None]:
    """The latest materialization of each (pipeline, asset) as the persistent instance
    recorded it, as a `Summary` (None when never materialized), in one storage query."""
    events = persistent_instance().get_latest_materialization_events(
        [dg.AssetKey(list(key)) for key in keys]
    )
    found: dict[tuple[str, str], Summary | None] = {}
    for pipeline, asset in keys:
        event = events.get(dg.AssetKey([pipeline, asset]))
        materialization = event.asset_materialization if event is not None else None
        found[pipeline, asset] = (
            None
            if materialization is None
            else Summary(
                pipeline=pipeline,
                asset=asset,
                run_id=event.run_id,
                materialized_at=datetime.fromtimestamp(event.timestamp, UTC).isoformat(
                    timespec="microseconds"
                ),
                metadata=plain_metadata(materialization.metadata),
            )
        )
    return found
