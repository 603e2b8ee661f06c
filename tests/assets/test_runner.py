"""The CLI's runner: one summary printer for every kind, and what a failed gate prints."""

from __future__ import annotations

import pytest

import assets.runner as runner
from assets.factory import build_definitions
from pipelines.evaluation_result import Evaluation
from tests.assets.helpers import make_spec


def _evaluation(**changes) -> Evaluation:
    fields = dict(
        task="clustering",
        scored_on="training data",
        n_scored=150,
        metrics={"adjusted_rand": 0.73},
        baseline={"adjusted_rand": 0.0},
        headline="adjusted_rand",
        headline_value=0.73,
    )
    return Evaluation(**(fields | changes))


def test_one_printer_for_a_table_model(trainyard_home):
    text = runner.format_summary(make_spec("iris_clusters"), _evaluation())
    lines = text.splitlines()
    assert lines[0] == "iris_clusters: k_means, scored on the training data (150 rows)"
    assert lines[1] == "  metric                    model        baseline"
    assert lines[2] == "  adjusted_rand            0.7300          0.0000"
    assert lines[3].startswith("  report: ") and lines[3].endswith("iris_clusters/report.md")


def test_metrics_print_in_the_spec_order_though_the_stored_json_sorts_them(trainyard_home):
    spec = make_spec("viral_posts", evaluation={"metrics": ["recall", "accuracy", "f1"]})
    metrics = {"accuracy": 0.8, "f1": 0.7, "recall": 0.6}  # as the sorted JSON reads back
    evaluation = _evaluation(metrics=metrics, baseline=metrics, headline="recall")
    lines = runner.format_summary(spec, evaluation).splitlines()
    assert [line.split()[0] for line in lines[2:5]] == ["recall", "accuracy", "f1"]


def test_one_printer_for_a_policy(trainyard_home):
    evaluation = _evaluation(
        task="reinforcement",
        scored_on="100 seeded episodes (slip 0.1)",
        n_scored=100,
        metrics={"success_rate": 1.0, "mean_steps": 22.7},
        baseline={"success_rate": 0.0, "mean_steps": 60.0},
        headline="success_rate",
        headline_value=1.0,
        details={"greedy_reaches_goal": False, "greedy_steps": 60, "shortest_path_length": 20},
    )
    lines = runner.format_summary(make_spec("gridworld"), evaluation).splitlines()
    assert lines[:4] == [
        "gridworld: q_learning, greedy policy over 100 seeded episodes (slip 0.1)",
        "  metric                  greedy   random policy",
        "  success_rate            1.0000          0.0000",
        "  mean_steps             22.7000         60.0000",
    ]
    assert lines[4] == (
        "  greedy walk without slips: does NOT reach the goal in 60 moves (shortest path 20)"
    )


@pytest.mark.slow
def test_a_failed_gate_says_why_in_words(trainyard_home, monkeypatch, capsys):
    spec = make_spec(
        "viral_posts_seed",
        evaluation={"metrics": ["accuracy"], "promote_if": {"accuracy": ">= 1.01"}},
    )
    defs = build_definitions({spec.name: spec})
    monkeypatch.setattr(runner, "_definitions", lambda _artifacts, _spec: defs)
    assert runner.run_pipeline(spec) is False
    out, err = capsys.readouterr()
    assert "champion: not promoted (viral_posts_seed/champion unchanged); the gate:" in out
    accuracy = next(line for line in out.splitlines() if line.startswith("  accuracy"))
    value = accuracy.split()[1]
    assert f"    accuracy {float(value):.4g} >= 1.01: fail" in out
    assert "a blocking check failed, nothing was stored" in err
    assert "Dagster" not in out + err and "run " not in out
