"""The algorithm registry: the names pipeline specs use, mapped to estimator classes.

The registry is one declarative table, `_TABLE`: name, "module:Class", task, one-line
description. Adding an algorithm is one row. Classes are imported on first use
(`AlgorithmInfo.estimator_class`), so importing this module (and the spec layer above it)
loads no estimator module and not numba. Parameter docs and spec-time checks come from each
class's `_parameter_constraints` table, the one scikit-learn's `_validate_params` reads in
`fit`. Persistence resolves saved classes only through this table.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from algorithms.tasks import (
    CLASSIFICATION,
    CLUSTERING,
    DECOMPOSITION,
    REGRESSION,
    REINFORCEMENT,
    Task,
)


class UnknownAlgorithmError(ValueError):
    """A name or class that is not in the registry."""


class InvalidParamsError(ValueError):
    """Parameters a spec gives an algorithm that it does not take or cannot use.

    `problems` lists (parameter, message) pairs: the parameter is None for the message that
    names the unknown parameters, else the name of a parameter whose value is not allowed.
    """

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class ParameterDoc:
    """One constructor parameter as `trainyard algorithms` prints it: default, allowed values."""

    name: str
    default: object
    allowed: str


@dataclass(frozen=True)
class AlgorithmInfo:
    """A registry entry: spec name, "module:Class" of the estimator, task, one-line summary."""

    name: str
    target: str
    task: Task
    description: str

    @property
    def qualified_name(self) -> str:
        """'module.Class', the form saved models record; read without importing the class."""
        return self.target.replace(":", ".")

    @property
    def estimator_class(self) -> type:
        """The estimator class, imported on first use."""
        module, _, class_name = self.target.partition(":")
        return getattr(importlib.import_module(module), class_name)

    @property
    def incremental(self) -> bool:
        """Whether it learns incrementally, batch by batch: its estimator has `partial_fit`
        (so a new incremental estimator joins streamed pipelines by being registered)."""
        return hasattr(self.estimator_class, "partial_fit")

    @property
    def default_metrics(self) -> tuple[str, ...]:
        """The metrics a spec naming this algorithm gets when it names none: its task's."""
        return self.task.default_metrics

    def parameters(self) -> tuple[ParameterDoc, ...]:
        """Each constructor parameter (sorted by name) with its default and its allowed values."""
        from sklearn.utils._param_validation import make_constraint

        cls = self.estimator_class
        signature = inspect.signature(cls.__init__).parameters
        constraints = getattr(cls, "_parameter_constraints", {})
        docs = []
        for name in cls._get_param_names():
            allowed = [make_constraint(c) for c in constraints.get(name, ())]
            shown = [_describe(c) for c in allowed if not c.hidden] or ["any value"]
            docs.append(ParameterDoc(name, signature[name].default, _either(shown)))
        return tuple(docs)


def _describe(constraint) -> str:
    """scikit-learn's text for a constraint, but with a set of options in sorted order (a
    set's own order changes from one run to the next)."""
    from sklearn.utils._param_validation import Options, _type_name

    if isinstance(constraint, Options):
        options = ", ".join(repr(option) for option in sorted(constraint.options, key=str))
        return f"a {_type_name(constraint.type)} among {{{options}}}"
    return str(constraint)


def _either(options: list[str]) -> str:
    """'a', 'a or b', 'a, b or c': scikit-learn's way of listing the allowed values."""
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


