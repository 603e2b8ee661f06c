import pytest

from pipelines.evaluation import HELD_OUT
from pipelines.evaluation_result import Evaluation
from pipelines.gate import GateResult, check_gate, decide_promotion, not_worse
from pipelines.paths import SPECS_DIR
from pipelines.spec import load_spec


def _evaluation(accuracy: float) -> Evaluation:
    metrics = {"accuracy": accuracy, "f1": 0.5}
    return Evaluation(
        task="classification",
        scored_on=HELD_OUT,
        n_scored=2,
        metrics=metrics,
        baseline={"accuracy": 0.5, "f1": 0.0},
        headline="accuracy",
        headline_value=accuracy,
    )


def test_gate_reports_each_condition():
    result = check_gate({"accuracy": 0.91, "f1": 0.4}, {"accuracy": ">= 0.80", "f1": "> 0.5"})
    assert result == GateResult(False, ("accuracy 0.91 >= 0.80: pass", "f1 0.4 > 0.5: fail"))


@pytest.mark.parametrize(
    ("condition", "passed"),
    [(">= 0.8", True), ("> 0.8", False), ("<= 0.8", True), ("< 0.81", True), ("== 0.8", True)],
)
def test_gate_operators(condition, passed):
    assert check_gate({"mse": 0.8}, {"mse": condition}).passed is passed


def test_gate_without_conditions_passes():
    assert check_gate({"accuracy": 0.1}, {}).passed


def test_gate_errors_name_the_metric():
    with pytest.raises(ValueError, match="promote_if.recall: metric not computed"):
        check_gate({"accuracy": 0.9}, {"recall": ">= 0.5"})
    with pytest.raises(ValueError, match="promote_if.accuracy: expected a comparison"):
        check_gate({"accuracy": 0.9}, {"accuracy": "at least 0.5"})


def test_not_worse_follows_the_metric_direction():
    assert not_worse(0.9, None, "accuracy") == GateResult(
        True, ("accuracy: no champion yet: pass",)
    )
    assert not_worse(0.9, 0.9, "accuracy").passed  # a tie is not worse
    assert not not_worse(0.89, 0.9, "accuracy").passed
    assert not_worse(1.5, 2.0, "mse").passed  # lower is better
    assert not_worse(2.5, 2.0, "mse").reasons == ("mse 2.5 vs champion 2 (lower is better): fail",)


def test_decide_promotion_needs_gate_and_champion():
    spec = load_spec(SPECS_DIR / "viral_posts_seed.yaml")  # promote_if: accuracy >= 0.6
    first = decide_promotion(spec, _evaluation(0.8), None)
    assert first == GateResult(
        True, ("accuracy 0.8 >= 0.6: pass", "accuracy: no champion yet: pass")
    )
    assert not decide_promotion(spec, _evaluation(0.8), {"accuracy": 0.9}).passed
    assert not decide_promotion(spec, _evaluation(0.4), None).passed
    assert decide_promotion(spec, _evaluation(0.8), {"accuracy": 0.7}).passed
    assert decide_promotion(spec, _evaluation(0.8), {"f1": 0.7}).reasons[-1] == (
        "accuracy: the champion has no recorded value: pass"
    )
