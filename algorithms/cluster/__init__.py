"""Clustering: k-means (k-means++ seeding, fused numba Lloyd iterations), adjusted Rand index."""

from algorithms.cluster._kmeans import KMeans
from algorithms.metrics import adjusted_rand_score

__all__ = ["KMeans", "adjusted_rand_score"]
