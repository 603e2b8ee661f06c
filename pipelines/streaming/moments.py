"""Running count, mean, sum of squared deviations, min and max of each column, one batch at a
time, merged with the pairwise update of Chan, Golub and LeVeque (1979):

    n = nₐ + n_b,  δ = mean_b − meanₐ,  mean = meanₐ + δ·n_b/n,  M2 = M2ₐ + M2_b + δ²·nₐ·n_b/n,

numerically stable where Σx² − n·mean² is not. Population variance is M2/n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Count, mean, M2 (Σ(x − mean)²), min and max of each of k columns over the rows seen."""

    n: int
    mean: np.ndarray
    m2: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def empty(cls, k: int) -> Moments:
        """No rows seen yet, k columns."""
        return cls(0, np.zeros(k), np.zeros(k), np.full(k, np.inf), np.full(k, -np.inf))

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        """The moments of one batch, rows × columns (2-D float)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"moments need a 2-D batch (rows × columns), got shape {x.shape}")
        if x.shape[0] == 0:
            return cls.empty(x.shape[1])
        mean = x.mean(axis=0)
        return cls(x.shape[0], mean, ((x - mean) ** 2).sum(axis=0), x.min(axis=0), x.max(axis=0))

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of rows together (Chan et al.'s pairwise update)."""
        if self.n == 0:
            return other
        if other.n == 0:
            return self
        n = self.n + other.n
        delta = other.mean - self.mean
        return Moments(
            n,
            self.mean + delta * (other.n / n),
            self.m2 + other.m2 + delta**2 * (self.n * other.n / n),
            np.minimum(self.low, other.low),
            np.maximum(self.high, other.high),
        )

    def update(self, x: np.ndarray) -> Moments:
        """These moments with one more batch of rows merged in."""
        return self.merge(Moments.of(x))

    @property
    def std(self) -> np.ndarray:
        """Population standard deviation √(M2/n) of each column."""
        if self.n == 0:
            raise ValueError("no rows seen: the standard deviation is undefined")
        return np.sqrt(self.m2 / self.n)