_TABLE = (
    AlgorithmInfo(
        "delta_rule",
        "algorithms.linear.delta_rule:DeltaRuleClassifier",
        CLASSIFICATION,
        "Online delta rule (LMS or perceptron error) with a learning rate.",
    ),
    AlgorithmInfo(
        "random_weights",
        "algorithms.linear.random_weights:RandomWeightsClassifier",
        CLASSIFICATION,
        "Best of many uniform random weight guesses (the chapter-1 baseline).",
    ),
    AlgorithmInfo(
        "linear_regression",
        "algorithms.linear.least_squares:LinearRegression",
        REGRESSION,
        "Ordinary least squares: a direct solve, or the tutorial's batch gradient descent.",
    ),
    AlgorithmInfo(
        "ridge",
        "algorithms.linear.ridge:Ridge",
        REGRESSION,
        "Least squares with an L2 penalty alpha·‖w‖², intercept unpenalised.",
    ),
    AlgorithmInfo(
        "sgd_regressor",
        "algorithms.linear.sgd:SGDRegressor",
        REGRESSION,
        "Linear regression by mini-batch SGD; partial_fit learns from data in chunks.",
    ),
    AlgorithmInfo(
        "sgd_classifier",
        "algorithms.linear.sgd_classifier:SGDClassifier",
        CLASSIFICATION,
        "Linear classifier by per-sample SGD (hinge, log, modified Huber); learns incrementally.",
    ),
    AlgorithmInfo(
        "lasso",
        "algorithms.linear.coordinate_descent:Lasso",
        REGRESSION,
        "L1-penalised least squares by coordinate descent, stopped on the duality gap.",
    ),
    AlgorithmInfo(
        "elastic_net",
        "algorithms.linear.coordinate_descent:ElasticNet",
        REGRESSION,
        "L1 + L2-penalised least squares by coordinate descent, stopped on the duality gap.",
    ),
    AlgorithmInfo(
        "logistic_regression",
        "algorithms.linear.logistic:LogisticRegression",
        CLASSIFICATION,
        "Logistic regression, binary or multinomial, with an l2, l1 or elastic-net penalty.",
    ),
    AlgorithmInfo(
        "linear_svc",
        "algorithms.svm.linear_svc:LinearSVC",
        CLASSIFICATION,
        "Linear SVM (squared hinge or hinge) by dual coordinate descent or primal Newton.",
    ),
    AlgorithmInfo(
        "svc",
        "algorithms.svm.svc:SVC",
        CLASSIFICATION,
        "Kernel SVM (rbf, linear, poly) by SMO with second-order working sets; one-vs-one.",
    ),
    AlgorithmInfo(
        "k_neighbors_classifier",
        "algorithms.neighbors:KNeighborsClassifier",
        CLASSIFICATION,
        "Vote of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    ),
    AlgorithmInfo(
        "k_neighbors_regressor",
        "algorithms.neighbors:KNeighborsRegressor",
        REGRESSION,
        "Mean target of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    ),
    AlgorithmInfo(
        "gaussian_nb",
        "algorithms.naive_bayes:GaussianNB",
        CLASSIFICATION,
        "Gaussian naive Bayes: a normal per class and feature, variances smoothed.",
    ),
    AlgorithmInfo(
        "multinomial_nb",
        "algorithms.naive_bayes:MultinomialNB",
        CLASSIFICATION,
        "Naive Bayes for counts (bag of words, TF-IDF) with Laplace/Lidstone smoothing alpha.",
    ),
    AlgorithmInfo(
        "decision_tree_classifier",
        "algorithms.tree._classes:DecisionTreeClassifier",
        CLASSIFICATION,
        "CART decision tree (gini or entropy splits), flat arrays, scikit-learn's splits.",
    ),
    AlgorithmInfo(
        "decision_tree_regressor",
        "algorithms.tree._classes:DecisionTreeRegressor",
        REGRESSION,
        "CART regression tree (squared error), flat arrays, scikit-learn's splits.",
    ),
    AlgorithmInfo(
        "random_forest_classifier",
        "algorithms.tree._forest:RandomForestClassifier",
        CLASSIFICATION,
        "Random forest of bootstrapped CART trees on random feature subsets.",
    ),
    AlgorithmInfo(
        "random_forest_regressor",
        "algorithms.tree._forest:RandomForestRegressor",
        REGRESSION,
        "Random forest of bootstrapped CART regression trees, predictions averaged.",
    ),
    AlgorithmInfo(
        "gradient_boosting_regressor",
        "algorithms.ensemble._gradient_boosting:GradientBoostingRegressor",
        REGRESSION,
        "Histogram gradient boosting of regression trees on the squared error.",
    ),
    AlgorithmInfo(
        "gradient_boosting_classifier",
        "algorithms.ensemble._gradient_boosting:GradientBoostingClassifier",
        CLASSIFICATION,
        "Histogram gradient boosting on the log-loss, binary or multiclass.",
    ),
    AlgorithmInfo(
        "mlp_classifier",
        "algorithms.neural_network._mlp:MLPClassifier",
        CLASSIFICATION,
        "Multilayer perceptron: softmax/logistic output, Adam or SGD, L2, dropout, early stop.",
    ),
    AlgorithmInfo(
        "mlp_regressor",
        "algorithms.neural_network._mlp:MLPRegressor",
        REGRESSION,
        "Multilayer perceptron regressor: identity output, squared loss, Adam or SGD.",
    ),
    AlgorithmInfo(
        "autoencoder",
        "algorithms.neural_network._autoencoder:Autoencoder",
        DECOMPOSITION,
        "Encoder/decoder perceptron trained to reconstruct X; transform gives the code.",
    ),
    AlgorithmInfo(
        "cnn_classifier",
        "algorithms.neural_network._cnn:CNNClassifier",
        CLASSIFICATION,
        "Small CNN: 3×3 conv + ReLU + 2×2 max-pool blocks, dense head, softmax; Adam.",
    ),
    AlgorithmInfo(
        "q_learning",
        "algorithms.reinforcement:QLearningAgent",
        REINFORCEMENT,
        "Tabular ε-greedy Q-learning; fit(env) on a GridWorld.",
    ),
    AlgorithmInfo(
        "k_means",
        "algorithms.cluster._kmeans:KMeans",
        CLUSTERING,
        "k-means: k-means++ seeding, fused numba Lloyd iterations.",
    ),
    AlgorithmInfo(
        "minibatch_kmeans",
        "algorithms.cluster.minibatch_kmeans:MiniBatchKMeans",
        CLUSTERING,
        "Mini-batch k-means: per-centre rates 1/count; partial_fit learns incrementally.",
    ),
    AlgorithmInfo(
        "pca",
        "algorithms.decomposition:PCA",
        DECOMPOSITION,
        "Principal component analysis by exact SVD or covariance eigendecomposition.",
    ),
)

_REGISTRY: dict[str, AlgorithmInfo] = {}


def qualified_name(cls: type) -> str:
    """'module.QualName' of a class, the form saved models record."""
    return f"{cls.__module__}.{cls.__qualname__}"


def register(info: AlgorithmInfo) -> AlgorithmInfo:
    """Add an entry; ValueError if its name or class is already registered differently."""
    for other in _REGISTRY.values():
        clash = other.name == info.name or other.target == info.target
        if clash and other != info:
            raise ValueError(f"cannot register {info}: it clashes with {other}.")
    _REGISTRY[info.name] = info
    return info


for _info in _TABLE:
    register(_info)


def get_algorithm(name: str) -> AlgorithmInfo:
    """The entry called `name`; UnknownAlgorithmError listing the registered names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownAlgorithmError(
            f"unknown algorithm {name!r}; registered algorithms: {list(algorithm_names())}"
        ) from None


def algorithm_names() -> tuple[str, ...]:
    """Registered names, sorted."""
    return tuple(sorted(_REGISTRY))


def incremental_names(task: Task | None = None) -> tuple[str, ...]:
    """Registered names of the algorithms that learn incrementally (of `task`, if given)."""
    return tuple(
        name
        for name in algorithm_names()
        if (task is None or _REGISTRY[name].task is task) and _REGISTRY[name].incremental
    )


def param_names(name: str) -> tuple[str, ...]:
    """The constructor parameters of the algorithm called `name`, sorted."""
    return tuple(get_algorithm(name).estimator_class._get_param_names())


def check_params(name: str, params: dict) -> None:
    """InvalidParamsError (a ValueError) naming each parameter the algorithm does not take,
    and each value its `_parameter_constraints` refuse (what it got, what is allowed).

    The same table and wording as the estimator's own check in `fit`, so a spec is refused
    when it loads rather than when its model trains.
    """
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    info = get_algorithm(name)
    accepted = param_names(name)
    problems: list[tuple[str | None, str]] = []
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        problems.append(
            (
                None,
                f"unknown parameter(s) {', '.join(unknown)} for algorithm '{name}'; "
                f"its parameters: {', '.join(accepted)}",
            )
        )
    constraints = getattr(info.estimator_class, "_parameter_constraints", {})
    for param in sorted(set(params) & set(accepted)):
        try:
            validate_parameter_constraints(
                constraints, {param: params[param]}, caller_name=f"algorithm '{name}'"
            )
        except InvalidParameterError as error:
            problems.append((param, str(error)))
    if problems:
        raise InvalidParamsError(problems)


def info_for_class(cls_or_qualified_name: type | str) -> AlgorithmInfo:
    """The entry of an estimator class, given as the class or as 'module.QualName'.

    Compares names only, so looking a saved model's class up imports no other estimator.
    """
    wanted = (
        cls_or_qualified_name
        if isinstance(cls_or_qualified_name, str)
        else qualified_name(cls_or_qualified_name)
    )
    for info in _REGISTRY.values():
        if info.qualified_name == wanted:
            return info
    raise UnknownAlgorithmError(
        f"class {wanted!r} is not registered; registered classes: "
        f"{sorted(info.qualified_name for info in _REGISTRY.values())}"
    )
