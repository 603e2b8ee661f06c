"""Trained bundles: a fitted estimator with what it was trained on, one format for every kind.

On disk a bundle is one directory: `bundle.json` (its `kind`, `format_version`, pipeline,
algorithm, spec hash, parameters and the kind's own fields, sorted keys) beside the
estimator's `estimator.json` + `estimator.npz` (`algorithms.persistence`). No pickle: loading
runs no code from the files. Saving replaces the directory whole (`algorithms.atomic_files`),
so a reader never sees a mix; the directory may be a local path or any fsspec URL (`UPath`).
A missing, damaged or tampered bundle raises `DamagedModelError` naming the file and field.

Kinds: `ModelBundle` (table pipelines: the fitted feature transform, feature names, target)
and `AgentBundle` (environment pipelines: the environment the agent was trained on). A new
kind is a subclass with `kind=` and its own fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from upath import UPath

from algorithms.atomic_files import atomic_directory
from algorithms.persistence import (
    NPZ_NAME,
    DamagedModelError,
    load_estimator,
    read_json_object,
    save_estimator,
)
from pipelines.drift import DriftProfile
from pipelines.features import FeatureTransform

if TYPE_CHECKING:
    from algorithms.gridworld import GridWorld

BUNDLE_FILE = "bundle.json"
REFERENCE_FILE = "reference.json"
# 2: one format for every kind, named by `kind` (1 kept an agent's manifest in agent.json).
FORMAT_VERSION = 2
_SHARED = ("pipeline", "algorithm", "spec_hash", "params")


def as_path(directory: str | Path | UPath) -> Path | UPath:
    """A path object for a local path or an fsspec URL given as a string."""
    return UPath(directory) if isinstance(directory, str) else directory


@dataclass
class Bundle:
    """A fitted estimator, the pipeline and spec (hash) it came from and its parameters."""

    pipeline: str
    algorithm: str
    estimator: Any
    spec_hash: str
    params: dict[str, Any]

    kind: ClassVar[str]
    _kinds: ClassVar[dict[str, type[Bundle]]] = {}

    def __init_subclass__(cls, kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = kind
        Bundle._kinds[kind] = cls

    def kind_fields(self) -> dict[str, Any]:
        """The kind's own fields as JSON-able values (`from_kind_fields` inverts it)."""
        raise NotImplementedError

    @classmethod
    def from_kind_fields(cls, manifest: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments of the kind's own fields, read from a manifest."""
        raise NotImplementedError

    def mismatch(self) -> tuple[str, str] | None:
        """(field, why) when the estimator does not fit the kind's own fields, else None."""
        return None

    @classmethod
    def load_extra(cls, directory: Path | UPath) -> dict[str, Any]:
        """Constructor arguments read from the kind's own files (none by default)."""
        return {}

    def save(self, directory: str | Path | UPath) -> None:
        """Write the bundle into `directory`, replacing it whole; a failed save changes nothing."""
        manifest = {
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            **{name: getattr(self, name) for name in _SHARED},
            **self.kind_fields(),
        }
        text = json.dumps(manifest, sort_keys=True, indent=2, allow_nan=False) + "\n"
        with atomic_directory(as_path(directory)) as tmp:
            (tmp / BUNDLE_FILE).write_text(text)
            save_estimator(self.estimator, tmp)
            self.save_extra(tmp)

    def save_extra(self, directory: Path | UPath) -> None:
        """Write the kind's own files beside the manifest (none by default)."""

    @classmethod
    def load(cls, directory: str | Path | UPath) -> Bundle:
        """The bundle `save` wrote (of `cls`'s kind, or any kind when called on `Bundle`);
        DamagedModelError naming the file and field when it is missing or damaged."""
        directory = as_path(directory)
        path = directory / BUNDLE_FILE
        manifest = read_manifest(path)
        kind = manifest.get("kind")
        bundle_class = Bundle._kinds.get(kind)
        if bundle_class is None or not issubclass(bundle_class, cls):
            expected = sorted(Bundle._kinds) if cls is Bundle else cls.kind
            raise DamagedModelError(f"kind {kind!r}, expected {expected}.", field="kind", file=path)
        try:
            fields = {name: manifest[name] for name in _SHARED}
            fields |= bundle_class.from_kind_fields(manifest)
        except KeyError as exc:
            raise DamagedModelError("the field is missing.", field=exc.args[0], file=path) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise DamagedModelError(f"unreadable ({exc}).", file=path) from None
        fields |= bundle_class.load_extra(directory)
        bundle = bundle_class(estimator=load_estimator(directory), **fields)
        problem = bundle.mismatch()
        if problem is not None:
            raise DamagedModelError(problem[1], field=problem[0], file=directory / NPZ_NAME)
        return bundle


def bundle_problem(directory: str | Path | UPath) -> str | None:
    """Why the bundle in `directory` cannot be loaded (file, field, reason), or None."""
    try:
        Bundle.load(directory)
    except DamagedModelError as exc:
        return exc.detail
    return None


def read_manifest(path: Path | UPath) -> dict[str, Any]:
    """The JSON object of a bundle's manifest; DamagedModelError naming the file when it is
    missing, not a JSON object, or of another `format_version`."""
    manifest = read_json_object(path)
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise DamagedModelError(
            f"{version!r}, this code reads {FORMAT_VERSION}; rerun the pipeline to rewrite it.",
            field="format_version",
            file=path,
        )
    return manifest


@dataclass
class ModelBundle(Bundle, kind="model"):
    """A fitted estimator with the transform that scales raw rows into its feature space, and
    the drift profile of the rows it was trained on (`reference.json`; None in bundles saved
    before profiles existed)."""

    transform: FeatureTransform
    feature_names: tuple[str, ...]
    target: str
    reference: DriftProfile | None = None

    def predict(self, raw_df: pl.DataFrame) -> np.ndarray:
        """estimator.predict(transform(raw_df)): the training-time scaling reused on new rows."""
        return self.estimator.predict(self.transform.to_array(raw_df))

    def kind_fields(self) -> dict[str, Any]:
        """The transform, feature names and target."""
        return {
            "transform": self.transform.to_dict(),
            "feature_names": list(self.feature_names),
            "target": self.target,
        }

    @classmethod
    def from_kind_fields(cls, manifest: dict[str, Any]) -> dict[str, Any]:
        """The transform, feature names and target of a manifest."""
        return {
            "transform": FeatureTransform.from_dict(manifest["transform"]),
            "feature_names": tuple(manifest["feature_names"]),
            "target": manifest["target"],
        }

    def save_extra(self, directory: Path | UPath) -> None:
        """The drift profile as `reference.json`, when there is one."""
        if self.reference is not None:
            text = json.dumps(self.reference.to_dict(), sort_keys=True, allow_nan=False)
            (directory / REFERENCE_FILE).write_text(text + "\n")

    @classmethod
    def load_extra(cls, directory: Path | UPath) -> dict[str, Any]:
        """The drift profile of `reference.json`, if the bundle has one."""
        path = directory / REFERENCE_FILE
        if not path.exists():
            return {"reference": None}
        try:
            return {"reference": DriftProfile.from_dict(read_json_object(path))}
        except (KeyError, TypeError, ValueError) as exc:
            raise DamagedModelError(f"unreadable drift profile ({exc}).", file=path) from None


@dataclass
class AgentBundle(Bundle, kind="agent"):
    """A trained agent with the environment it was trained on (its definition as JSON)."""

    environment: dict[str, Any]

    @property
    def agent(self) -> Any:
        """The trained agent (the bundle's estimator)."""
        return self.estimator

    def kind_fields(self) -> dict[str, Any]:
        """The environment's definition."""
        return {"environment": self.environment}

    @classmethod
    def from_kind_fields(cls, manifest: dict[str, Any]) -> dict[str, Any]:
        """The environment's definition of a manifest."""
        return {"environment": manifest["environment"]}

    def mismatch(self) -> tuple[str, str] | None:
        """The Q-table's shape against the environment's states × actions."""
        world = self.world()
        table = getattr(self.estimator, "q_table_", None)
        expected = (world.n_states, world.n_actions)
        if table is not None and table.shape != expected:
            return "q_table_", f"shape {table.shape}, the environment has {expected}"
        return None

    def world(self, random_state: Any = None, slip: float | None = None) -> GridWorld:
        """A fresh copy of the training environment (optionally with another slip)."""
        from algorithms.gridworld import GridWorld

        settings = self.environment | ({} if slip is None else {"slip": slip})
        return GridWorld.from_dict(settings, random_state=random_state)
