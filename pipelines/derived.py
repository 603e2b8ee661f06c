"""Derived feature columns, computed with Polars expressions before scaling.

- Bag of words: a text column is lower-cased and split into tokens of two or more word
  characters (scikit-learn's CountVectorizer default, ``\\b\\w\\w+\\b``); each vocabulary
  token becomes a count column ``<text>=<token>``. The vocabulary is fitted on train rows.
- Weighting of the counts: `counts` (as they are), `binary` (1 where a token occurs) or
  `tfidf` — scikit-learn's TfidfVectorizer defaults: count · idf with the smooth
  idf = ln((1 + n) / (1 + df)) + 1 fitted on the train rows, then each row scaled to unit
  Euclidean length.
- Polynomial expansion: every monomial of the numeric columns up to `degree` (x, y, x^2,
  x*y, y^2, …), in scikit-learn's PolynomialFeatures order, without the constant column.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import numpy as np
import polars as pl

TOKEN_PATTERN = r"\b\w\w+\b"


def tokens(text_column: str) -> pl.Expr:
    """The list of lower-case tokens of each row's text (null text → no tokens)."""
    return pl.col(text_column).fill_null("").str.to_lowercase().str.extract_all(TOKEN_PATTERN)


def fit_vocabulary(train: pl.DataFrame, text_column: str, min_df: int = 1) -> tuple[str, ...]:
    """Sorted tokens that occur in at least `min_df` training rows."""
    per_row = train.select(tokens(text_column).list.unique().alias("token")).explode("token")
    counts = per_row.drop_nulls().group_by("token").len()
    kept = counts.filter(pl.col("len") >= min_df).get_column("token").sort()
    if kept.len() == 0:
        raise ValueError(
            f"features.text: no token of column '{text_column}' occurs in {min_df} or more "
            "training rows; the vocabulary would be empty"
        )
    return tuple(kept.to_list())


def count_column(text_column: str, token: str) -> str:
    """Name of the count column of one vocabulary token."""
    return f"{text_column}={token}"


def bag_of_words(text_column: str, vocabulary: Sequence[str]) -> list[pl.Expr]:
    """One Float64 count column per vocabulary token; unknown tokens are ignored."""
    listed = tokens(text_column)
    return [
        listed.list.count_matches(token).cast(pl.Float64).alias(count_column(text_column, token))
        for token in vocabulary
    ]


def inverse_document_frequency(
    train: pl.DataFrame, text_column: str, vocabulary: Sequence[str]
) -> tuple[float, ...]:
    """Smooth idf = ln((1 + n) / (1 + df)) + 1 of each vocabulary token over the train rows."""
    present = train.select(
        (tokens(text_column).list.count_matches(t) > 0).sum().alias(t) for t in vocabulary
    ).row(0)
    n = train.height
    return tuple(float(np.log((1 + n) / (1 + df)) + 1.0) for df in present)


def weigh(frame: pl.DataFrame, columns: Sequence[str], weighting: str, idf: Sequence[float]):
    """Apply the count weighting (counts, binary or tfidf with row L2 norm) to `columns`."""
    if weighting == "counts" or not columns:
        return frame
    if weighting == "binary":
        return frame.with_columns((pl.col(c) > 0).cast(pl.Float64) for c in columns)
    weighted = frame.with_columns(pl.col(c) * w for c, w in zip(columns, idf, strict=True))
    norm = pl.sum_horizontal(pl.col(c) ** 2 for c in columns).sqrt()
    return weighted.with_columns(
        pl.when(norm > 0).then(pl.col(c) / norm).otherwise(0.0).alias(c) for c in columns
    )


def monomials(columns: Sequence[str], degree: int) -> list[tuple[str, ...]]:
    """Every multiset of columns of size 1..degree, in PolynomialFeatures order."""
    return [
        combo for d in range(1, degree + 1) for combo in combinations_with_replacement(columns, d)
    ]


def monomial_name(combo: tuple[str, ...]) -> str:
    """'x', 'x^2', 'x*y' for the monomial of a column multiset."""
    parts = [f"{c}^{combo.count(c)}" if combo.count(c) > 1 else c for c in dict.fromkeys(combo)]
    return "*".join(parts)


def polynomial(columns: Sequence[str], degree: int) -> list[pl.Expr]:
    """Float64 monomial columns of `columns` up to `degree`."""
    exprs = []
    for combo in monomials(columns, degree):
        product = pl.lit(1.0)
        for column in combo:
            product = product * pl.col(column).cast(pl.Float64)
        exprs.append(product.alias(monomial_name(combo)))
    return exprs
