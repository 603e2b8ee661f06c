"""The report's Drift section of a landing pipeline: what each batch's drift check found when
it landed (against the champion of that moment), and the moved features of the batch that
moved most, batch beside reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipelines.drift import shares_figure
from pipelines.sections import Section, markdown_table
from pipelines.spec import DriftSpec

_STATUS = {"WARN": "shifted", "ERROR": "drifted"}


def drift_status(found: Mapping[str, Any] | None) -> str:
    """stable, shifted or drifted from a drift check's outcome; `not checked` without one."""
    if found is None:
        return "not checked (no champion when it landed)"
    return "stable" if found["passed"] else _STATUS.get(found["severity"], "shifted")


def drift_section(
    checks: Mapping[str, Mapping[str, Any] | None], levels: DriftSpec
) -> Section | None:
    """One row per batch (its drift check's champion, max PSI, most moved feature and status)
    and a figure of the batch with the highest PSI among those that moved; None without
    batches."""
    if not checks:
        return None
    rows = [
        [
            f"`{batch}`",
            found["champion_version"] if found else "—",
            f"{found['max_psi']:.3f}" if found else "—",
            next(iter(found["moved_shares"]), "—") if found else "—",
            drift_status(found),
        ]
        for batch, found in checks.items()
    ]
    text = (
        "## Drift\n\n"
        "Each batch was compared, when it landed, with the training rows of the champion of "
        "that moment: population stability index (PSI) over the reference deciles of each "
        f"feature; {levels.warn_psi} or more is a shift (the check warns), {levels.fail_psi} "
        "or more a drift (the check fails). The check's table in the UI has every feature's "
        "PSI and Kolmogorov–Smirnov statistic.\n\n"
        + markdown_table(["batch", "champion", "max PSI", "moved most", "status"], rows, "llrll")
    )
    moved = {b: f for b, f in checks.items() if f and f["moved_shares"]}
    if not moved:
        return Section(text + "\n\nNo batch moved past the warn level.")
    worst = max(moved, key=lambda b: moved[b]["max_psi"])
    figure = shares_figure(moved[worst]["moved_shares"], worst)
    return Section(
        text + f"\n\nThe features that moved in `{worst}`, batch beside reference:\n\n"
        "![Drift of the batch that moved most](drift.png)",
        {"drift": figure},
    )
