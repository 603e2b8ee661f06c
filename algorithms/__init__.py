"""trainyard algorithms."""

from algorithms.cluster import KMeans, adjusted_rand_score
from algorithms.decomposition import PCA
from algorithms.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from algorithms.exceptions import ConvergenceWarning
from algorithms.linear import (
    DeltaRuleClassifier,
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    RandomWeightsClassifier,
    Ridge,
    SGDRegressor,
    enet_path,
    lasso_path,
)
from algorithms.naive_bayes import GaussianNB, MultinomialNB
from algorithms.neighbors import KNeighborsClassifier, KNeighborsRegressor
from algorithms.neural_network import Autoencoder, CNNClassifier, MLPClassifier, MLPRegressor
from algorithms.reinforcement import GridWorld, QLearningAgent
from algorithms.svm import SVC, LinearSVC
from algorithms.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

__all__ = [
    "KMeans",
    "PCA",
    "adjusted_rand_score",
    "CNNClassifier",
    "GridWorld",
    "QLearningAgent",
    "Autoencoder",
    "MLPClassifier",
    "MLPRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "GaussianNB",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "MultinomialNB",
    "ConvergenceWarning",
    "DeltaRuleClassifier",
    "ElasticNet",
    "Lasso",
    "enet_path",
    "lasso_path",
    "LinearRegression",
    "LinearSVC",
    "LogisticRegression",
    "RandomWeightsClassifier",
    "Ridge",
    "SVC",
    "SGDRegressor",
]
