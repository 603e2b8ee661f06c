"""When each pipeline's retrain schedule fires: the spec's cron, spread when specs share one.

Specs copied from the README all say `0 6 * * 1`; fired together, their runs would fight
for the same cores. Pipelines that share a cron whose minute field is a plain number are
spread evenly over that hour in name order (15 sharing one cron: minutes 0, 4, 8, …, 56);
a cron used by one pipeline, or with a minute pattern such as `*/15`, is kept as written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def staggered_crons(schedules: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Pipeline name → the cron its schedule uses, from (name, spec cron) pairs."""
    sharing: dict[str, list[str]] = defaultdict(list)
    for name, cron in schedules:
        sharing[cron].append(name)
    crons = {}
    for cron, names in sharing.items():
        minute, *rest = cron.split()
        for i, name in enumerate(sorted(names)):
            if len(names) == 1 or not minute.isdigit():
                crons[name] = cron
            else:
                crons[name] = " ".join([str((int(minute) + i * 60 // len(names)) % 60), *rest])
    return crons
