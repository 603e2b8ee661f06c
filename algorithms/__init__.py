"""trainyard algorithms: estimators written from scratch behind scikit-learn's API.

`from algorithms import Ridge` works as usual, but nothing is imported until it is asked
for (PEP 562): the estimators come from the registry table, the few other names from
`_OTHER_NAMES`. So importing `algorithms.registry` or the spec layer loads no estimator.
"""

import importlib

from algorithms.registry import _TABLE

_OTHER_NAMES = {
    "adjusted_rand_score": "algorithms.metrics",
    "ConvergenceWarning": "algorithms.exceptions",
    "enet_path": "algorithms.linear.coordinate_descent",
    "lasso_path": "algorithms.linear.coordinate_descent",
    "GridWorld": "algorithms.gridworld",
}
_MODULE_OF = {
    **{info.target.partition(":")[2]: info.target.partition(":")[0] for info in _TABLE},
    **_OTHER_NAMES,
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """Import `name` from its module on first use."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'algorithms' has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
