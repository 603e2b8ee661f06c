"""KMeans and PCA against scikit-learn's, on the same data with the same settings.

KMeans: 100,000 × 10 rows from 8 overlapping Gaussian blobs (centres N(0, 2²), unit noise), k=8,
one k-means++ seeding each (n_init=1), max_iter=300, tol=1e-4; scikit-learn with
algorithm="lloyd". The seedings differ (each library draws its own), so the score is the
held-out inertia per row, −inertia/n, divided by the spread of the data (its mean squared
distance to the overall mean): the gap of two such scores is their relative inertia gap up to
that fixed factor, and max_score_gap=0.01 asks for ≤ 1 % of the data's spread.

KMeans on unclustered data, the same settings and score: 100,000 + 20,000 rows of standard-normal
features, (a) 10 features with k=8 (about 130 Lloyd iterations before the centre shift falls
below tol) and (b) 50 features with k=32 (more clusters and features: it runs into max_iter=300
or close to it). With no clusters to find, nearly all the time is in the Lloyd iterations.

PCA: 100,000 × 100 rows of a rank-10 signal plus small noise, n_components=10; scikit-learn
with its default solver (for such tall data, the covariance eigendecomposition). Score: the
explained variance ratio of the 10 components on the training fit.
"""

from functools import cache

import numpy as np
from sklearn import cluster, decomposition

from algorithms.cluster import KMeans
from algorithms.decomposition import PCA
from benchmarks.harness import Case


@cache
def blobs():
    """Seeded (X_train, zeros, X_test, zeros): 100,000 + 20,000 rows, 10 features, 8 blobs."""
    rng = np.random.default_rng(0)
    n_train, n_test = 100_000, 20_000
    centres = rng.normal(0.0, 2.0, (8, 10))
    X = centres[rng.integers(0, 8, n_train + n_test)] + rng.standard_normal((n_train + n_test, 10))
    zeros = np.zeros(n_train + n_test)
    return X[:n_train], zeros[:n_train], X[n_train:], zeros[n_train:]


def standard_normal(n_features, seed):
    """Seeded (X_train, zeros, X_test, zeros): 100,000 + 20,000 rows of N(0, 1) features."""
    X = np.random.default_rng(seed).standard_normal((120_000, n_features))
    zeros = np.zeros(len(X))
    return X[:100_000], zeros[:100_000], X[100_000:], zeros[100_000:]


@cache
def unclustered_10():
    """100,000 + 20,000 standard-normal rows, 10 features."""
    return standard_normal(10, seed=2)


@cache
def unclustered_50():
    """100,000 + 20,000 standard-normal rows, 50 features."""
    return standard_normal(50, seed=3)


def kmeans_case(name, data, n_clusters, repeats):
    """Our KMeans against scikit-learn's lloyd: k clusters, one k-means++ seeding, tol=1e-4."""
    return Case(
        name=name,
        data=data,
        ours=lambda: KMeans(
            n_clusters=n_clusters, n_init=1, max_iter=300, tol=1e-4, random_state=0
        ),
        reference=lambda: cluster.KMeans(
            n_clusters=n_clusters,
            n_init=1,
            max_iter=300,
            tol=1e-4,
            algorithm="lloyd",
            random_state=0,
        ),
        score=relative_inertia_score,
        max_score_gap=0.01,
        repeats=repeats,
    )


@cache
def low_rank():
    """Seeded (X_train, zeros, X_test, zeros): 100,000 + 1,000 rows × 100, rank 10 + noise."""
    rng = np.random.default_rng(1)
    n = 101_000
    scales = np.linspace(5.0, 1.0, 10)
    X = (rng.standard_normal((n, 10)) * scales) @ rng.standard_normal((10, 100))
    X += 0.1 * rng.standard_normal((n, 100))
    zeros = np.zeros(n)
    return X[:100_000], zeros[:100_000], X[100_000:], zeros[100_000:]


def relative_inertia_score(estimator, X, y):
    """−inertia(X)/n over the mean squared distance of X to its mean (module docstring)."""
    spread = ((X - X.mean(axis=0)) ** 2).sum(axis=1).mean()
    return estimator.score(X) / len(X) / spread


def explained_variance_score(estimator, X, y):
    """The fraction of the training variance the kept components explain."""
    return float(estimator.explained_variance_ratio_.sum())


CASES = [
    kmeans_case("KMeans 100,000 × 10, k=8, one k-means++ seeding", blobs, 8, repeats=5),
    kmeans_case(
        "KMeans unclustered 100,000 × 10 standard normal, k=8, one k-means++ seeding",
        unclustered_10,
        8,
        repeats=5,
    ),
    kmeans_case(
        "KMeans unclustered 100,000 × 50 standard normal, k=32, one k-means++ seeding",
        unclustered_50,
        32,
        repeats=3,
    ),
    Case(
        name="PCA 100,000 × 100, 10 components",
        data=low_rank,
        ours=lambda: PCA(n_components=10),
        reference=lambda: decomposition.PCA(n_components=10),
        score=explained_variance_score,
        max_score_gap=1e-6,
        repeats=5,
    ),
]
