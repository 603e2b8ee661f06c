import base64
import dataclasses
import io
import uuid

import numpy as np
import polars as pl
import pytest
from upath import UPath

import pipelines.rendering as rendering_module
from pipelines.evaluation import HELD_OUT, evaluate
from pipelines.features import prepare
from pipelines.kinds.table import report_sections
from pipelines.paths import SPECS_DIR
from pipelines.quarantine import Quarantine
from pipelines.report import markdown_with_inline_images, write_report
from pipelines.spec import load_spec
from pipelines.task_sections import contingency_table
from pipelines.training import train

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def seed_run():
    """(spec, bundle, evaluation, features) of the seed spec on 9 hand-made posts (split: none)."""
    spec = load_spec(SPECS_DIR / "viral_posts_seed.yaml")
    posts = pl.DataFrame(
        {
            "hour": [2] * 5 + [20] * 4,
            "content_length": [100] * 5 + [900] * 4,
            "engagement_score": [10.0] * 5 + [90.0] * 4,
            "viral": [0, 0, 0, 1, 1, 1, 1, 1, 0],
        }
    )
    features = prepare(posts, spec)
    bundle = train(spec, features)
    return spec, bundle, evaluate(spec, bundle, features.frame), features


def _write(seed_run, out_dir, **changes):
    """The seed run's report (its evaluation with `changes`) written into `out_dir`."""
    spec, bundle, evaluation, features = seed_run
    evaluation = dataclasses.replace(evaluation, **changes)
    return write_report(out_dir, report_sections(spec, bundle, evaluation, features))


def test_a_report_is_written_whole_to_an_fsspec_url(seed_run):
    root = UPath(f"memory://reports-{uuid.uuid4().hex[:8]}")
    report = _write(seed_run, str(root / "viral_posts_seed"))
    assert report.path.read_text() == report.markdown
    assert sorted(p.name for p in (root / "viral_posts_seed").iterdir()) == [
        "confusion_matrix.png", "learning_curve.png", "loss_curves.png", "report.md",
    ]  # fmt: skip
    assert report.images["learning_curve"].read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in root.iterdir()] == ["viral_posts_seed"]  # no temporary left


def test_report_files_and_content(seed_run, tmp_path):
    report = _write(seed_run, tmp_path / "viral_posts_seed")
    assert report.path == tmp_path / "viral_posts_seed" / "report.md"
    assert report.path.read_text() == report.markdown
    assert sorted(report.images) == ["confusion_matrix", "learning_curve", "loss_curves"]
    for image in report.images.values():
        assert image.parent == report.path.parent
        assert image.read_bytes().startswith(PNG_MAGIC)
        assert f"]({image.name})" in report.markdown  # linked relatively
    md = report.markdown
    assert md.startswith("# viral_posts_seed\n\nThe five posts of the learning-rate chapter")
    assert "Scored on the training data — the spec declares no held-out split (9 rows)." in md
    assert "| metric | delta_rule (model) | majority-class baseline | random_weights |" in md
    assert "| accuracy | 0.6667 | 0.5556 | " in md
    assert "| recall | 0.6000 | 1.0000 | " in md
    assert "| 0 | 3 | 1 |\n| 1 | 2 | 3 |" in md  # confusion matrix: actual rows
    assert "## Error per epoch for learning rates 1e-05, 0.01 and 0.1" in md
    assert "| 1e-05 | " in md and "| 0.1 | " in md


def test_pngs_are_byte_identical_across_renders(seed_run, tmp_path):
    first = _write(seed_run, tmp_path / "a")
    again = _write(seed_run, tmp_path / "b")
    assert first.markdown == again.markdown
    for name, path in first.images.items():
        assert path.read_bytes() == again.images[name].read_bytes()


def test_inline_markdown_embeds_every_image(seed_run, tmp_path):
    report = _write(seed_run, tmp_path / "r")
    inline = markdown_with_inline_images(report)
    assert inline.count("](data:image/png;base64,") == 3
    assert ".png)" not in inline
    encoded = inline.split("![Learning curve](data:image/png;base64,")[1].split(")")[0]
    assert base64.b64decode(encoded) == report.images["learning_curve"].read_bytes()


