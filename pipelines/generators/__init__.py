"""Registered data generators: a name in a spec's `source: {generator: NAME}` → a function.

Each generator takes (rows, seed) and returns the same Polars frame for the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.generators.viral_posts import generate_viral_posts

GENERATORS: dict[str, Callable[[int, int], pl.DataFrame]] = {
    "viral_posts": generate_viral_posts,
}


def get_generator(name: str) -> Callable[[int, int], pl.DataFrame]:
    """The generator registered as `name`; ValueError listing the registered names otherwise."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise ValueError(
            f"unknown data generator {name!r}; registered: {', '.join(sorted(GENERATORS))}"
        ) from None
