"""The report's Drift section, from what each batch's drift check found."""

from pipelines.drift_section import drift_section, drift_status
from pipelines.spec import DriftSpec

SHARES = {"x": {"bins": ["(-inf, 1]", "(1, inf]"], "reference": [0.5, 0.5], "batch": [0.1, 0.9]}}


def _found(passed, severity, max_psi, shares=None):
    return {
        "passed": passed,
        "severity": severity,
        "champion_version": "v2",
        "max_psi": max_psi,
        "moved_shares": shares or {},
    }


def test_statuses_follow_the_check():
    assert drift_status(None) == "not checked (no champion when it landed)"
    assert drift_status(_found(True, "ERROR", 0.01)) == "stable"
    assert drift_status(_found(False, "WARN", 0.12)) == "shifted"
    assert drift_status(_found(False, "ERROR", 0.6)) == "drifted"


def test_without_batches_there_is_no_section_and_quiet_batches_draw_nothing():
    assert drift_section({}, DriftSpec()) is None
    section = drift_section({"a.csv": _found(True, "ERROR", 0.02)}, DriftSpec())
    assert "| `a.csv` | v2 | 0.020 | — | stable |" in section.markdown
    assert section.markdown.endswith("No batch moved past the warn level.")
    assert section.figures == {}


def test_the_batch_that_moved_most_is_drawn():
    checks = {
        "a.csv": _found(False, "WARN", 0.15, SHARES),
        "b.csv": _found(False, "ERROR", 0.9, SHARES),
    }
    section = drift_section(checks, DriftSpec(warn_psi=0.1, fail_psi=0.3))
    assert (
        "0.1 or more is a shift" in section.markdown and "0.3 or more a drift" in section.markdown
    )
    assert "| `b.csv` | v2 | 0.900 | x | drifted |" in section.markdown
    assert "The features that moved in `b.csv`" in section.markdown
    assert list(section.figures) == ["drift"]
