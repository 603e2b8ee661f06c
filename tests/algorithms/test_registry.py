"""The algorithm registry: lookups, errors, registration rules, import purity."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sklearn.base import BaseEstimator

import algorithms
from algorithms import DeltaRuleClassifier, RandomWeightsClassifier, registry
from algorithms.registry import (
    AlgorithmInfo,
    InvalidParamsError,
    UnknownAlgorithmError,
    algorithm_names,
    check_params,
    get_algorithm,
    info_for_class,
    param_names,
    register,
)
from algorithms.tasks import CLASSIFICATION, REGRESSION
from pipelines.spec import SpecError, load_spec


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


def test_the_table_names_each_class_by_its_defining_module():
    for name in algorithm_names():
        info = get_algorithm(name)
        assert info.qualified_name == registry.qualified_name(info.estimator_class)
        assert info_for_class(info.qualified_name) is info
        assert info.description and info.description.endswith(".")


def test_package_names_resolve_lazily_from_the_table():
    assert algorithms.Ridge is get_algorithm("ridge").estimator_class
    assert algorithms.GridWorld is algorithms.reinforcement.GridWorld
    assert "KMeans" in algorithms.__all__ and "KMeans" in dir(algorithms)
    with pytest.raises(AttributeError, match="no attribute 'Ridgee'"):
        algorithms.Ridgee  # noqa: B018


def test_parameters_give_each_default_and_its_allowed_values():
    docs = {doc.name: doc for doc in get_algorithm("delta_rule").parameters()}
    assert tuple(docs) == param_names("delta_rule")
    assert docs["epochs"] == registry.ParameterDoc("epochs", 100, "an int in the range [1, inf)")
    assert docs["learning_rate"].allowed == "a float in the range (0.0, inf)"
    assert docs["rule"].allowed == "a str among {'lms', 'perceptron'}"
    assert docs["fit_intercept"].default is False
    assert docs["fit_intercept"].allowed == "an instance of 'bool' or an instance of 'numpy.bool'"
    random_state = docs["random_state"].allowed
    assert random_state.startswith("an int in the range [0, inf), an instance of ")
    assert random_state.endswith(" or None")


def test_check_params_accepts_good_values_and_names_each_bad_one():
    check_params("delta_rule", {"learning_rate": 0.5, "epochs": 3, "rule": "perceptron"})
    check_params("svc", {"gamma": "scale", "max_iter": -1})
    with pytest.raises(InvalidParamsError) as info:
        check_params("delta_rule", {"learning_rate": "fast", "epochs": -1, "epoch": 3})
    assert info.value.problems == [
        (
            None,
            "unknown parameter(s) epoch for algorithm 'delta_rule'; its parameters: "
            + ", ".join(param_names("delta_rule")),
        ),
        (
            "epochs",
            "The 'epochs' parameter of algorithm 'delta_rule' must be an int in the range "
            "[1, inf). Got -1 instead.",
        ),
        (
            "learning_rate",
            "The 'learning_rate' parameter of algorithm 'delta_rule' must be a float in the "
            "range (0.0, inf). Got 'fast' instead.",
        ),
    ]
    assert isinstance(info.value, ValueError)
    assert "Got 'fast'" in str(info.value) and "Got -1" in str(info.value)


def test_a_spec_with_a_bad_value_fails_when_it_loads(tmp_path):
    shipped = Path(algorithms.__file__).parents[1] / "pipelines" / "specs" / "viral_posts.yaml"
    spec = yaml.safe_load(shipped.read_text())
    spec["model"]["params"].update(learning_rate="fast", epochs=-1)
    path = tmp_path / "viral_posts.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    lines = str(info.value).splitlines()
    assert lines[0] == f"invalid pipeline spec {path}:"
    assert lines[1:] == [
        "  model.params.epochs: The 'epochs' parameter of algorithm 'delta_rule' must be an "
        "int in the range [1, inf). Got -1 instead.",
        "  model.params.learning_rate: The 'learning_rate' parameter of algorithm 'delta_rule' "
        "must be a float in the range (0.0, inf). Got 'fast' instead.",
    ]


def test_every_shipped_model_passes_its_constraints():
    specs = Path(algorithms.__file__).parents[1] / "pipelines" / "specs"
    models = [yaml.safe_load(path.read_text()).get("model") for path in specs.glob("*.yaml")]
    assert len([model for model in models if model]) >= 10
    for model in filter(None, models):
        check_params(model["algorithm"], model.get("params", {}))


def _modules_after_import(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running `statement`."""
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    root = Path(algorithms.__file__).parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


ESTIMATOR_MODULES = {get_algorithm(name).target.partition(":")[0] for name in algorithm_names()} | {
    "numba"
}


def test_the_registry_metrics_and_tasks_load_no_estimator_and_not_numba():
    loaded = _modules_after_import(
        "import algorithms, algorithms.registry, algorithms.metrics, algorithms.tasks;"
        "algorithms.registry.get_algorithm('ridge').task.metrics();"
        "algorithms.registry.info_for_class('algorithms.linear.ridge.Ridge')"
    )
    assert loaded & ESTIMATOR_MODULES == set()


def test_importing_the_spec_layer_loads_no_estimator_numba_or_matplotlib():
    loaded = _modules_after_import("import pipelines.spec")
    assert loaded & (ESTIMATOR_MODULES | {"matplotlib"}) == set()


@pytest.mark.parametrize("pipeline", ["viral_posts_seed", "regularization", "diabetes"])
def test_validate_loads_no_estimator_numba_or_matplotlib(pipeline):
    data = {"viral_posts_seed": "viral_posts_seed.csv", "diabetes": "diabetes.csv"}
    argv = ["validate", pipeline, f"data/{data.get(pipeline, 'diabetes.csv')}"]
    loaded = _modules_after_import(
        "import contextlib, io; from assets.cli import main;"
        f"out = contextlib.redirect_stdout(io.StringIO()); out.__enter__(); main({argv!r})"
    )
    assert loaded & (ESTIMATOR_MODULES | {"matplotlib"}) == set()
