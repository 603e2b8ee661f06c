"""Linear models: the viral-post threshold classifiers, least squares, ridge, SGD, …

Each name is imported from its module on first use (PEP 562), so a pipeline that trains one
linear model does not import the others (nor the numba kernels of coordinate descent).
"""

import importlib

# Public name -> the module of this package that defines it.
_MODULE_OF = {
    "DeltaRuleClassifier": "delta_rule",
    "ElasticNet": "coordinate_descent",
    "Lasso": "coordinate_descent",
    "enet_path": "coordinate_descent",
    "lasso_path": "coordinate_descent",
    "LinearRegression": "least_squares",
    "LogisticRegression": "logistic",
    "RandomWeightsClassifier": "random_weights",
    "Ridge": "ridge",
    "SGDClassifier": "sgd_classifier",
    "SGDRegressor": "sgd",
}
__all__ = list(_MODULE_OF)


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
