"""The one sizing of numba's and BLAS's thread pools (algorithms/_threads.py)."""

import os

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from algorithms import _threads
from algorithms._threads import numba_owns_the_cores, parallel_loops, usable_cores


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.mark.parametrize(
    ("text", "cores"),
    [("max 100000", None), ("150000 100000", 2), ("50000 100000", 1), ("400000 100000", 4)],
)
def test_quota_cores_reads_cgroup_cpu_max(tmp_path, text, cores):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(text + "\n")
    assert _threads._quota_cores(cpu_max) == cores


def test_quota_cores_without_a_cgroup_file_is_none(tmp_path):
    assert _threads._quota_cores(tmp_path / "absent") is None


def test_usable_cores_is_at_most_the_affinity():
    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))


def test_inside_the_block_blas_has_one_thread_and_numba_the_cores():
    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    before_blas, before_numba = blas_threads(), numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with numba_owns_the_cores():
            assert blas_threads() == {1}
            assert numba.get_num_threads() == min(usable_cores(), numba.config.NUMBA_NUM_THREADS)
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before_numba)
    assert blas_threads() == before_blas


def test_parallel_loops_keeps_the_method_and_its_result():
    class Estimator:
        @parallel_loops
        def fit(self, X):
            """Doc."""
            self.blas_ = blas_threads()
            return self

    estimator = Estimator()
    assert estimator.fit(np.ones(3)) is estimator
    assert estimator.blas_ == {1}
    assert Estimator.fit.__name__ == "fit" and Estimator.fit.__doc__ == "Doc."


@pytest.mark.skipif(
    min(usable_cores(), numba.config.NUMBA_NUM_THREADS) < 2, reason="needs two usable cores"
)
@pytest.mark.parametrize(("n_rows", "threads"), [(5, 1), (19_999, 1), (20_000, 2), (10**6, 2)])
def test_rows_per_thread_gives_one_thread_per_that_many_rows_up_to_the_cores(n_rows, threads):
    class Estimator:
        @parallel_loops(rows_per_thread=10_000)
        def fit(self, X, y=None):
            self.threads_ = numba.get_num_threads()
            return self

    assert Estimator().fit(np.empty((n_rows, 1))).threads_ == min(threads, usable_cores())
    assert Estimator().fit(X=[[0.0]] * n_rows).threads_ == min(threads, usable_cores())
