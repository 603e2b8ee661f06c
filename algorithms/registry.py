"""The algorithm registry: the names pipeline specs use, mapped to estimator classes.

Adding an algorithm is one `register(AlgorithmInfo(...))` line at the bottom of this module.
Persistence resolves saved classes only through this table.
"""

from dataclasses import dataclass

from algorithms.cluster import KMeans
from algorithms.decomposition import PCA
from algorithms.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from algorithms.linear import (
    DeltaRuleClassifier,
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    RandomWeightsClassifier,
    Ridge,
    SGDRegressor,
)
from algorithms.metrics import METRICS
from algorithms.naive_bayes import GaussianNB, MultinomialNB
from algorithms.neighbors import KNeighborsClassifier, KNeighborsRegressor
from algorithms.neural_network import Autoencoder, CNNClassifier, MLPClassifier, MLPRegressor
from algorithms.reinforcement import QLearningAgent
from algorithms.svm import SVC, LinearSVC
from algorithms.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

TASKS = ("regression", "classification", "clustering", "decomposition", "reinforcement")
CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
REGRESSION_METRICS = ("mse", "rmse", "mae", "r2")


class UnknownAlgorithmError(ValueError):
    """A name or class that is not in the registry."""


@dataclass(frozen=True)
class AlgorithmInfo:
    """A registry entry: spec name, estimator class, task, default metrics, one-line summary."""

    name: str
    estimator_class: type
    task: str
    default_metrics: tuple[str, ...]
    description: str

    def __post_init__(self):
        object.__setattr__(self, "default_metrics", tuple(self.default_metrics))
        if self.task not in TASKS:
            raise ValueError(f"{self.name}: task must be one of {TASKS}, got {self.task!r}.")
        unknown = [metric for metric in self.default_metrics if metric not in METRICS]
        if unknown:
            raise ValueError(f"{self.name}: unknown default metrics {unknown}.")


_REGISTRY: dict[str, AlgorithmInfo] = {}


def qualified_name(cls: type) -> str:
    """'module.QualName' of a class, the form saved models record."""
    return f"{cls.__module__}.{cls.__qualname__}"


def register(info: AlgorithmInfo) -> AlgorithmInfo:
    """Add an entry; ValueError if its name or class is already registered differently."""
    for other in _REGISTRY.values():
        clash = other.name == info.name or other.estimator_class is info.estimator_class
        if clash and other != info:
            raise ValueError(f"cannot register {info}: it clashes with {other}.")
    _REGISTRY[info.name] = info
    return info


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


def param_names(name: str) -> tuple[str, ...]:
    """The constructor parameters of the algorithm called `name`, sorted."""
    return tuple(get_algorithm(name).estimator_class._get_param_names())


def info_for_class(cls_or_qualified_name: type | str) -> AlgorithmInfo:
    """The entry of an estimator class, given as the class or as 'module.QualName'."""
    wanted = (
        cls_or_qualified_name
        if isinstance(cls_or_qualified_name, str)
        else qualified_name(cls_or_qualified_name)
    )
    for info in _REGISTRY.values():
        if qualified_name(info.estimator_class) == wanted:
            return info
    raise UnknownAlgorithmError(
        f"class {wanted!r} is not registered; registered classes: "
        f"{sorted(qualified_name(info.estimator_class) for info in _REGISTRY.values())}"
    )


