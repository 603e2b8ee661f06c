"""One sizing of the two thread pools our estimators use, numba's and BLAS's, chosen together.

Both pools default to every core and take turns inside one fit. After a BLAS call, its threads
spin-wait for more work and take the cores a following numba-parallel loop needs; a BLAS call
made from inside such a loop would run cores × cores threads. On a machine shared with another
busy process, either costs several times the work. So while an estimator runs numba-parallel
loops (`parallel_loops`), numba's pool gets the usable cores and BLAS one thread, as
scikit-learn does around its OpenMP loops. Work that is one large BLAS call (least squares,
PCA's transform) keeps BLAS on every core; PCA's fit sums its Gram matrix over row blocks on
threads of its own (`algorithms._gram`), each with BLAS on one thread, and so runs all of its
BLAS on one thread. The usable cores are the ones this
process may run on: its CPU affinity, capped by a cgroup CPU quota (a container's share).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numba
from threadpoolctl import ThreadpoolController

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")

Method = TypeVar("Method", bound=Callable[..., Any])

# Rows per numba thread for row-sized loops (`parallel_loops(rows_per_thread=...)`): boosting
# on 20 features took 0.18 s on one thread and 0.34 s on two at 5,000 rows, 0.30 and 0.26 s at
# 20,000 (2-core machine, other work running).
ROWS_PER_THREAD = 10_000


def _quota_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int | None:
    """⌈quota / period⌉ of a cgroup v2 `cpu.max` ("max 100000" means no quota), or None."""
    try:
        quota, period = cpu_max.read_text().split()
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.ceil(int(quota) / int(period)))


@functools.cache
def usable_cores() -> int:
    """The cores this process may use: min(its CPU affinity, the cgroup quota), at least 1."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _quota_cores()
    return max(1, min(affinity or 1, quota or affinity or 1))


@functools.cache
def _controller(n_modules: int) -> ThreadpoolController:
    """threadpoolctl's view of the loaded BLAS/OpenMP libraries, redone when modules were added."""
    return ThreadpoolController()


@contextlib.contextmanager
def blas_on_one_thread() -> Iterator[None]:
    """Every loaded BLAS library on one thread, for the body of the block."""
    with _controller(len(sys.modules)).limit(limits=1, user_api="blas"):
        yield


@contextlib.contextmanager
def numba_owns_the_cores(n_threads: int | None = None) -> Iterator[None]:
    """Numba's pool on `n_threads` (default: the usable cores) and BLAS on one thread, for the
    body of the block."""
    previous = numba.get_num_threads()
    cores = min(usable_cores(), numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(cores if n_threads is None else max(1, min(n_threads, cores)))
    try:
        with blas_on_one_thread():
            yield
    finally:
        numba.set_num_threads(previous)


def _n_rows(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """The number of rows of a method's X (its first argument after self), if it has rows."""
    X = args[1] if len(args) > 1 else kwargs.get("X")
    shape = getattr(X, "shape", None)
    if shape:
        return int(shape[0])
    return len(X) if isinstance(X, list | tuple) else None


def parallel_loops(
    method: Method | None = None, *, rows_per_thread: int | None = None
) -> Method | Callable[[Method], Method]:
    """Run an estimator method (fit, predict, …) under `numba_owns_the_cores`.

    With rows_per_thread, numba gets one thread per that many rows of X (at least one, at most
    the usable cores): on small data a parallel loop's start and barrier cost more than its
    work, and far more while another process holds a core (a 569-row boosting fit: 0.12 s on
    one thread, 0.24–1.0 s on two with the other core busy).
    """

    def decorate(function: Method) -> Method:
        @functools.wraps(function)
        def sized(*args: Any, **kwargs: Any) -> Any:
            n_rows = _n_rows(args, kwargs) if rows_per_thread else None
            n_threads = None if n_rows is None else n_rows // rows_per_thread
            with numba_owns_the_cores(n_threads):
                return function(*args, **kwargs)

        return sized  # type: ignore[return-value]

    return decorate if method is None else decorate(method)
