"""Several processes run the same pipeline at once against one home: none races another."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.bundle import ModelBundle
from pipelines.champions import current, versions
from pipelines.paths import PROJECT_ROOT
from pipelines.summaries import read_summary
from tests.assets.helpers import file_bytes

PROCESSES = 4
COMMAND = [sys.executable, "-m", "assets.cli", "run", "viral_posts_seed"]


def _start(home: Path) -> subprocess.Popen:
    env = {**os.environ, "TRAINYARD_HOME": str(home), "DAGSTER_HOME": str(home / ".dagster")}
    return subprocess.Popen(COMMAND, cwd=PROJECT_ROOT, env=env, stdout=-1, stderr=-1, text=True)


@pytest.mark.slow
def test_concurrent_runs_leave_one_runs_complete_output(tmp_path):
    reference, shared = tmp_path / "reference", tmp_path / "shared"
    alone = _start(reference)
    assert alone.communicate() and alone.returncode == 0
    runs = [_start(shared) for _ in range(PROCESSES)]
    outcomes = [(run.communicate()[1], run.returncode) for run in runs]
    for err, code in outcomes:
        # Each run succeeds, or fails with trainyard's own message — never a traceback.
        assert code == 0 or ("trainyard: failed: viral_posts_seed" in err), err
        assert "Traceback" not in err and ".tmp" not in err, err
    assert sum(code == 0 for _, code in outcomes) >= 1
    for folder in ("artifacts", "reports"):
        assert _outputs(shared / folder) == _outputs(reference / folder), folder
    hidden = [p for p in (shared / "artifacts").rglob(".*")]
    assert hidden == []
    champion = ModelBundle.load(shared / "artifacts" / "viral_posts_seed" / "champion")
    assert champion.pipeline == "viral_posts_seed"
    # Each promotion took its own version number, and each version is one run's whole bundle.
    history = shared / "artifacts" / "viral_posts_seed" / "champions"
    promoted = sorted(versions(history.parent), key=lambda r: r.version)
    assert [r.version for r in promoted] == [f"v{n}" for n in range(1, len(promoted) + 1)]
    assert len({r.run_id for r in promoted}) == len(promoted) >= 1
    expected = _outputs(reference / "artifacts" / "viral_posts_seed" / "champion")
    for record in promoted:
        assert _outputs(history / record.version) == expected
    assert current(history.parent).version in {r.version for r in promoted}
    # The evaluation's summary record is one run's whole record (it names its run and time).
    evaluated = read_summary(shared / "artifacts" / "viral_posts_seed", "evaluation")
    alone_evaluated = read_summary(reference / "artifacts" / "viral_posts_seed", "evaluation")
    assert evaluated.pipeline == "viral_posts_seed"
    assert evaluated.metadata.keys() == alone_evaluated.metadata.keys()


def _outputs(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but the champion records and history and the summary records,
    which name the run and the time of each promotion or evaluation."""
    return {
        name: data
        for name, data in file_bytes(folder).items()
        if "champions/" not in name
        and "summaries/" not in name
        and Path(name).name != "champion.json"
    }
