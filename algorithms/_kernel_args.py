"""One typing per numba kernel argument, so a kernel compiles once per dtype and not per caller.

numba compiles a kernel again for every new typing of its arguments, and an array's typing
holds more than its dtype: whether it is writable, and its layout ('C' or 'F', where an array
with one column is both and types as 'C'). scikit-learn's checks pass read-only memory maps,
Polars hands out read-only arrays, an unpickled model's arrays are read-only, and a one-feature
X in Fortran order looks C-ordered; each would cost another compile (seconds) of the same code.
So an array a kernel only reads goes in as a read-only view (`read_only`, never a copy), and
2-D data a kernel walks one feature at a time goes in transposed (`feature_major`), C-ordered
whatever its width.
"""

from __future__ import annotations

import numpy as np


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of `array` (the same memory): the one typing of a kernel's input."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view


def row_major(X: np.ndarray, dtype: type) -> np.ndarray:
    """X as a read-only C-ordered `dtype` array, X[row, feature]; copies only to convert."""
    return read_only(np.ascontiguousarray(X, dtype=dtype))


def feature_major(X: np.ndarray, dtype: type) -> np.ndarray:
    """Xᵀ as a read-only C-ordered `dtype` array, Xᵀ[feature, row]: each feature contiguous.

    A Fortran-ordered X converts without a copy. Kernels take Xᵀ rather than a Fortran X
    because a one-feature Fortran X types as C-ordered, and would be compiled for twice.
    """
    return read_only(np.ascontiguousarray(X.T, dtype=dtype))
