"""Build a registered estimator from the spec and fit it on the normalized frame's train rows."""

from __future__ import annotations

from typing import Any

import polars as pl

from algorithms.registry import get_algorithm, param_names
from pipelines.bundle import ModelBundle
from pipelines.features import PreparedFeatures, design_matrix, feature_columns
from pipelines.spec import ModelSpec, PipelineSpec, reject_unknown


def build_estimator(model_spec: ModelSpec, overrides: dict[str, Any] | None = None) -> Any:
    """An unfitted estimator of the spec's algorithm with params = spec params ∪ overrides."""
    overrides = overrides or {}
    reject_unknown(
        overrides, param_names(model_spec.algorithm), f"algorithm '{model_spec.algorithm}'"
    )
    estimator_class = get_algorithm(model_spec.algorithm).estimator_class
    return estimator_class(**{**model_spec.params, **overrides})


def fit_variant(spec: PipelineSpec, normalized: pl.DataFrame, **params: Any) -> Any:
    """The spec's model with `params` overridden, fitted on the train rows (for comparisons)."""
    X, y = design_matrix(normalized, spec, "train")
    return build_estimator(spec.model, params).fit(X, y)


def train(
    spec: PipelineSpec, prepared: PreparedFeatures, overrides: dict[str, Any] | None = None
) -> ModelBundle:
    """Fit the spec's model on the train rows and bundle it with the transform that made them
    and the drift profile of their raw features."""
    normalized, transform = prepared.frame, prepared.transform
    columns = tuple(feature_columns(normalized, spec.target))
    if transform.columns != columns:
        raise ValueError(
            f"the transform makes the features {list(transform.columns)} but the normalized "
            f"frame has {list(columns)}"
        )
    estimator = fit_variant(spec, normalized, **(overrides or {}))
    return ModelBundle(
        pipeline=spec.name,
        algorithm=spec.algorithm,
        estimator=estimator,
        transform=transform,
        feature_names=columns,
        target=spec.target,
        spec_hash=spec.spec_hash(),
        params=estimator.get_params(deep=False),
        reference=prepared.reference,
    )
