"""Clustering: k-means (k-means++ seeding, fused numba Lloyd iterations), adjusted Rand index."""

from algorithms.cluster._adjusted_rand import adjusted_rand_score
from algorithms.cluster._kmeans import KMeans

__all__ = ["KMeans", "adjusted_rand_score"]
