"""IO managers: how asset values are stored between steps and across runs.

Each is a `UPathIOManager`, so the same class serves a local directory or an object store
(`base_dir` may be any fsspec URL). Writes go to a temporary sibling first and are then
moved into place, so a failed step never leaves a half-written artifact and the previous
materialization stays readable.

- `ParquetIOManager`: Polars frames as `<base>/<pipeline>/<asset>.parquet`.
- `FeaturesIOManager`: the normalized frame plus its fitted `FeatureTransform`, in one
  parquet file whose key-value metadata carries the transform as JSON.
- `ModelIOManager`: a `ModelBundle` as a directory of JSON + `.npz` (never pickle).
- `EvaluationIOManager`: the evaluation summary (of every pipeline kind) as JSON.
- `EnvironmentIOManager`: a reinforcement pipeline's `GridWorld` as its JSON definition.
- `AgentIOManager`: an `AgentBundle` (trained agent + manifest) as a directory of JSON + `.npz`.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
from upath import UPath

from algorithms.reinforcement import GridWorld
from pipelines.bundle import ModelBundle
from pipelines.evaluation import Evaluation
from pipelines.features import FeatureTransform, PreparedFeatures
from pipelines.kinds.environment import AgentBundle

_TRANSFORM_KEY = "trainyard.feature_transform"


def _temporary(path: UPath) -> UPath:
    return path.with_name(f".{path.name}.tmp")


class ParquetIOManager(dg.UPathIOManager):
    """Stores `pl.DataFrame` values as parquet; loads them eagerly."""

    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pl.DataFrame, path: UPath) -> None:
        tmp = _temporary(path)
        with tmp.open("wb") as handle:
            obj.write_parquet(handle)
        tmp.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pl.DataFrame:
        with path.open("rb") as handle:
            return pl.read_parquet(handle)


class FeaturesIOManager(dg.UPathIOManager):
    """Stores `PreparedFeatures` as one parquet file with the transform in its metadata."""

    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: PreparedFeatures, path: UPath) -> None:
        tmp = _temporary(path)
        transform = json.dumps(obj.transform.to_dict(), sort_keys=True)
        with tmp.open("wb") as handle:
            obj.frame.write_parquet(handle, metadata={_TRANSFORM_KEY: transform})
        tmp.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> PreparedFeatures:
        with path.open("rb") as handle:
            metadata = pl.read_parquet_metadata(handle)
        with path.open("rb") as handle:
            frame = pl.read_parquet(handle)
        transform = FeatureTransform.from_dict(json.loads(metadata[_TRANSFORM_KEY]))
        return PreparedFeatures(frame=frame, transform=transform)


class ModelIOManager(dg.UPathIOManager):
    """Stores a `ModelBundle` as a directory (JSON + `.npz`); local paths only."""

    extension = ""

    def dump_to_path(self, context: dg.OutputContext, obj: ModelBundle, path: UPath) -> None:
        obj.save(Path(path.path))

    def load_from_path(self, context: dg.InputContext, path: UPath) -> ModelBundle:
        return ModelBundle.load(Path(path.path))


class EvaluationIOManager(dg.UPathIOManager):
    """Stores an `Evaluation` summary as JSON with sorted keys (byte-identical when equal)."""

    extension = ".json"

    def dump_to_path(self, context: dg.OutputContext, obj: Evaluation, path: UPath) -> None:
        tmp = _temporary(path)
        tmp.write_text(json.dumps(obj.to_dict(), sort_keys=True, indent=2) + "\n")
        tmp.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Evaluation:
        return Evaluation.from_dict(json.loads(path.read_text()))


def _write_json(path: UPath, data: dict) -> None:
    """`data` as sorted, indented JSON, written to a temporary sibling and moved into place."""
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n")
    tmp.rename(path)


class EnvironmentIOManager(dg.UPathIOManager):
    """Stores a `GridWorld` as the JSON of its definition (`to_dict`); loads it unseeded."""

    extension = ".json"

    def dump_to_path(self, context: dg.OutputContext, obj: GridWorld, path: UPath) -> None:
        _write_json(path, obj.to_dict())

    def load_from_path(self, context: dg.InputContext, path: UPath) -> GridWorld:
        return GridWorld.from_dict(json.loads(path.read_text()))


class AgentIOManager(dg.UPathIOManager):
    """Stores an `AgentBundle` as a directory (JSON + `.npz`); local paths only."""

    extension = ""

    def dump_to_path(self, context: dg.OutputContext, obj: AgentBundle, path: UPath) -> None:
        obj.save(Path(path.path))

    def load_from_path(self, context: dg.InputContext, path: UPath) -> AgentBundle:
        return AgentBundle.load(Path(path.path))


def io_managers(base_dir: str | Path) -> dict[str, dg.IOManager]:
    """The IO managers the asset factory refers to, all rooted at `base_dir`."""
    base = UPath(base_dir)
    return {
        "parquet_io": ParquetIOManager(base_path=base),
        "features_io": FeaturesIOManager(base_path=base),
        "model_io": ModelIOManager(base_path=base),
        "evaluation_io": EvaluationIOManager(base_path=base),
        "environment_io": EnvironmentIOManager(base_path=base),
        "agent_io": AgentIOManager(base_path=base),
    }
