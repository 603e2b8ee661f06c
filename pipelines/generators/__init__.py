"""Registered data generators: a name in a spec's `source: {generator: NAME}` → a function.

Each generator takes (rows, seed, **params) and returns the same Polars frame for the same
arguments; `params` come from the spec's `source: {generator: NAME, params: {...}}`.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.generators import synthetic
from pipelines.generators.viral_posts import generate_viral_posts

Generator = Callable[..., pl.DataFrame]
GENERATORS: dict[str, Generator] = {
    "viral_posts": generate_viral_posts,
    "regression": synthetic.regression,
    "line": synthetic.line,
    "sparse_linear": synthetic.sparse_linear,
    "noisy_sine": synthetic.noisy_sine,
    "sum_sign": synthetic.sum_sign,
}


def get_generator(name: str) -> Generator:
    """The generator registered as `name`; ValueError listing the registered names otherwise."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise ValueError(
            f"unknown data generator {name!r}; registered: {', '.join(sorted(GENERATORS))}"
        ) from None
