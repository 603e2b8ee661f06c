"""Parameter constraints several estimators share, in scikit-learn's `_param_validation` terms.

Each is a list of allowed forms, the value type of a `_parameter_constraints` entry
(`"tol": NON_NEGATIVE`); `BaseEstimator._validate_params` checks them at the start of fit
and `algorithms.registry.check_params` when a spec loads. Real intervals with an open
infinite end refuse inf and NaN, so these also mean "finite".
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]
NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]
POSITIVE = [Interval(Real, 0, None, closed="neither")]
PROBABILITY = [Interval(Real, 0, 1, closed="both")]
# A share of the rows held out, strictly between none and all of them.
FRACTION = [Interval(Real, 0, 1, closed="neither")]
# What np.random.default_rng accepts as a seed that persistence can also save.
SEED = [Interval(Integral, 0, None, closed="left"), np.random.Generator, None]
FINITE = [Interval(Real, None, None, closed="neither")]
