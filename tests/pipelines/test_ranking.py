"""The candidate ranking rule and the sentences that say how a tie was broken."""

import math

from pipelines.ranking import rank


def _metrics(**values: tuple[float, float]) -> dict[str, dict[str, float]]:
    return {name: {"accuracy": a, "f1": f} for name, (a, f) in values.items()}


def test_the_headline_decides_when_there_is_no_tie():
    ranking = rank(_metrics(a=(0.9, 0.5), b=(0.95, 0.4)), None, "accuracy", {"a": 1, "b": 9})
    assert ranking.order == ("b", "a")
    assert ranking.story() == ["b is best on accuracy (0.9500)."]


def test_a_tie_on_the_headline_is_broken_by_the_next_metric():
    ranking = rank(
        _metrics(a=(1.0, 0.8), b=(1.0, 0.9), c=(0.5, 1.0)),
        None,
        "accuracy",
        {"a": 1, "b": 1, "c": 1},
    )
    assert ranking.chosen == "b"
    assert ranking.story() == [
        "a and b tie on accuracy (1.0000).",
        "Broken by f1 (a 0.8000, b 0.9000): b.",
    ]


def test_then_by_the_simpler_model_then_by_spec_order():
    metrics = _metrics(knn=(1.0, 1.0), tree=(1.0, 1.0), logistic=(1.0, 1.0))
    sizes = {"knn": 400, "tree": 21, "logistic": 21}
    ranking = rank(metrics, None, "accuracy", sizes)
    assert ranking.order == ("tree", "logistic", "knn")
    assert ranking.story() == [
        "knn, tree and logistic tie on accuracy (1.0000).",
        "knn, tree and logistic tie on f1 (1.0000).",
        "Broken by the simpler model, fewer fitted numbers (knn 400, tree 21, logistic 21): "
        "tree and logistic.",
        "Broken by the order in the spec: tree is listed first.",
    ]


def test_values_equal_to_twelve_digits_tie_and_a_lower_is_better_metric_ranks_ascending():
    metrics = {"a": {"mse": 0.1 + 0.2}, "b": {"mse": 0.3}, "c": {"mse": 0.2999}}
    ranking = rank(metrics, None, "mse", {"a": 5, "b": 3, "c": 9})
    assert ranking.order == ("c", "b", "a")
    metrics["c"]["mse"] = 0.5
    ranking = rank(metrics, None, "mse", {"a": 5, "b": 3, "c": 9})
    assert ranking.order == ("b", "a", "c")
    assert ranking.story()[0] == "a and b tie on mse (0.3000)."


def test_candidates_failing_the_gate_rank_below_and_the_story_says_so():
    ranking = rank(
        _metrics(a=(0.99, 0.1), b=(0.8, 0.9)), {"a": False, "b": True}, "accuracy", {"a": 1, "b": 1}
    )
    assert ranking.order == ("b", "a")
    assert ranking.story() == [
        "1 of 2 candidates pass the promote_if gate (b).",
        "b is best on accuracy (0.8000).",
    ]


def test_when_none_passes_the_gate_all_are_ranked():
    ranking = rank(
        _metrics(a=(0.7, 0.1), b=(0.8, 0.9)),
        {"a": False, "b": False},
        "accuracy",
        {"a": 1, "b": 1, "c": 1},
    )
    assert ranking.chosen == "b"
    assert (
        ranking.story()[0] == "None of the 2 candidates passes the promote_if gate; all are ranked."
    )


def test_an_undefined_metric_ranks_last():
    ranking = rank(_metrics(a=(math.nan, 1.0), b=(0.1, 0.0)), None, "accuracy", {"a": 1, "b": 1})
    assert ranking.order == ("b", "a")