register(
    AlgorithmInfo(
        "delta_rule",
        DeltaRuleClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Online delta rule (LMS or perceptron error) with a learning rate.",
    )
)
register(
    AlgorithmInfo(
        "random_weights",
        RandomWeightsClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Best of many uniform random weight guesses (the chapter-1 baseline).",
    )
)
register(
    AlgorithmInfo(
        "linear_regression",
        LinearRegression,
        "regression",
        REGRESSION_METRICS,
        "Ordinary least squares: a direct solve, or the tutorial's batch gradient descent.",
    )
)
register(
    AlgorithmInfo(
        "ridge",
        Ridge,
        "regression",
        REGRESSION_METRICS,
        "Least squares with an L2 penalty alpha·‖w‖², intercept unpenalised.",
    )
)
register(
    AlgorithmInfo(
        "sgd_regressor",
        SGDRegressor,
        "regression",
        REGRESSION_METRICS,
        "Linear regression by mini-batch SGD; partial_fit learns from data in chunks.",
    )
)
register(
    AlgorithmInfo(
        "lasso",
        Lasso,
        "regression",
        REGRESSION_METRICS,
        "L1-penalised least squares by coordinate descent, stopped on the duality gap.",
    )
)
register(
    AlgorithmInfo(
        "elastic_net",
        ElasticNet,
        "regression",
        REGRESSION_METRICS,
        "L1 + L2-penalised least squares by coordinate descent, stopped on the duality gap.",
    )
)
register(
    AlgorithmInfo(
        "logistic_regression",
        LogisticRegression,
        "classification",
        CLASSIFICATION_METRICS,
        "Logistic regression, binary or multinomial, with an l2, l1 or elastic-net penalty.",
    )
)
register(
    AlgorithmInfo(
        "linear_svc",
        LinearSVC,
        "classification",
        CLASSIFICATION_METRICS,
        "Linear SVM (squared hinge or hinge) by dual coordinate descent or primal Newton.",
    )
)
register(
    AlgorithmInfo(
        "svc",
        SVC,
        "classification",
        CLASSIFICATION_METRICS,
        "Kernel SVM (rbf, linear, poly) by SMO with second-order working sets; one-vs-one.",
    )
)
register(
    AlgorithmInfo(
        "k_neighbors_classifier",
        KNeighborsClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Vote of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    )
)
register(
    AlgorithmInfo(
        "k_neighbors_regressor",
        KNeighborsRegressor,
        "regression",
        REGRESSION_METRICS,
        "Mean target of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    )
)
register(
    AlgorithmInfo(
        "gaussian_nb",
        GaussianNB,
        "classification",
        CLASSIFICATION_METRICS,
        "Gaussian naive Bayes: a normal per class and feature, variances smoothed.",
    )
)
register(
    AlgorithmInfo(
        "multinomial_nb",
        MultinomialNB,
        "classification",
        CLASSIFICATION_METRICS,
        "Naive Bayes for counts (bag of words, TF-IDF) with Laplace/Lidstone smoothing alpha.",
    )
)
register(
    AlgorithmInfo(
        "decision_tree_classifier",
        DecisionTreeClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "CART decision tree (gini or entropy splits), flat arrays, scikit-learn's splits.",
    )
)
register(
    AlgorithmInfo(
        "decision_tree_regressor",
        DecisionTreeRegressor,
        "regression",
        REGRESSION_METRICS,
        "CART regression tree (squared error), flat arrays, scikit-learn's splits.",
    )
)
register(
    AlgorithmInfo(
        "random_forest_classifier",
        RandomForestClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Random forest of bootstrapped CART trees on random feature subsets.",
    )
)
register(
    AlgorithmInfo(
        "random_forest_regressor",
        RandomForestRegressor,
        "regression",
        REGRESSION_METRICS,
        "Random forest of bootstrapped CART regression trees, predictions averaged.",
    )
)
register(
    AlgorithmInfo(
        "gradient_boosting_regressor",
        GradientBoostingRegressor,
        "regression",
        REGRESSION_METRICS,
        "Histogram gradient boosting of regression trees on the squared error.",
    )
)
register(
    AlgorithmInfo(
        "gradient_boosting_classifier",
        GradientBoostingClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Histogram gradient boosting on the log-loss, binary or multiclass.",
    )
)
register(
    AlgorithmInfo(
        "mlp_classifier",
        MLPClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Multilayer perceptron: softmax/logistic output, Adam or SGD, L2, dropout, early stop.",
    )
)
register(
    AlgorithmInfo(
        "mlp_regressor",
        MLPRegressor,
        "regression",
        REGRESSION_METRICS,
        "Multilayer perceptron regressor: identity output, squared loss, Adam or SGD.",
    )
)
register(
    AlgorithmInfo(
        "autoencoder",
        Autoencoder,
        "decomposition",
        (),
        "Encoder/decoder perceptron trained to reconstruct X; transform gives the code.",
    )
)
register(
    AlgorithmInfo(
        "cnn_classifier",
        CNNClassifier,
        "classification",
        CLASSIFICATION_METRICS,
        "Small CNN: 3×3 conv + ReLU + 2×2 max-pool blocks, dense head, softmax; Adam.",
    )
)
register(
    AlgorithmInfo(
        "q_learning",
        QLearningAgent,
        "reinforcement",
        (),
        "Tabular ε-greedy Q-learning; fit(env) on a GridWorld.",
    )
)
register(
    AlgorithmInfo(
        "k_means",
        KMeans,
        "clustering",
        ("adjusted_rand",),
        "k-means: k-means++ seeding, fused numba Lloyd iterations.",
    )
)
register(
    AlgorithmInfo(
        "pca",
        PCA,
        "decomposition",
        (),
        "Principal component analysis by exact SVD or covariance eigendecomposition.",
    )
)
