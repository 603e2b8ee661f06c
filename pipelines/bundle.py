"""A trained model bundle: estimator + fitted feature transform + what it was trained on.

On disk a bundle is one directory: `bundle.json` (everything but the estimator, sorted keys)
beside the estimator's `estimator.json` + `estimator.npz`. No pickle: loading runs no code
from the files. Saving replaces the directory as a whole, so a reader never sees a mix.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from algorithms.persistence import load_estimator, save_estimator
from pipelines.features import FeatureTransform

BUNDLE_FILE = "bundle.json"
FORMAT_VERSION = 1


@dataclass
class ModelBundle:
    """A fitted estimator with the transform that scales raw rows into its feature space."""

    pipeline: str
    algorithm: str
    estimator: Any
    transform: FeatureTransform
    feature_names: tuple[str, ...]
    target: str
    spec_hash: str
    params: dict[str, Any]

    def predict(self, raw_df: pl.DataFrame) -> np.ndarray:
        """estimator.predict(transform(raw_df)): the training-time scaling reused on new rows."""
        return self.estimator.predict(self.transform.to_array(raw_df))

    def save(self, directory: str | Path) -> None:
        """Write the bundle into `directory`, replacing it whole; a failed save changes nothing."""
        manifest = {
            "format_version": FORMAT_VERSION,
            "pipeline": self.pipeline,
            "algorithm": self.algorithm,
            "transform": self.transform.to_dict(),
            "feature_names": list(self.feature_names),
            "target": self.target,
            "spec_hash": self.spec_hash,
            "params": self.params,
        }
        save_with_manifest(directory, BUNDLE_FILE, manifest, self.estimator)

    @classmethod
    def load(cls, directory: str | Path) -> ModelBundle:
        """Read a bundle written by `save`; ValueError naming the file when it is not one."""
        manifest = read_manifest(directory, BUNDLE_FILE, FORMAT_VERSION, "model bundle")
        return cls(
            pipeline=manifest["pipeline"],
            algorithm=manifest["algorithm"],
            estimator=load_estimator(Path(directory)),
            transform=FeatureTransform.from_dict(manifest["transform"]),
            feature_names=tuple(manifest["feature_names"]),
            target=manifest["target"],
            spec_hash=manifest["spec_hash"],
            params=manifest["params"],
        )


def save_with_manifest(
    directory: str | Path, manifest_file: str, manifest: dict[str, Any], estimator: Any
) -> None:
    """Write `manifest` as JSON (sorted keys) beside the estimator's JSON + `.npz` files into
    `directory`, replacing it whole; a failed save changes nothing."""
    text = json.dumps(manifest, sort_keys=True, indent=2, allow_nan=False) + "\n"
    with atomic_directory(directory) as tmp:
        (tmp / manifest_file).write_text(text)
        save_estimator(estimator, tmp)


def read_manifest(
    directory: str | Path, manifest_file: str, format_version: int, what: str
) -> dict[str, Any]:
    """The manifest `save_with_manifest` wrote; ValueError naming the file when it is missing,
    corrupt, or of another `format_version`."""
    path = Path(directory) / manifest_file
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"no {what} at {directory}: {path} is missing") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"corrupt {what} manifest {path}: {exc}") from None
    version = manifest.get("format_version")
    if version != format_version:
        raise ValueError(
            f"{path}: {what} format_version {version!r}, this code reads {format_version}"
        )
    return manifest


@contextmanager
def atomic_directory(directory: str | Path) -> Iterator[Path]:
    """Yield an empty temporary sibling of `directory`; on success it replaces `directory` whole.

    On an exception the temporary directory is removed and `directory` is left as it was.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=directory.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        _swap_in(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(new: Path, directory: Path) -> None:
    """Rename `new` to `directory`; an existing `directory` is moved aside first, then deleted."""
    if not directory.exists():
        os.rename(new, directory)
        return
    old = new.with_suffix(".old")
    os.rename(directory, old)
    try:
        os.rename(new, directory)
    except OSError:
        os.rename(old, directory)
        raise
    shutil.rmtree(old)
