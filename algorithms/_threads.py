"""One sizing of the two thread pools our estimators use, numba's and BLAS's, chosen together.

Both pools default to every core and take turns inside one fit. After a BLAS call, its threads
spin-wait for more work and take the cores a following numba-parallel loop needs; a BLAS call
made from inside such a loop would run cores × cores threads. On a machine shared with another
busy process, either costs several times the work. So while an estimator runs numba-parallel
loops (`parallel_loops`), numba's pool gets the usable cores and BLAS one thread, as
scikit-learn does around its OpenMP loops; estimators whose work is one large BLAS call (least
squares, PCA) do not use it and keep BLAS on every core. The usable cores are the ones this
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
def numba_owns_the_cores() -> Iterator[None]:
    """Numba's pool on the usable cores and BLAS on one thread, for the body of the block."""
    previous = numba.get_num_threads()
    numba.set_num_threads(min(usable_cores(), numba.config.NUMBA_NUM_THREADS))
    try:
        with _controller(len(sys.modules)).limit(limits=1, user_api="blas"):
            yield
    finally:
        numba.set_num_threads(previous)


def parallel_loops(method: Method) -> Method:
    """Run an estimator method (fit, predict, …) under `numba_owns_the_cores`."""

    @functools.wraps(method)
    def sized(*args: Any, **kwargs: Any) -> Any:
        with numba_owns_the_cores():
            return method(*args, **kwargs)

    return sized  # type: ignore[return-value]
