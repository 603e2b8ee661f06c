"""IO managers: how asset values are stored between steps and across runs.

Each is a Dagster `UPathIOManager`, so the same class serves a local directory or any fsspec
URL (`base_path` may be `memory://…`, `s3://…`, a shared path). Every write goes through
`algorithms.atomic_files`: to a temporary sibling with a name unique to the writing process,
then renamed into place, so a failed step never leaves a half-written artifact, the previous
materialization stays readable, and concurrent runs never race on a temporary name. Each is a
`SummaryWriter`: after storing `<p>/evaluation` or `<p>/rejected` it writes that asset's
summary record, which `trainyard list` and `show` read (`pipelines.summaries`).

- `ParquetIOManager`: Polars frames as `<base>/<pipeline>/<asset>.parquet`, a partition (a
  landing batch) as `<base>/<pipeline>/<asset>/<batch>.parquet`.
- `FeaturesIOManager`: the normalized frame plus its fitted `FeatureTransform`, in one
  parquet file whose key-value metadata carries the transform as JSON.
- `BundleIOManager`: a `Bundle` (model or agent) as a directory of JSON + `.npz`, never pickle.
- `ChampionIOManager`: a promotion as the next champion version with its record, kept in the
  champion history (`pipelines.champions`); loads the current champion and its record.
- `JsonIOManager`: any value with `to_dict()` and a `from_dict()` classmethod (its codec) as
  sorted, indented JSON — evaluations, environments, tuning results, a streamed source's
  description and a streamed pipeline's features plan.
- `PartsIOManager`: a streamed table as `<base>/<pipeline>/<asset>/part-*.parquet`: the step
  writes its parts to a staging folder (`staging_folder`), which is moved into place whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
import polars as pl
from upath import UPath

from algorithms.atomic_files import (
    atomic_directory,
    atomic_file,
    atomic_write,
    local_path,
    remove_tree,
    temporary_sibling,
)
from algorithms.gridworld import GridWorld
from assets.summaries import SummaryWriter
from pipelines.bundle import AgentBundle, Bundle, ModelBundle
from pipelines.champions import Champion, Promotion, load_champion, promote
from pipelines.drift import DriftProfile
from pipelines.evaluation_result import Evaluation
from pipelines.features import FeatureTransform, PreparedFeatures
from pipelines.scoring import NoChampionError
from pipelines.streaming.batches import StoredParts
from pipelines.streaming.features import StreamedFeatures
from pipelines.streaming.source import StreamSource
from pipelines.tuning import TuningResult

_TRANSFORM_KEY = "trainyard.feature_transform"
_REFERENCE_KEY = "trainyard.drift_reference"


class DictCodec(Protocol):
    """A stored type: `to_dict()` gives JSON-able plain types, `from_dict` inverts it."""

    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any: ...


class JsonIOManager(SummaryWriter):
    """Stores values of `codec` as `to_dict()` JSON with sorted keys (byte-identical when
    equal) and loads them with `codec.from_dict`."""

    extension = ".json"

    def __init__(self, base_path: UPath, codec: type[DictCodec]):
        super().__init__(base_path=base_path)
        self.codec = codec

    def dump_to_path(self, context: dg.OutputContext, obj: DictCodec, path: UPath) -> None:
        text = json.dumps(obj.to_dict(), sort_keys=True, indent=2) + "\n"
        atomic_write(path, text.encode("utf-8"))

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        return self.codec.from_dict(json.loads(path.read_text()))


class ParquetIOManager(SummaryWriter):
    """Stores `pl.DataFrame` values as parquet; loads them eagerly. An unpartitioned step that
    reads a partitioned asset gets partition key → frame, however many partitions there are."""

    extension = ".parquet"

    def load_partitions(self, context: dg.InputContext) -> Any:
        loaded = super().load_partitions(context)
        if context.has_partition_key or len(context.asset_partition_keys) != 1:
            return loaded
        # Dagster hands over one partition as the bare value (None if missing); a reader of every
        # landing batch (`<p>/normalized`) wants the mapping even when one batch exists.
        return {} if loaded is None else {context.asset_partition_keys[0]: loaded}

    def dump_to_path(self, context: dg.OutputContext, obj: pl.DataFrame, path: UPath) -> None:
        with atomic_file(path) as handle:
            obj.write_parquet(handle)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pl.DataFrame:
        with path.open("rb") as handle:
            return pl.read_parquet(handle)


class FeaturesIOManager(SummaryWriter):
    """Stores `PreparedFeatures` as one parquet file with the transform and the drift reference
    in its metadata."""

    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: PreparedFeatures, path: UPath) -> None:
        metadata = {_TRANSFORM_KEY: json.dumps(obj.transform.to_dict(), sort_keys=True)}
        if obj.reference is not None:
            metadata[_REFERENCE_KEY] = json.dumps(obj.reference.to_dict(), sort_keys=True)
        with atomic_file(path) as handle:
            obj.frame.write_parquet(handle, metadata=metadata)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> PreparedFeatures:
        with path.open("rb") as handle:
            metadata = pl.read_parquet_metadata(handle)
        with path.open("rb") as handle:
            frame = pl.read_parquet(handle)
        transform = FeatureTransform.from_dict(json.loads(metadata[_TRANSFORM_KEY]))
        reference = metadata.get(_REFERENCE_KEY)
        if reference is not None:
            reference = DriftProfile.from_dict(json.loads(reference))
        return PreparedFeatures(frame=frame, transform=transform, reference=reference)


class BundleIOManager(SummaryWriter):
    """Stores a `Bundle` of kind `bundle_class` as a directory (JSON + `.npz`)."""

    extension = ""

    def __init__(self, base_path: UPath, bundle_class: type[Bundle]):
        super().__init__(base_path=base_path)
        self.bundle_class = bundle_class

    def dump_to_path(self, context: dg.OutputContext, obj: Bundle, path: UPath) -> None:
        obj.save(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Bundle:
        return self.bundle_class.load(path)


class ChampionIOManager(SummaryWriter):
    """Stores a `Promotion` as the next champion version (history first, then the current
    champion at `<base>/<pipeline>/champion`) and records its version on the materialization."""

    extension = ""

    def dump_to_path(self, context: dg.OutputContext, obj: Promotion, path: UPath) -> None:
        record = promote(path.parent, obj)
        context.add_output_metadata(
            {
                "version": record.version,
                "reason": record.reason,
                "champion_since": record.since,
                "bundle_hash": record.bundle_hash,
            }
        )

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Champion:
        champion = load_champion(path.parent)
        if champion is None:
            pipeline = path.parent.name
            raise NoChampionError(
                f"pipeline '{pipeline}' has no champion yet; run `trainyard run {pipeline}` first"
            )
        return champion


class PartsIOManager(SummaryWriter):
    """Stores `StoredParts` (a staging folder of parquet parts) as the asset's folder, moved
    into place whole (the previous parts stay until the new ones are complete); loads that
    folder's parts. Local disks only: a streamed table is read back part by part by path."""

    extension = ""

    def dump_to_path(self, context: dg.OutputContext, obj: StoredParts, path: UPath) -> None:
        with atomic_directory(path) as folder:
            for part in obj.paths():
                os.replace(part, local_path(folder) / part.name)
        remove_tree(obj.directory)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> StoredParts:
        return StoredParts(_local_folder(path))


