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
from algorithms.naive_bayes import GaussianNB, MultinomialNB
from algorithms.neighbors import KNeighborsClassifier, KNeighborsRegressor
from algorithms.neural_network import Autoencoder, CNNClassifier, MLPClassifier, MLPRegressor
from algorithms.reinforcement import QLearningAgent
from algorithms.svm import SVC, LinearSVC
from algorithms.tasks import (
    CLASSIFICATION,
    CLUSTERING,
    DECOMPOSITION,
    REGRESSION,
    REINFORCEMENT,
    Task,
)
from algorithms.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)


class UnknownAlgorithmError(ValueError):
    """A name or class that is not in the registry."""


@dataclass(frozen=True)
class AlgorithmInfo:
    """A registry entry: spec name, estimator class, task, one-line summary."""

    name: str
    estimator_class: type
    task: Task
    description: str

    @property
    def default_metrics(self) -> tuple[str, ...]:
        """The metrics a spec naming this algorithm gets when it names none: its task's."""
        return self.task.default_metrics


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
        CLASSIFICATION,
        "Online delta rule (LMS or perceptron error) with a learning rate.",
    )
)
register(
    AlgorithmInfo(
        "random_weights",
        RandomWeightsClassifier,
        CLASSIFICATION,
        "Best of many uniform random weight guesses (the chapter-1 baseline).",
    )
)
register(
    AlgorithmInfo(
        "linear_regression",
        LinearRegression,
        REGRESSION,
        "Ordinary least squares: a direct solve, or the tutorial's batch gradient descent.",
    )
)
register(
    AlgorithmInfo(
        "ridge",
        Ridge,
        REGRESSION,
        "Least squares with an L2 penalty alpha·‖w‖², intercept unpenalised.",
    )
)
register(
    AlgorithmInfo(
        "sgd_regressor",
        SGDRegressor,
        REGRESSION,
        "Linear regression by mini-batch SGD; partial_fit learns from data in chunks.",
    )
)
register(
    AlgorithmInfo(
        "lasso",
        Lasso,
        REGRESSION,
        "L1-penalised least squares by coordinate descent, stopped on the duality gap.",
    )
)
register(
    AlgorithmInfo(
        "elastic_net",
        ElasticNet,
        REGRESSION,
        "L1 + L2-penalised least squares by coordinate descent, stopped on the duality gap.",
    )
)
register(
    AlgorithmInfo(
        "logistic_regression",
        LogisticRegression,
        CLASSIFICATION,
        "Logistic regression, binary or multinomial, with an l2, l1 or elastic-net penalty.",
    )
)
register(
    AlgorithmInfo(
        "linear_svc",
        LinearSVC,
        CLASSIFICATION,
        "Linear SVM (squared hinge or hinge) by dual coordinate descent or primal Newton.",
    )
)
register(
    AlgorithmInfo(
        "svc",
        SVC,
        CLASSIFICATION,
        "Kernel SVM (rbf, linear, poly) by SMO with second-order working sets; one-vs-one.",
    )
)
register(
    AlgorithmInfo(
        "k_neighbors_classifier",
        KNeighborsClassifier,
        CLASSIFICATION,
        "Vote of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    )
)
register(
    AlgorithmInfo(
        "k_neighbors_regressor",
        KNeighborsRegressor,
        REGRESSION,
        "Mean target of the k nearest training rows (Euclidean), uniform or 1/distance weights.",
    )
)
register(
    AlgorithmInfo(
        "gaussian_nb",
        GaussianNB,
        CLASSIFICATION,
        "Gaussian naive Bayes: a normal per class and feature, variances smoothed.",
    )
)
register(
    AlgorithmInfo(
        "multinomial_nb",
        MultinomialNB,
        CLASSIFICATION,
        "Naive Bayes for counts (bag of words, TF-IDF) with Laplace/Lidstone smoothing alpha.",
    )
)
register(
    AlgorithmInfo(
        "decision_tree_classifier",
        DecisionTreeClassifier,
        CLASSIFICATION,
        "CART decision tree (gini or entropy splits), flat arrays, scikit-learn's splits.",
    )
)
register(
    AlgorithmInfo(
        "decision_tree_regressor",
        DecisionTreeRegressor,
        REGRESSION,
        "CART regression tree (squared error), flat arrays, scikit-learn's splits.",
    )
)
register(
    AlgorithmInfo(
        "random_forest_classifier",
        RandomForestClassifier,
        CLASSIFICATION,
        "Random forest of bootstrapped CART trees on random feature subsets.",
    )
)
register(
    AlgorithmInfo(
        "random_forest_regressor",
        RandomForestRegressor,
        REGRESSION,
        "Random forest of bootstrapped CART regression trees, predictions averaged.",
    )
)
register(
    AlgorithmInfo(
        "gradient_boosting_regressor",
        GradientBoostingRegressor,
        REGRESSION,
        "Histogram gradient boosting of regression trees on the squared error.",
    )
)
register(
    AlgorithmInfo(
        "gradient_boosting_classifier",
        GradientBoostingClassifier,
        CLASSIFICATION,
        "Histogram gradient boosting on the log-loss, binary or multiclass.",
    )
)
register(
    AlgorithmInfo(
        "mlp_classifier",
        MLPClassifier,
        CLASSIFICATION,
        "Multilayer perceptron: softmax/logistic output, Adam or SGD, L2, dropout, early stop.",
    )
)
register(
    AlgorithmInfo(
        "mlp_regressor",
        MLPRegressor,
        REGRESSION,
        "Multilayer perceptron regressor: identity output, squared loss, Adam or SGD.",
    )
)
register(
    AlgorithmInfo(
        "autoencoder",
        Autoencoder,
        DECOMPOSITION,
        "Encoder/decoder perceptron trained to reconstruct X; transform gives the code.",
    )
)
register(
    AlgorithmInfo(
        "cnn_classifier",
        CNNClassifier,
        CLASSIFICATION,
        "Small CNN: 3×3 conv + ReLU + 2×2 max-pool blocks, dense head, softmax; Adam.",
    )
)
register(
    AlgorithmInfo(
        "q_learning",
        QLearningAgent,
        REINFORCEMENT,
        "Tabular ε-greedy Q-learning; fit(env) on a GridWorld.",
    )
)
register(
    AlgorithmInfo(
        "k_means",
        KMeans,
        CLUSTERING,
        "k-means: k-means++ seeding, fused numba Lloyd iterations.",
    )
)
register(
    AlgorithmInfo(
        "pca",
        PCA,
        DECOMPOSITION,
        "Principal component analysis by exact SVD or covariance eigendecomposition.",
    )
)
