"""`trainyard new` without the CLI: the files it writes, what it chooses, what it refuses."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

import schemas
from algorithms.tasks import CLASSIFICATION, REGRESSION
from pipelines.read_options import CsvOptions
from pipelines.scaffold import Layout, ScaffoldError, new_pipeline
from pipelines.spec import load_spec, resolve_schema

NOTES = """# Data files

| file | used by | origin | licence |
|---|---|---|---|
| `old.csv` | `pipelines/specs/old.yaml` | somewhere | CC0 |
"""
TODAY = date(2025, 3, 4)


def churn_csv(rows: int = 40, separator: str = ",", null: str = "NA") -> str:
    """Customers sorted by the target (no first, then yes); `monthly charges` has nulls,
    `plan` is categorical, `customer_id` counts the rows and one target is missing."""
    lines = [separator.join(["customer_id", "tenure", "monthly charges", "plan", "churned"])]
    for i in range(rows):
        churned = "" if i == 10 else "no" if i < rows * 0.6 else "yes"
        charges = null if i % 9 == 4 else f"{20 + (i * 7) % 80}.5"
        plan = ("basic", "premium", "family")[i % 3]
        cells = [str(i + 1), str(1 + (i * 13) % 72), charges, plan, churned]
        lines.append(separator.join(cells))
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """A project in a temporary folder whose schema modules import as `schemas.<name>`."""
    layout = Layout(tmp_path / "specs", tmp_path / "schemas", tmp_path / "data/README.md", tmp_path)
    layout.specs.mkdir()
    layout.schemas.mkdir()
    layout.data_notes.parent.mkdir()
    layout.data_notes.write_text(NOTES)
    monkeypatch.setattr(schemas, "__path__", [*schemas.__path__, str(layout.schemas)])
    yield layout
    for module in [m for m in sys.modules if m.startswith("schemas.")]:
        if str(tmp_path) in (getattr(sys.modules[module], "__file__", None) or ""):
            del sys.modules[module]


def _csv(layout: Layout, text: str, name: str = "data/churn.csv") -> Path:
    path = layout.root / name
    path.write_text(text)
    return path


def _files(layout: Layout) -> list[str]:
    return sorted(str(p.relative_to(layout.root)) for p in layout.root.rglob("*") if p.is_file())


def test_writes_a_schema_a_spec_that_loads_and_a_data_note(project):
    csv = _csv(project, churn_csv())
    made = new_pipeline("churn", csv, "churned", layout=project, today=TODAY)
    assert _files(project) == [
        "data/README.md",
        "data/churn.csv",
        "schemas/churn.py",
        "specs/churn.yaml",
    ]
    spec = load_spec(project.specs / "churn.yaml")
    assert spec == made.spec
    assert spec.source.csv == "data/churn.csv"  # relative to the project root
    assert spec.schema_ == "schemas.churn:Churn"
    assert (spec.on_invalid, spec.max_rejected_fraction) == ("quarantine", 0.05)
    assert spec.features.columns == ["tenure"]
    assert spec.target == "churned"
    assert (spec.split.test_fraction, spec.split.seed, spec.split.stratify) == (0.2, 42, True)
    assert (spec.model.algorithm, spec.model.params) == (
        "random_forest_classifier",
        {"random_state": 0},
    )
    assert spec.task is CLASSIFICATION and spec.evaluation.metrics is None
    assert spec.headline == "accuracy"
    assert made.rejected_rows == 1
    assert set(made.plan.left_out) == {"customer_id", "monthly charges", "plan"}

    schema = resolve_schema(spec.schema_).to_schema()
    assert schema.columns["monthly charges"].nullable
    assert not schema.columns["churned"].nullable  # the row without a target is rejected

    notes = (project.data_notes).read_text()
    assert notes.startswith(NOTES)
    row = notes[len(NOTES) :]
    assert row.startswith("| `churn.csv` | `specs/churn.yaml` | Given to `trainyard new` as `")
    assert "on 2025-03-04: 40 rows, 5 columns" in row
    assert "nulls: monthly charges 4, churned 1" in row
    assert "target `churned`: no 23, yes 16 (1 null)" in row
    assert row.endswith("| Unknown: state the source's licence. |\n")


def test_the_spec_explains_each_section_in_comments(project):
    new_pipeline("churn", _csv(project, churn_csv()), "churned", layout=project, today=TODAY)
    text = (project.specs / "churn.yaml").read_text()
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert text.startswith("# Pipeline churn, written by `trainyard new` on 2025-03-04 from")
    assert "Rows without a churned are rejected: 1 of the 40 (2.5%)." in comments.replace(
        "\n# ", " "
    )
    for words in [
        "- customer_id: a row identifier",
        "- monthly charges: 4 nulls; a feature needs a number in every row",
        "- plan: text (3 categories)",
        "a classification task because its values are texts (2 distinct: no, yes)",
        "stratify keeps each class's share",
        "`trainyard algorithms random_forest_classifier`",
        "The headline metric is accuracy",
    ]:
        assert words in comments.replace("\n#   ", " ").replace("\n# ", " "), words
    assert max(len(line) for line in text.splitlines()) <= 96


def test_a_numeric_target_with_many_values_is_a_regression(project):
    lines = ["x,area,price"] + [f"{i % 7},{i * 3},{100 + i * 2.5}" for i in range(30)]
    made = new_pipeline("prices", _csv(project, "\n".join(lines) + "\n"), "price", layout=project)
    spec = made.spec
    assert spec.task is REGRESSION and spec.model.algorithm == "random_forest_regressor"
    assert (spec.split.stratify, spec.headline) == (False, "mse")
    assert spec.features.columns == ["x"]  # area is distinct and sorted: a row identifier
    note = project.data_notes.read_text().splitlines()[-1]
    assert "target `price`: 100.0 to 172.5, mean 136.2, median 136.2" in note


def test_an_integer_target_with_few_values_is_a_class_and_rare_classes_are_not_stratified(
    project,
):
    lines = ["a,b,grade"] + [f"{i},{i % 5},{1 if i == 0 else 2 + i % 2}" for i in range(20)]
    made = new_pipeline("grades", _csv(project, "\n".join(lines) + "\n"), "grade", layout=project)
    assert made.spec.task is CLASSIFICATION
    assert made.spec.split.stratify is False
    assert made.plan.why_not_stratified == (
        "class 1 has only 1 row, and stratifying needs 2 per class"
    )


def test_read_options_are_used_and_written_into_the_source(project):
    csv = _csv(project, churn_csv(separator=";", null="?"), "churn.csv")
    options = CsvOptions(separator=";", null_values=["?", ""], encoding="latin-1")
    made = new_pipeline("semicolons", csv, "churned", options, layout=project)
    source = made.spec.source
    assert (source.csv, source.separator, source.null_values) == ("churn.csv", ";", ("?", ""))
    assert source.encoding == "latin-1"
    assert "monthly charges" in made.plan.left_out
    assert resolve_schema(made.spec.schema_).to_schema().columns["monthly charges"].nullable


def test_a_file_outside_the_project_is_named_by_its_absolute_path(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "churn.csv"
    outside.write_text(churn_csv())
    made = new_pipeline("outside", outside, "churned", layout=project)
    assert made.spec.source.csv == outside.resolve().as_posix()
    assert f"| `{outside.resolve().as_posix()}` |" in project.data_notes.read_text()


def test_a_notes_file_without_a_table_gets_one(project):
    project.data_notes.write_text("# Data\n\nNotes.\n")
    new_pipeline("churn", _csv(project, churn_csv()), "churned", layout=project)
    lines = project.data_notes.read_text().splitlines()
    assert lines[:5] == ["# Data", "", "Notes.", "", "| file | used by | origin | licence |"]
    assert lines[6].startswith("| `churn.csv` |")


@pytest.mark.parametrize(
    ("name", "text", "target", "words"),
    [
        ("Churn", churn_csv(), "churned", "'Churn' is not a pipeline name"),
        (
            "churn",
            churn_csv(),
            "churn",
            "has no column 'churn' to predict; its columns: "
            "customer_id, tenure, monthly charges, plan, churned",
        ),
        ("churn", churn_csv(rows=9), "churned", "has 9 rows; a pipeline needs at least 10"),
        ("churn", "a,b\n" + "1,\n" * 12, "b", "target 'b' is null in every row"),
        ("churn", "a,b\n" + "1,x\n2,x\n" * 6, "b", "target 'b' has one value only ('x')"),
        (
            "churn",
            "a,b\n" + "x,1\ny,2\n" * 6,
            "b",
            "no column can be a feature of a model "
            "predicting 'b' (a feature is a number, a whole number or true/false, with a value in "
            "every row): a: text (2 categories)",
        ),
    ],
)
def test_refusals_say_why_and_write_nothing(project, name, text, target, words):
    csv = _csv(project, text)
    before = _files(project)
    with pytest.raises(ScaffoldError) as refused:
        new_pipeline(name, csv, target, layout=project)
    assert words in str(refused.value)
    assert _files(project) == before
    assert project.data_notes.read_text() == NOTES


def test_an_existing_spec_or_schema_is_never_overwritten(project):
    csv = _csv(project, churn_csv())
    (project.specs / "churn.yaml").write_text("mine")
    with pytest.raises(ScaffoldError, match=r"specs/churn.yaml already exists: trainyard new "):
        new_pipeline("churn", csv, "churned", layout=project)
    assert (project.specs / "churn.yaml").read_text() == "mine"
    (project.schemas / "other.py").write_text("mine")
    with pytest.raises(ScaffoldError, match=r"schemas/other.py already exists: the schema module"):
        new_pipeline("other", csv, "churned", layout=project)
    # A shipped schema module is taken as well: schemas.wine is the wine data's.
    with pytest.raises(ScaffoldError, match=r"schemas/wine.py already exists"):
        new_pipeline("wine", csv, "churned", layout=project)
    assert _files(project) == [
        "data/README.md",
        "data/churn.csv",
        "schemas/other.py",
        "specs/churn.yaml",
    ]


def test_a_missing_or_unreadable_file_gets_the_readers_message(project):
    with pytest.raises(FileNotFoundError, match="data file .*nope.csv not found"):
        new_pipeline("churn", project.root / "nope.csv", "churned", layout=project)
    bad = _csv(project, 'a,b\n1,"2\n', "bad.csv")
    with pytest.raises(ValueError, match="line 2: a quote opens a field that is never closed"):
        new_pipeline("churn", bad, "b", layout=project)
    with pytest.raises(ScaffoldError, match="expected a .csv file"):
        new_pipeline("churn", _csv(project, "a\n", "x.txt"), "a", layout=project)
    assert _files(project) == ["bad.csv", "data/README.md", "x.txt"]


def test_a_failed_write_takes_back_what_was_written(project):
    csv = _csv(project, churn_csv())
    project.specs.rmdir()
    project.specs.write_text("")  # the schema is written, then the spec cannot be
    with pytest.raises(ScaffoldError, match=r"cannot write .*specs: File exists; nothing was kept"):
        new_pipeline("churn", csv, "churned", layout=project)
    assert _files(project) == ["data/README.md", "data/churn.csv", "specs"]
    assert project.data_notes.read_text() == NOTES
    assert "schemas.churn" not in sys.modules


def test_unreadable_data_notes_are_refused_before_anything_is_written(project):
    csv = _csv(project, churn_csv())
    project.data_notes.unlink()
    project.data_notes.mkdir()
    with pytest.raises(ScaffoldError, match=r"cannot read the data notes .*README.md: Is a dir"):
        new_pipeline("churn", csv, "churned", layout=project)
    assert _files(project) == ["data/churn.csv"]


def test_a_schema_folder_the_schemas_package_does_not_import_from_is_refused(tmp_path):
    layout = Layout(tmp_path / "specs", tmp_path / "elsewhere", tmp_path / "README.md", tmp_path)
    csv = tmp_path / "churn.csv"
    csv.write_text(churn_csv())
    with pytest.raises(ScaffoldError, match="set TRAINYARD_SCHEMAS="):
        new_pipeline("churn", csv, "churned", layout=layout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["churn.csv"]


def test_the_generated_schema_is_written_as_a_review_request(project):
    csv = _csv(project, churn_csv())
    new_pipeline("churn", csv, "churned", layout=project, today=TODAY)
    source = (project.schemas / "churn.py").read_text()
    assert source.startswith(
        '"""Schema of churn.csv, inferred by `trainyard new` from 40 rows.\n\n'
        "Read from data/churn.csv on 2025-03-04. Review it before relying on it"
    )
    assert "# Not nullable, though the file has 1 null: such rows are rejected." in source
    assert yaml.safe_load((project.specs / "churn.yaml").read_text())["schema"] == (
        "schemas.churn:Churn"
    )


def test_too_many_rows_without_a_target_are_said_to_fail_the_run(project):
    text = churn_csv(rows=20).replace(",yes\n", ",\n", 2)  # three rows without a target
    made = new_pipeline("churn", _csv(project, text), "churned", layout=project)
    assert (made.rejected_rows, made.rows, made.too_many_rejected) == (3, 20, True)
    comments = (project.specs / "churn.yaml").read_text().replace("\n# ", " ")
    assert "Rows without a churned are rejected: 3 of the 20 (15.0%). That is more than 0.05" in (
        comments
    )


def test_column_names_yaml_or_python_would_misread_are_kept(project):
    header = ["x: y", "#n", "größe", "class", "2nd", "it's", "target"]
    rows = [f"{i},{i % 3},{i * 2.5},{i % 2},{7 - i % 4},{i % 5},{i % 2}" for i in range(12)]
    text = ",".join(f'"{name}"' for name in header) + "\n" + "\n".join(rows) + "\n"
    made = new_pipeline("odd", _csv(project, text), "target", layout=project)
    # `x: y` counts the rows: a row identifier, left out.
    assert made.spec.features.columns == ["#n", "größe", "class", "2nd", "it's"]
    assert list(resolve_schema(made.spec.schema_).to_schema().columns) == header
