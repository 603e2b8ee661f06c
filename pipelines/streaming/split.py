"""The streamed train/test rule: a row is a test row when a seeded hash of its key falls below
`test_fraction`. The key is the row's number in the validated table (or an integer key
column), so any batching of the same rows, and every rerun, sees the same split.

The hash is splitmix64 (Steele, Lea and Flood 2014) in numpy: fixed arithmetic, so unlike
`pl.Expr.hash` it does not change between library versions.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / (1 << 53)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 of each uint64 value (modulo 2⁶⁴): a fixed, well-mixed 64-bit hash."""
    z = np.asarray(values, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def unit_hash(keys: np.ndarray, seed: int) -> np.ndarray:
    """A seeded hash of integer keys as floats in [0, 1), uniform over keys."""
    keys = np.asarray(keys)
    if not np.issubdtype(keys.dtype, np.integer):
        raise ValueError(f"split keys must be integers, got dtype {keys.dtype}")
    salt = splitmix64(np.array([seed], dtype=np.int64).view(np.uint64))[0]
    mixed = splitmix64(keys.astype(np.int64).view(np.uint64) ^ salt)
    return (mixed >> np.uint64(11)).astype(np.float64) * _UNIT


def is_test(keys: np.ndarray, seed: int, test_fraction: float) -> np.ndarray:
    """Whether each key's row is a test row: its seeded unit hash is below `test_fraction`."""
    return unit_hash(keys, seed) < test_fraction


def row_keys(first_row: int, n_rows: int) -> np.ndarray:
    """The keys of `n_rows` rows numbered from `first_row` (their row numbers)."""
    return np.arange(first_row, first_row + n_rows, dtype=np.int64)