def staging_folder(artifacts: UPath, pipeline: str, asset: str) -> Path:
    """A new empty folder where a streamed step writes its parts before `PartsIOManager`
    moves them into place; named like a temporary, so a killed run's is cleaned up."""
    folder = temporary_sibling(_local_folder(artifacts) / f"{pipeline}-{asset}")
    folder.mkdir(parents=True)
    return folder


def _local_folder(path: UPath) -> Path:
    local = local_path(path)
    if local is None:
        raise ValueError(
            f"a streamed table is stored as parquet parts on a local disk; the artifacts "
            f"root {path} is not local (set TRAINYARD_ARTIFACTS to a local folder)"
        )
    return local


def io_managers(base_dir: str | Path | UPath) -> dict[str, dg.IOManager]:
    """The IO managers the asset factory refers to, all rooted at `base_dir` (a path or URL)."""
    base = UPath(base_dir)
    return {
        "parquet_io": ParquetIOManager(base_path=base),
        "features_io": FeaturesIOManager(base_path=base),
        "model_io": BundleIOManager(base, ModelBundle),
        "agent_io": BundleIOManager(base, AgentBundle),
        "champion_io": ChampionIOManager(base_path=base),
        "evaluation_io": JsonIOManager(base, Evaluation),
        "environment_io": JsonIOManager(base, GridWorld),
        "tuning_io": JsonIOManager(base, TuningResult),
        "stream_source_io": JsonIOManager(base, StreamSource),
        "stream_features_io": JsonIOManager(base, StreamedFeatures),
        "parts_io": PartsIOManager(base_path=base),
    }
