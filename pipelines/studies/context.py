"""What a data study sees of its pipeline: the scaled rows and the fitted model.

A study whose first parameter is `data` is given a `PipelineData` of the pipeline it is
listed in; the others make their own data from a tutorial's recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

DATA_PARAM = "data"


@dataclass(frozen=True)
class PipelineData:
    """Train rows and scored rows (the held-out split, or the train rows with no split) as the
    model sees them, their targets, and the fitted estimator with its params."""

    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    X_scored: np.ndarray = field(repr=False)
    y_scored: np.ndarray = field(repr=False)
    feature_names: tuple[str, ...]
    target: str
    estimator: Any
    params: dict[str, Any]
