"""Synthetic regression data sets of the linear-model and regularization tutorials.

Each takes (rows, seed, **params), draws from `np.random.default_rng(seed)` in a fixed order
and returns the same frame for the same arguments. Feature columns are `x0, x1, …`; the
target is `y`.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def _frame(x: np.ndarray, y: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({**{f"x{j}": x[:, j] for j in range(x.shape[1])}, "y": y})


def regression(rows: int, seed: int, n_features: int = 1, noise: float = 20.0) -> pl.DataFrame:
    """A random linear problem like scikit-learn's make_regression.

    x ~ N(0, 1)^n_features, w ~ 100·U(0, 1) per feature, y = x·w + noise·N(0, 1).
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n_features))
    w = 100.0 * rng.random(n_features)
    return _frame(x, x @ w + noise * rng.standard_normal(rows))


def line(rows: int, seed: int, slope: float = 3.0, intercept: float = 2.0, noise: float = 2.0):
    """The regularization tutorial's line: x evenly spaced on [0, 10], y = 3x + 2 + N(0, 2)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 10.0, rows)[:, None]
    return _frame(x, slope * x[:, 0] + intercept + rng.normal(0.0, noise, rows))


def sparse_linear(
    rows: int,
    seed: int,
    n_features: int = 20,
    weights: tuple[float, ...] = (5.0, 2.0, -3.0),
    noise: float = 0.5,
) -> pl.DataFrame:
    """x ~ U(0, 1)^n_features and y = Σ weights[j]·x_j + N(0, noise): only the first few matter.

    The tutorials' examples: 1,000 × 20 with y = 5x₀ + 2x₁ − 3x₂ + N(0, 0.5) (Lasso keeps
    features 0, 1, 2); 100 × 5 or 100 × 10 with y = 3x₀ + 2x₁ − x₂ + N(0, 0.1).
    """
    rng = np.random.default_rng(seed)
    x = rng.random((rows, n_features))
    w = np.zeros(n_features)
    w[: len(weights)] = weights
    return _frame(x, x @ w + rng.normal(0.0, noise, rows))


def noisy_sine(rows: int, seed: int, noise: float = 0.1) -> pl.DataFrame:
    """The bias–variance example: sorted x ~ U(0, 1), y = sin(2πx) + noise·N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.random(rows))[:, None]
    return _frame(x, np.sin(2.0 * np.pi * x[:, 0]) + noise * rng.standard_normal(rows))


def sum_sign(
    rows: int, seed: int, n_features: int = 2, negative: int = -1, positive: int = 1
) -> pl.DataFrame:
    """The classics tutorial's classification toy: x ~ N(0, 1)^n, y = positive if Σx > 0.

    Features `x0, …`; the label column is `label` (−1/1 for the tree example, 0/1 elsewhere).
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n_features))
    labels = np.where(x.sum(axis=1) > 0, positive, negative)
    return pl.DataFrame({**{f"x{j}": x[:, j] for j in range(n_features)}, "label": labels})
