"""The `trainyard` CLI as a user runs it: run, list, show, validate, and its errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import polars as pl
import pytest

from algorithms.registry import algorithm_names, get_algorithm
from assets import cli, runner
from assets.cli import main
from assets.factory import build_definitions
from assets.instance import latest_metadata, persistent_instance
from pipelines.paths import DATA_DIR, PROJECT_ROOT
from tests.assets.helpers import make_spec, quarantine_spec

pytestmark = pytest.mark.slow


def test_run_then_list_and_show(trainyard_home, capsys):
    assert main(["run", "viral_posts_seed"]) == 0
    out, err = capsys.readouterr()
    assert "✓ viral_posts_seed/champion" in err
    assert "check promotion_gate on viral_posts_seed/champion: passed" in err
    assert "scored on the training data" in out
    assert "accuracy" in out and (trainyard_home / "reports/viral_posts_seed/report.md").exists()

    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    seed_line = next(line for line in listing.splitlines() if line.startswith("viral_posts_seed "))
    assert "accuracy" in seed_line and "yes" in seed_line
    assert "never run" in next(
        line for line in listing.splitlines() if line.startswith("viral_posts ")
    )

    assert main(["show", "viral_posts_seed"]) == 0
    shown = capsys.readouterr().out
    assert "accuracy" in shown and "report.md" in shown


def test_validate_accepts_good_and_reports_bad_files(trainyard_home, tmp_path, capsys):
    good = DATA_DIR / "viral_posts_seed.csv"
    assert main(["validate", "viral_posts_seed", str(good)]) == 0
    assert "5 rows conform" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    pl.read_csv(good).with_columns(pl.lit(30).alias("hour")).write_csv(bad)
    assert main(["validate", "viral_posts_seed", str(bad)]) == 1
    report = capsys.readouterr().out
    assert "hour" in report and "does not conform" in report
    assert not (trainyard_home / ".dagster").exists()


def test_unknown_pipeline_and_missing_file_are_clear_errors(trainyard_home, capsys):
    with pytest.raises(SystemExit, match="unknown pipeline nope; pipelines: .*viral_posts"):
        main(["run", "nope"])
    assert main(["validate", "viral_posts_seed", "/nonexistent/x.csv"]) == 1
    assert "/nonexistent/x.csv" in capsys.readouterr().err


def test_run_and_show_say_how_a_tie_between_candidates_was_broken(trainyard_home, capsys):
    assert main(["run", "xor"]) == 0
    out = capsys.readouterr().out
    assert "seed_2_3_1 and wider_2_16_16_1 tie on accuracy (1.0000)." in out
    assert main(["show", "xor"]) == 0
    shown = capsys.readouterr().out
    assert "chosen candidate: seed_2_3_1. Both candidates pass the promote_if gate." in shown
    assert "Broken by the simpler model, fewer fitted numbers (seed_2_3_1 19," in shown


def test_run_and_show_tell_how_many_rows_were_quarantined(
    trainyard_home, tmp_path, monkeypatch, capsys
):
    spec = quarantine_spec(tmp_path, [5, 9])
    defs = build_definitions({spec.name: spec})
    monkeypatch.setattr(runner, "_definitions", lambda _artifacts, _spec: defs)
    monkeypatch.setattr(cli, "load_specs", lambda: {spec.name: spec})
    monkeypatch.setattr(cli, "_named_spec", lambda _args, data_only=True: spec)
    assert main(["run", spec.name]) == 0
    err = capsys.readouterr().err
    assert (
        "check schema on viral_posts_seed/validated: warning: 2 of 40 rows quarantined "
        "(5.0%, limit 5%): set aside in viral_posts_seed/rejected; the other 38 rows go on."
    ) in err

    assert main(["show", spec.name]) == 0
    shown = capsys.readouterr().out.splitlines()
    at = shown.index(
        "rejected: 2 of 40 rows quarantined (5.0%, limit 5%), in viral_posts_seed/rejected"
    )
    assert shown[at + 1 : at + 3] == [
        "  line 6       hour:greater_than_or_equal_to(0)",
        "  line 10      hour:greater_than_or_equal_to(0)",
    ]
    assert shown[at + 3].startswith("report: ")


def test_run_all_runs_every_pipeline_once_and_names_the_failed_ones(
    trainyard_home, tmp_path, monkeypatch, capsys
):
    # 10 of 40 rows rejected, over its 5% limit: its run fails at validation.
    seed = quarantine_spec(tmp_path, list(range(10)))
    failing = seed.model_copy(update={"name": "too_many_rejected"})
    specs = {failing.name: failing, "viral_posts_seed": make_spec("viral_posts_seed")}
    monkeypatch.setattr(cli, "load_specs", lambda: specs)
    assert main(["run", "--all"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == "trainyard: failed: too_many_rejected"
    assert "champion: promoted (viral_posts_seed/champion updated)" in out  # ran after it

    # One run per pipeline in the one instance of the process, as separate commands record.
    runs = persistent_instance().get_runs()
    assert sorted((run.job_name, run.status.value) for run in runs) == [
        ("too_many_rejected_retrain", "FAILURE"),
        ("viral_posts_seed_retrain", "SUCCESS"),
    ]
    assert latest_metadata(persistent_instance(), ["too_many_rejected", "champion"]) is None
    assert latest_metadata(persistent_instance(), ["viral_posts_seed", "champion"])["version"]


# What `list`, `show` and `validate` must not import: every estimator module and the
# libraries only training, plotting or the estimators need.
HEAVY = {get_algorithm(name).target.partition(":")[0] for name in algorithm_names()}
HEAVY |= {"algorithms.gridworld", "sklearn", "scipy", "numba", "matplotlib"}


def _modules_after(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after `trainyard ARGV` (its exit code 0 or 1)."""
    code = (
        "import contextlib, io, sys; from assets.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main({argv!r})\n"
        "print(code); print('\\n'.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    code, *modules = done.stdout.split()
    assert code in ("0", "1"), done.stderr
    return set(modules)


def test_list_show_and_validate_import_no_estimator_scikit_learn_plotting_or_dagster(
    trainyard_home,
):
    assert main(["run", "viral_posts_seed"]) == 0  # a champion, so its status is judged too
    seed = str(DATA_DIR / "viral_posts_seed.csv")
    commands = {
        "list": ["list"],
        "show": ["show", "viral_posts_seed"],
        "show an environment pipeline": ["show", "gridworld"],
        "validate": ["validate", "viral_posts_seed", seed],
    }
    for what, argv in commands.items():
        loaded = _modules_after(argv)
        assert loaded & HEAVY == set(), what
        # The evaluations come from summary records: no Dagster, no instance, no database.
        assert loaded & {"dagster", "sqlalchemy", "alembic"} == set(), what
    # An evaluation stored before summary records existed is read from the instance.
    shutil.rmtree(trainyard_home / "artifacts" / "viral_posts_seed" / "summaries")
    assert "dagster" in _modules_after(["list"])


def test_run_imports_the_estimators_of_its_own_pipeline_only(trainyard_home):
    def module(name: str) -> str:
        return get_algorithm(name).target.partition(":")[0]

    estimators = {module(name) for name in algorithm_names()}
    loaded = _modules_after(["run", "viral_posts_seed"])
    # Its model and the model it is compared with; the environment kind's module imports
    # GridWorld from the module that also holds the Q-learning agent.
    expected = {module("delta_rule"), module("random_weights"), "algorithms.reinforcement"}
    assert loaded & estimators == expected
