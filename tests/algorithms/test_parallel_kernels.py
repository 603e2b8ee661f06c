"""Every numba kernel compiled with parallel=True opens one parallel region per prange loop.

numba turns each array expression of a parallel function (np.zeros, astype, a += b, …) into a
parallel region of its own: a start and a barrier for every thread. A Lloyd pass that summed
its groups' partial sums with `+=` opened 130 regions instead of one, which cost little on a
quiet machine and several times the work on a shared one (a thread descheduled at each
barrier). The kernels keep array work in plain njit helpers; this test holds them to it.
"""

import ast
import importlib
import inspect
import pkgutil

import numba
import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import algorithms
from algorithms.cluster import KMeans
from algorithms.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from algorithms.linear.coordinate_descent import Lasso
from algorithms.neighbors import KNeighborsClassifier


def jitted_functions() -> list[tuple[str, CPUDispatcher]]:
    """(module.name, dispatcher) of every njit function defined in `algorithms`."""
    found = []
    for info in pkgutil.walk_packages(algorithms.__path__, "algorithms."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", value))
    return found


def parallel_kernels() -> list[tuple[str, CPUDispatcher]]:
    return [(name, f) for name, f in jitted_functions() if f.targetoptions.get("parallel")]


def n_prange_loops(function: CPUDispatcher) -> int:
    tree = ast.parse(inspect.getsource(function.py_func))
    return sum(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) == "prange"
        for node in ast.walk(tree)
    )


@pytest.fixture(scope="module")
def typed_kernels() -> dict[str, CPUDispatcher]:
    """The parallel kernels, each with the signatures the estimators call it with.

    A kernel called from another jitted function loaded from numba's cache has no signature
    of its own yet, so its callers are compiled afresh, which types it.
    """
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40_000, 3))
    y = X[:, 0] + rng.standard_normal(40_000)
    GradientBoostingRegressor(n_estimators=2).fit(X, y).predict(X)
    GradientBoostingClassifier(n_estimators=2).fit(X, y > 0).predict(X)
    GradientBoostingClassifier(n_estimators=2).fit(X, (y > 0).astype(int) + (y > 1)).predict(X)
    KNeighborsClassifier().fit(X[:300], y[:300] > 0).predict(X[:300])
    KMeans(3, n_init=1).fit(X).predict(X)
    Lasso(alpha=0.1, precompute=False).fit(X, y)
    kernels = dict(parallel_kernels())
    untyped = {name.rsplit(".", 1)[1] for name, f in kernels.items() if not f.signatures}
    for _, caller in jitted_functions():
        if untyped & set(caller.py_func.__code__.co_names):
            fresh = numba.njit(caller.py_func)
            for signature in caller.signatures:
                fresh.compile(signature)
    return kernels


def test_the_kernels_are_found():
    names = {name for name, _ in parallel_kernels()}
    assert {
        "algorithms.cluster._lloyd._assign_groups",
        "algorithms.ensemble._grower.node_histograms_and_splits",
        "algorithms.neighbors.nearest_scores",
    } <= names


@pytest.mark.parametrize("name", [name for name, _ in parallel_kernels()])
def test_a_parallel_kernel_opens_one_region_per_prange(typed_kernels, name):
    kernel = typed_kernels[name]
    assert kernel.signatures, f"{name}: no estimator in the fixture calls it; add one"
    fresh = numba.njit(parallel=True)(kernel.py_func)
    for signature in kernel.signatures:
        fresh.compile(signature)
        regions = fresh.overloads[signature].metadata["parfor_diagnostics"].get_parfors()
        assert len(regions) == n_prange_loops(kernel), [region.loc for region in regions]
