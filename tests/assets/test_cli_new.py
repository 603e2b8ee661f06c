"""`trainyard new` as a user runs it: a pipeline from a foreign CSV that `trainyard run` then
runs, and each refusal with its message and nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import schemas
from assets.cli import main
from pipelines import paths

NOTES = "# Data files\n\n| file | used by | origin | licence |\n|---|---|---|---|\n"


def customers_csv(rows: int = 60) -> str:
    """Sorted by the target; NA and empty cells; a categorical column; a space in a name."""
    lines = ["customer_id,tenure,monthly charges,plan,churned"]
    for i in range(rows):
        tenure = 1 + (i * 13) % 72
        churned = "" if i == 7 else "yes" if tenure < 20 else "no"
        charges = "NA" if i % 11 == 3 else f"{20 + (i * 7) % 80}.5"
        lines.append(f"{i + 1},{tenure},{charges},{('basic', 'premium')[i % 2]},{churned}")
    header, *body = lines
    body.sort(key=lambda line: line.rsplit(",", 1)[1])
    return "\n".join([header, *body]) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Specs, schema modules and data notes in a temporary folder, as $TRAINYARD_SPECS and
    $TRAINYARD_SCHEMAS put them for a process that starts with them set."""
    for folder in ("specs", "schemas", "data"):
        (tmp_path / folder).mkdir()
    (tmp_path / "data/README.md").write_text(NOTES)
    monkeypatch.setattr(paths, "SPECS_DIR", tmp_path / "specs")
    monkeypatch.setattr(paths, "SCHEMAS_DIR", tmp_path / "schemas")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(schemas, "__path__", [*schemas.__path__, str(tmp_path / "schemas")])
    yield tmp_path
    for module in [m for m in sys.modules if m.startswith("schemas.")]:
        if str(tmp_path) in (getattr(sys.modules[module], "__file__", None) or ""):
            del sys.modules[module]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _trainyard(project: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI in a new process, with the project's specs, schemas and home in its
    environment (its data notes are the repository's: run no `new` here)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TRAINYARD_ARTIFACTS")}
    env |= {
        "TRAINYARD_HOME": str(project / "home"),
        "TRAINYARD_SPECS": str(project / "specs"),
        "TRAINYARD_SCHEMAS": str(project / "schemas"),
        "PYTHONPATH": str(paths.PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "assets.cli", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def test_new_prints_what_it_wrote_and_chose(project, capsys):
    csv = project / "customers.csv"
    csv.write_text(customers_csv())
    assert main(["new", "customers", "--csv", str(csv), "--target", "churned"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"wrote {project}/schemas/customers.py: the schema, inferred from the file"
    assert out[1] == (
        f"wrote {project}/specs/customers.yaml: classification of churned by "
        "random_forest_classifier, on_invalid: quarantine"
    )
    assert out[2] == f"noted {csv} in {project}/data/README.md"
    assert out[3] == "  features: tenure"
    assert out[4].startswith("  left out customer_id: a row identifier")
    assert out[5].startswith("  left out monthly charges: 6 nulls; a feature needs a number")
    assert out[6] == "  left out plan: text (2 categories); a model takes numbers"
    assert out[7] == "  rows without churned, rejected when the pipeline runs: 1"
    assert out[8] == "Review the schema's ranges and categories, then: trainyard run customers"
    assert _files(project) == [
        "customers.csv",
        "data/README.md",
        "schemas/customers.py",
        "specs/customers.yaml",
    ]


@pytest.mark.slow
def test_the_new_pipeline_runs_end_to_end(project, capsys):
    csv = project / "customers.csv"
    csv.write_text(customers_csv().replace("NA", "?"))
    args = ["--csv", str(csv), "--target", "churned", "--null-value", "?", "--null-value", ""]
    shipped_notes = (paths.PROJECT_ROOT / "data/README.md").read_text()
    # `new` in this process, where the data notes are the project's too; `run` in a fresh one.
    assert main(["new", "customers", *args]) == 0
    assert "left out monthly charges: 6 nulls" in capsys.readouterr().out
    spec = (project / "specs/customers.yaml").read_text()
    assert f"source:\n  csv: {csv}\n  null_values: ['?', '']\n" in spec
    done = _trainyard(project, "run", "customers")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ customers/rejected" in done.stderr and "✓ customers/champion" in done.stderr
    assert "customers: random_forest_classifier, scored on the held-out test split (12 rows)" in (
        done.stdout
    )
    assert "champion: promoted (customers/champion updated)" in done.stdout
    assert (project / "home/reports/customers/report.md").exists()
    assert (paths.PROJECT_ROOT / "data/README.md").read_text() == shipped_notes


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["new", "Customers"], "trainyard: 'Customers' is not a pipeline name"),
        (
            ["new", "wine"],
            "schemas/wine.py already exists: the schema module schemas.wine is taken",
        ),
        (
            ["new", "customers", "--target", "churn"],
            "has no column 'churn' to predict; its "
            "columns: customer_id, tenure, monthly charges, plan, churned",
        ),
        (["new", "customers", "--csv", "missing.csv"], "missing.csv not found"),
        (["new", "x", "--separator", ";;"], "--separator: String should have at most 1 character"),
        (["new", "x", "--encoding", "klingon"], "--encoding: unknown encoding 'klingon'"),
    ],
)
def test_refusals_exit_1_with_the_reason_and_write_nothing(project, capsys, args, words):
    csv = project / "customers.csv"
    csv.write_text(customers_csv())
    defaults = {"--csv": str(csv), "--target": "churned"}
    argv = args + [
        item for key, value in defaults.items() if key not in args for item in (key, value)
    ]
    before = _files(project)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert words in err
    assert _files(project) == before
    assert (project / "data/README.md").read_text() == NOTES


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a,b\n" + "1,\n" * 12, "target 'b' is null in every row"),
        ("a,b\n" + "1,x\n" * 5, "has 5 rows; a pipeline needs at least 10"),
    ],
)
def test_data_refusals_exit_1(project, capsys, text, words):
    csv = project / "few.csv"
    csv.write_text(text)
    assert main(["new", "few", "--csv", str(csv), "--target", "b"]) == 1
    assert words in capsys.readouterr().err
    assert _files(project) == ["data/README.md", "few.csv"]


def test_an_existing_pipeline_is_refused_and_kept(project, capsys):
    csv = project / "customers.csv"
    csv.write_text(customers_csv())
    (project / "specs/customers.yaml").write_text("mine")
    assert main(["new", "customers", "--csv", str(csv), "--target", "churned"]) == 1
    assert "specs/customers.yaml already exists" in capsys.readouterr().err
    assert (project / "specs/customers.yaml").read_text() == "mine"
    assert _files(project) == ["customers.csv", "data/README.md", "specs/customers.yaml"]
