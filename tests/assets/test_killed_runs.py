"""A run killed with `kill -9` mid-write: the next `trainyard run` fails it and cleans up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import dagster as dg
import pytest
from dagster._core.utils import make_new_run_id

from algorithms.atomic_files import HOST
from assets.cli import main
from assets.instance import persistent_instance
from assets.recovery import HOST_TAG, PID_TAG, fail_orphaned_runs
from pipelines.bundle import ModelBundle
from tests.assets.helpers import run_python

# Runs `trainyard run viral_posts_seed` and SIGKILLs itself while the champion's files are
# being written into their temporary folder: a real kill -9 at the worst moment.
KILLED_DURING_CHAMPION_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    import pipelines.champions as champions
    from assets.cli import main

    copy = champions.copy_files

    def copy_or_die(source, target, skip=()):
        if target.name.startswith(".champion."):
            (target / "estimator.json").write_text("{half")
            os.kill(os.getpid(), signal.SIGKILL)
        copy(source, target, skip)

    champions.copy_files = copy_or_die
    sys.exit(main(["run", "viral_posts_seed"]))
    """
)


@pytest.mark.slow
def test_the_next_run_fails_a_killed_run_and_removes_its_leftovers(trainyard_home, capsys):
    killed = run_python(KILLED_DURING_CHAMPION_WRITE)
    assert killed.returncode == -9, killed.stderr
    instance = persistent_instance()
    [run] = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.STARTED
    pipeline_dir = trainyard_home / "artifacts" / "viral_posts_seed"
    [leftover] = [p for p in pipeline_dir.iterdir() if p.name.startswith(".champion.")]
    assert not (pipeline_dir / "champion").exists()

    assert main(["run", "viral_posts_seed"]) == 0

    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    [failure] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert "ended without finishing the run (killed?)" in failure.dagster_event.message
    err = capsys.readouterr().err
    assert f"run {run.run_id} was killed; marked failed" in err
    assert f"removed leftover {leftover}" in err
    assert not leftover.exists()
    assert sorted(p.name for p in pipeline_dir.iterdir() if p.name.startswith(".")) == []
    ModelBundle.load(pipeline_dir / "champion")


def _open_run(instance: dg.DagsterInstance, pid: int, host: str = HOST) -> str:
    run = dg.DagsterRun(
        job_name="noop",
        run_id=make_new_run_id(),
        status=dg.DagsterRunStatus.STARTED,
        tags={PID_TAG: str(pid), HOST_TAG: host},
    )
    return instance.add_run(run).run_id


def test_only_runs_whose_process_is_gone_here_are_failed(trainyard_home):
    instance = persistent_instance()
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    dead = _open_run(instance, int(exited.stdout))
    alive = _open_run(instance, os.getppid())
    mine = _open_run(instance, os.getpid())
    elsewhere = _open_run(instance, int(exited.stdout), host="0ther-host")
    assert fail_orphaned_runs(instance) == [dead]
    statuses = {r.run_id: r.status for r in instance.get_runs()}
    assert statuses[dead] == dg.DagsterRunStatus.FAILURE
    assert {statuses[r] for r in (alive, mine, elsewhere)} == {dg.DagsterRunStatus.STARTED}