def test_a_quarantine_adds_the_data_quality_section_after_the_metrics(seed_run, tmp_path):
    spec, bundle, evaluation, features = seed_run
    rejected = pl.DataFrame(
        {
            "row": [3],
            "where": ["line 5"],
            "hour": ["-4"],
            "reason": ["hour:greater_than_or_equal_to(0)"],
        }
    )
    quarantine = Quarantine(10, rejected, 0.2)
    sections = report_sections(spec, bundle, evaluation, features, quarantine=quarantine)
    md = write_report(tmp_path / "q", sections).markdown
    assert "## Data quality\n\n1 of 10 rows quarantined (10.0%, limit 20%): " in md
    assert "| line 5 | hour:greater_than_or_equal_to(0) | -4 |" in md
    assert md.index("## Metrics") < md.index("## Data quality") < md.index("## Learning curve")
    assert "## Data quality" not in _write(seed_run, tmp_path / "plain").markdown


def test_held_out_wording(seed_run, tmp_path):
    details = seed_run[2].details | {"n_train": 7, "n_test": 2}
    md = _write(seed_run, tmp_path / "r", scored_on=HELD_OUT, details=details).markdown
    assert "Scored on the held-out test split: 2 rows (the model was trained on the other 7)." in md
    assert "training data" not in md


def test_regression_report_plots_predictions_and_residuals(seed_run, tmp_path):
    report = _write(
        seed_run,
        tmp_path / "r",
        task="regression",
        metrics={"mse": 0.25},
        baseline={"mse": 1.0},
        comparisons={},
        details=seed_run[2].details | {"loss_curves": {}, "sweep_scores": {}},
        headline="mse",
        headline_value=0.25,
        y_true=np.array([1.0, 2.0, 3.0]),
        y_pred=np.array([1.5, 2.0, 2.5]),
    )
    assert sorted(report.images) == ["learning_curve", "predicted_vs_actual", "residuals"]
    table = "| metric | delta_rule (model) | mean baseline |\n|---|---:|---:|\n"
    assert table + "| mse | 0.2500 | 1.0000 |" in report.markdown


def test_contingency_table_counts_reference_labels_per_cluster():
    counts, labels, ids = contingency_table(
        np.array(["a", "a", "b", "b", "b"]), np.array([2, 0, 0, 0, 2])
    )
    assert labels.tolist() == ["a", "b"] and ids.tolist() == [0, 2]
    assert counts.tolist() == [[1, 1], [2, 1]]


def test_clustering_report_shows_clusters_against_the_reference(seed_run, tmp_path):
    report = _write(
        seed_run,
        tmp_path / "r",
        task="clustering",
        metrics={"adjusted_rand": 0.5},
        baseline={"adjusted_rand": 0.0},
        comparisons={},
        details=seed_run[2].details | {"loss_curves": {}, "sweep_scores": {}},
        headline="adjusted_rand",
        headline_value=0.5,
        y_true=np.array(["x", "x", "y"]),
        y_pred=np.array([1, 1, 0]),
    )
    assert sorted(report.images) == ["contingency", "learning_curve"]
    assert "| adjusted_rand | 0.5000 | 0.0000 |" in report.markdown
    assert "single-cluster baseline" in report.markdown
    assert "| viral \\ cluster | 0 | 1 |\n|---|---:|---:|\n| x | 0 | 2 |\n| y | 1 | 0 |" in (
        report.markdown
    )


def test_failed_render_keeps_the_previous_report(seed_run, tmp_path, monkeypatch):
    out = tmp_path / "r"
    _write(seed_run, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def flaky_png_bytes(figure):
        calls.append(figure)
        if len(calls) == 2:
            raise RuntimeError("renderer crashed")
        return b"partial"

    monkeypatch.setattr(rendering_module, "png_bytes", flaky_png_bytes)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        _write(seed_run, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_png_bytes_lays_out_once_and_renders_what_savefig_renders():
    from pipelines.sections import DPI, new_figure, png_bytes

    def drawn():
        figure = new_figure()
        left, right = figure.subplots(1, 2)
        left.plot([0, 1, 2], [3, 1, 2], label="a long legend label")
        left.legend()
        right.set_title("a title")
        right.set_xlabel("a wide x label that needs room")
        return figure

    plain = io.BytesIO()  # savefig alone: laid out in an unrendered draw, then rendered
    drawn().savefig(plain, format="png", dpi=DPI, metadata={"Software": None})
    figure = drawn()
    assert png_bytes(figure) == plain.getvalue()
    assert type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    assert png_bytes(figure) == plain.getvalue()  # again, as the UI's inlined copy renders it
