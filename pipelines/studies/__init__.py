"""Studies: small seeded experiments of a tutorial, each rendered as a table and a figure.

A spec lists them under `evaluation.studies: [{study: NAME, params: {...}}]`; each becomes a
section of the pipeline's report. A study is a function `(**params) -> Section` that makes
its own data from the tutorial's recipe (seeded), so its numbers are reproducible — or, when
its first parameter is `data`, `(data: PipelineData, **params) -> Section` on the pipeline's
own rows and fitted model. A data study declares the tasks it fits (`STUDY_TASKS`: the
elbow curve needs clusters, the misclassified images a classifier); a spec naming a study
that does not fit its model's task is refused when it loads.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

from algorithms.tasks import CLASSIFICATION, CLUSTERING, REGRESSION, Task
from pipelines.spec_base import either
from pipelines.studies.context import DATA_PARAM

if TYPE_CHECKING:  # matplotlib comes with Section: loading a spec does not need it
    from pipelines.sections import Section

Study = Callable[..., "Section"]

# Study name → "module:function" in pipelines.studies. Resolved on first use, so loading a
# spec imports only the studies it names (each study module imports estimators and matplotlib).
STUDIES: dict[str, str] = {
    "shrinkage_on_a_line": "regularization:shrinkage_on_a_line",
    "cv_score_per_alpha": "regularization:cv_score_per_alpha",
    "elastic_net_grid": "regularization:elastic_net_grid",
    "bias_variance": "regularization:bias_variance",
    "regularization_path": "regularization:regularization_path",
    "forest_on_four_features": "classics:forest_on_four_features",
    "boosting_on_a_plane": "classics:boosting_on_a_plane",
    "knn_classification_and_regression": "classics:knn_classification_and_regression",
    "dropout_and_early_stopping": "neural:dropout_and_early_stopping",
    "elbow_curve": "clustering:elbow_curve",
    "clusters_on_principal_components": "clustering:clusters_on_principal_components",
    "pca_explained_variance": "decomposition:pca_explained_variance",
    "autoencoder_reconstructions": "decomposition:autoencoder_reconstructions",
    "misclassified_images": "images:misclassified_images",
}


# Tasks each study fits; a study not listed makes its own data and fits every task of a
# table pipeline.
_TABLE_TASKS = (CLASSIFICATION, REGRESSION, CLUSTERING)
STUDY_TASKS: dict[str, tuple[Task, ...]] = {
    "elbow_curve": (CLUSTERING,),
    "clusters_on_principal_components": (CLUSTERING,),
    "misclassified_images": (CLASSIFICATION,),
}


def get_study(name: str) -> Study:
    """The study registered as `name`; ValueError listing the registered names otherwise."""
    try:
        module, function = STUDIES[name].split(":")
    except KeyError:
        raise ValueError(
            f"unknown study {name!r}; registered: {', '.join(sorted(STUDIES)) or 'none'}"
        ) from None
    return getattr(importlib.import_module(f"pipelines.studies.{module}"), function)


def study_params(name: str) -> list[str]:
    """The keyword parameters a spec may give a study (not `data`, which the pipeline gives)."""
    return [p for p in inspect.signature(get_study(name)).parameters if p != DATA_PARAM]


def uses_pipeline_data(name: str) -> bool:
    """True when the study's first parameter is `data`: it runs on the pipeline's rows."""
    return next(iter(inspect.signature(get_study(name)).parameters), None) == DATA_PARAM


def check_study_fits(name: str, task: Task) -> None:
    """ValueError unless study `name` fits a model of `task`."""
    fits = STUDY_TASKS.get(name, _TABLE_TASKS)
    if task not in fits:
        raise ValueError(
            f"study '{name}' fits a {either(t.name for t in fits)} model, not a {task.name} one"
        )
