"""Cross-validation splitters: which rows train and which rows test in each fold.

A splitter's `split(X, y)` yields (train_idx, test_idx) pairs of row indices; every row is in
exactly one test fold. KFold cuts the rows (in order, or in a seeded permutation) into
n_splits contiguous folds, the first n_samples % n_splits of them one row larger, exactly
as scikit-learn does. StratifiedKFold deals each class's rows out over the folds so every
fold keeps the class proportions of y, within one row per class.
"""

import numbers
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

CLASS_TARGETS = ("binary", "multiclass")


def _n_samples(X) -> int:
    """Number of rows of an array, sparse matrix, data frame or list."""
    return X.shape[0] if hasattr(X, "shape") else len(X)


@dataclass(frozen=True)
class _KFoldBase:
    """Parameters shared by the k-fold splitters, checked when the splitter is created."""

    n_splits: int = 5
    shuffle: bool = False
    random_state: Any = None

    def __post_init__(self):
        if not isinstance(self.n_splits, numbers.Integral) or isinstance(self.n_splits, bool):
            raise ValueError(f"n_splits must be an integer, got {self.n_splits!r}.")
        if self.n_splits < 2:
            raise ValueError(
                f"k-fold cross-validation needs n_splits >= 2, got n_splits={self.n_splits}."
            )
        if not isinstance(self.shuffle, bool):
            raise ValueError(f"shuffle must be True or False, got {self.shuffle!r}.")
        if not self.shuffle and self.random_state is not None:
            raise ValueError(
                "random_state has no effect when shuffle=False; leave it None or set shuffle=True."
            )

    def get_n_splits(self, X=None, y=None) -> int:
        """The number of (train, test) pairs `split` yields: n_splits."""
        return self.n_splits

    def _check_n_samples(self, n_samples: int):
        if self.n_splits > n_samples:
            raise ValueError(
                f"cannot split {n_samples} samples into n_splits={self.n_splits} folds: "
                "n_splits must not exceed the number of samples."
            )

    @staticmethod
    def _pairs(test_folds: np.ndarray, n_splits: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(rows not in fold k, rows in fold k) for k = 0 … n_splits − 1, each sorted."""
        for fold in range(n_splits):
            in_fold = test_folds == fold
            yield np.flatnonzero(~in_fold), np.flatnonzero(in_fold)


class KFold(_KFoldBase):
    """k = n_splits contiguous folds of n rows: the first n % k hold ⌈n/k⌉ rows, the rest ⌊n/k⌋.

    With shuffle=True the folds are cut from the permutation of the rows drawn by
    np.random.default_rng(random_state).
    """

    def split(self, X, y=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (train_idx, test_idx) for each fold; y is ignored."""
        n_samples = _n_samples(X)
        self._check_n_samples(n_samples)
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        fold_of_position = np.repeat(np.arange(self.n_splits), sizes)
        test_folds = np.empty(n_samples, dtype=np.intp)
        order = (
            np.random.default_rng(self.random_state).permutation(n_samples)
            if self.shuffle
            else np.arange(n_samples)
        )
        test_folds[order] = fold_of_position
        yield from self._pairs(test_folds, self.n_splits)


class StratifiedKFold(_KFoldBase):
    """k folds that keep the class proportions of y: fold sizes and per-class counts each
    differ by at most one between folds.

    The rows, sorted by class, are dealt round-robin to the folds; within a class the rows
    go to folds in row order, or in a permutation from np.random.default_rng(random_state)
    when shuffle=True.
    """

    def split(self, X, y) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (train_idx, test_idx) for each fold, stratified on the class labels y."""
        n_samples = _n_samples(X)
        y = column_or_1d(y, warn=True)
        if len(y) != n_samples:
            raise ValueError(
                f"StratifiedKFold needs one label per row of X: X has {n_samples} rows, "
                f"y has {len(y)} labels."
            )
        self._check_n_samples(n_samples)
        target = type_of_target(y)
        if target not in CLASS_TARGETS:
            raise ValueError(
                f"StratifiedKFold needs class labels (binary or multiclass y), got {target!r} y."
            )
        classes, y_index = np.unique(y, return_inverse=True)
        counts = np.bincount(y_index)
        if self.n_splits > counts.max():
            raise ValueError(
                f"n_splits={self.n_splits} is larger than the number of rows in every class "
                f"(the largest class has {counts.max()})."
            )
        if self.n_splits > counts.min():
            smallest = classes[counts.argmin()].tolist()
            warnings.warn(
                f"the smallest class ({smallest!r}) has only {counts.min()} rows, fewer than "
                f"n_splits={self.n_splits}: some folds will lack it.",
                UserWarning,
                stacklevel=2,
            )
        class_of_position = np.repeat(np.arange(len(classes)), counts)
        # allocation[k, c]: rows of class c in fold k, when sorted rows are dealt round-robin.
        allocation = np.stack(
            [
                np.bincount(class_of_position[fold :: self.n_splits], minlength=len(classes))
                for fold in range(self.n_splits)
            ]
        )
        rng = np.random.default_rng(self.random_state) if self.shuffle else None
        test_folds = np.empty(n_samples, dtype=np.intp)
        for c in range(len(classes)):
            folds = np.repeat(np.arange(self.n_splits), allocation[:, c])
            if rng is not None:
                rng.shuffle(folds)
            test_folds[y_index == c] = folds
        yield from self._pairs(test_folds, self.n_splits)


@dataclass(frozen=True)
class _FixedSplits:
    """A cv given as an explicit list of (train_idx, test_idx) pairs."""

    pairs: tuple[tuple[np.ndarray, np.ndarray], ...]

    def get_n_splits(self, X=None, y=None) -> int:
        return len(self.pairs)

    def split(self, X, y=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from self.pairs


def check_cv(cv=5, y=None, classifier=False):
    """The splitter `cv` stands for (scikit-learn's rule).

    None means 5; an integer k means StratifiedKFold(k) for a classifier with binary or
    multiclass y, else KFold(k); an object with `split` and `get_n_splits` is used as it
    is; any other iterable is taken as the list of (train_idx, test_idx) pairs.
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        stratify = classifier and y is not None and type_of_target(y) in CLASS_TARGETS
        return StratifiedKFold(int(cv)) if stratify else KFold(int(cv))
    if hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        return cv
    if hasattr(cv, "__iter__") and not isinstance(cv, str):
        pairs = tuple((np.asarray(train), np.asarray(test)) for train, test in cv)
        if not pairs:
            raise ValueError("cv is an empty list of (train, test) splits.")
        return _FixedSplits(pairs)
    raise ValueError(
        "cv must be None, an integer number of folds, a splitter with split() and "
        f"get_n_splits(), or an iterable of (train, test) index pairs; got {cv!r}."
    )
