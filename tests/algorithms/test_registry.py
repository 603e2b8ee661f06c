"""The algorithm registry: lookups, errors, registration rules, import purity."""

import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator

import algorithms
from algorithms import DeltaRuleClassifier, RandomWeightsClassifier, registry
from algorithms.registry import (
    AlgorithmInfo,
    UnknownAlgorithmError,
    algorithm_names,
    get_algorithm,
    info_for_class,
    param_names,
    register,
)
from algorithms.tasks import CLASSIFICATION, REGRESSION


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the registry that the test may add to."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


class Constant(BaseEstimator):
    """A stand-in estimator with one parameter."""

    def __init__(self, value=0.0):
        self.value = value


CONSTANT = f"{Constant.__module__}:{Constant.__qualname__}"


def test_builtin_entries():
    assert {"delta_rule", "random_weights"} <= set(algorithm_names())
    assert list(algorithm_names()) == sorted(algorithm_names())
    delta = get_algorithm("delta_rule")
    assert delta.estimator_class is DeltaRuleClassifier
    assert delta.task is CLASSIFICATION
    assert delta.default_metrics == ("accuracy", "precision", "recall", "f1")
    assert get_algorithm("random_weights").estimator_class is RandomWeightsClassifier


def test_param_names_are_the_constructor_parameters():
    assert param_names("delta_rule") == (
        "epochs",
        "fit_intercept",
        "learning_rate",
        "learning_rate_decay",
        "random_state",
        "rule",
        "shuffle",
        "threshold",
    )
    assert param_names("random_weights") == (
        "fit_intercept",
        "n_trials",
        "random_state",
        "threshold",
    )


def test_unknown_name_lists_the_registered_names():
    with pytest.raises(UnknownAlgorithmError, match=r"'ridgee'.*'delta_rule'.*'random_weights'"):
        get_algorithm("ridgee")
    assert issubclass(UnknownAlgorithmError, ValueError)


def test_info_for_class_by_class_or_qualified_name():
    name = "algorithms.linear.delta_rule.DeltaRuleClassifier"
    assert info_for_class(DeltaRuleClassifier).name == "delta_rule"
    assert info_for_class(name).name == "delta_rule"
    with pytest.raises(UnknownAlgorithmError, match=r"'os.system' is not registered.*" + name):
        info_for_class("os.system")
    with pytest.raises(UnknownAlgorithmError, match="Constant"):
        info_for_class(Constant)


def test_registering_is_one_line(scratch_registry):
    info = register(AlgorithmInfo("constant", CONSTANT, REGRESSION, "Predicts 0."))
    assert get_algorithm("constant") is info
    assert info_for_class(Constant) is info
    assert param_names("constant") == ("value",)
    assert "constant" in algorithm_names()
    assert register(info) is info  # registering the same entry again is harmless


def test_clashing_or_invalid_entries_are_refused(scratch_registry):
    with pytest.raises(ValueError, match="clashes"):
        register(AlgorithmInfo("delta_rule", CONSTANT, REGRESSION, "Name taken."))
    with pytest.raises(ValueError, match="clashes"):
        register(
            AlgorithmInfo(
                "perceptron",
                "algorithms.linear.delta_rule:DeltaRuleClassifier",
                CLASSIFICATION,
                "Twice.",
            )
        )
    assert "perceptron" not in algorithm_names()


def test_default_metrics_come_from_the_task(scratch_registry):
    info = AlgorithmInfo("constant", CONSTANT, REGRESSION, "Predicts 0.")
    assert info.default_metrics == ("mse", "rmse", "mae", "r2")


def test_algorithms_never_import_dagster_polars_or_pandera():
    code = (
        "import sys, algorithms, algorithms.registry, algorithms.persistence, algorithms.metrics;"
        "print(sorted(m for m in ('dagster', 'polars', 'pandera', 'pandas') if m in sys.modules))"
    )
    root = Path(algorithms.__file__).parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
