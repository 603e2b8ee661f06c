"""Data drift: how far a new batch's features have moved from the rows a model was trained on.

A `DriftProfile` summarises the training rows once (it travels with the model): per numeric
feature the reference deciles as bin edges, the share of rows in each bin and the 101
percentiles; per categorical feature the share of each category. `compare` scores a batch
against it, per feature:

- population stability index, PSI = Σ_bins (b − r) · ln(b / r), where r and b are the
  reference's and the batch's shares of rows in each bin (or category); a share of 0 counts as
  `FLOOR` so an empty bin gives a large, finite term;
- the Kolmogorov–Smirnov statistic D = sup_x |F_ref(x) − F_batch(x)|, with F_ref interpolated
  linearly between the reference percentiles, so D is within 0.01 of the two-sample statistic
  against the full training rows (numeric features only);
- a status: `drifted` when PSI ≥ fail_psi, `shifted` when PSI ≥ warn_psi, else `stable`.

Nulls are left out of a numeric feature's shares and counted as the category "(null)" of a
categorical one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FLOOR = 1e-4
PERCENTILES = np.linspace(0.0, 1.0, 101)
DECILES = np.linspace(0.1, 0.9, 9)
NULL = "(null)"
STATUSES = ("stable", "shifted", "drifted")


def psi(reference: np.ndarray, batch: np.ndarray) -> float:
    """Population stability index of two share vectors over the same bins (zeros floored)."""
    r = np.maximum(np.asarray(reference, dtype=float), FLOOR)
    b = np.maximum(np.asarray(batch, dtype=float), FLOOR)
    return float(np.sum((b - r) * np.log(b / r)))


def ks_statistic(reference: np.ndarray, batch: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs."""
    reference, batch = np.sort(reference), np.sort(batch)
    points = np.concatenate([reference, batch])
    cdf_ref = np.searchsorted(reference, points, side="right") / reference.size
    cdf_batch = np.searchsorted(batch, points, side="right") / batch.size
    return float(np.max(np.abs(cdf_ref - cdf_batch)))


def ks_from_percentiles(percentiles: np.ndarray, batch: np.ndarray) -> float:
    """KS statistic of `batch` against a reference known by its percentiles at `PERCENTILES`:
    the reference CDF is linear between them (0 below the minimum, 1 above the maximum)."""
    batch = np.sort(batch)
    below = np.arange(batch.size) / batch.size
    at_or_below = np.arange(1, batch.size + 1) / batch.size
    reference = _reference_cdf(percentiles, batch)
    gap = max(np.max(np.abs(at_or_below - reference)), np.max(np.abs(below - reference)))
    # The batch CDF is flat between its points: check it at the reference's percentiles too.
    inner = np.searchsorted(batch, percentiles, side="right") / batch.size
    return float(max(gap, np.max(np.abs(inner - PERCENTILES))))


def _reference_cdf(percentiles: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The reference CDF at `x`, linear between distinct percentiles (ties take the top)."""
    values, last = np.unique(percentiles[::-1], return_index=True)
    probs = PERCENTILES[::-1][last]
    return np.interp(x, values, probs, left=0.0, right=1.0)


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of `values` in each bin (−∞, e1], (e1, e2], …, (e_k, ∞)."""
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=edges.size + 1)
    return counts / max(values.size, 1)


@dataclass(frozen=True)
class NumericProfile:
    """A numeric feature of the reference rows: decile edges, bin shares, 101 percentiles."""

    edges: tuple[float, ...]
    shares: tuple[float, ...]
    percentiles: tuple[float, ...]


@dataclass(frozen=True)
class CategoricalProfile:
    """A categorical feature of the reference rows: the share of each category."""

    shares: dict[str, float]


@dataclass(frozen=True)
class DriftProfile:
    """What drift is measured against: one profile per feature of the training rows."""

    n_rows: int
    features: dict[str, NumericProfile | CategoricalProfile]

    @classmethod
    def of(cls, frame: pl.DataFrame, columns: Sequence[str]) -> DriftProfile:
        """The profile of `columns` of `frame` (numeric dtypes binned, the rest as categories)."""
        return cls(frame.height, {name: _profile(frame[name]) for name in columns})

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (`from_dict` reads it back)."""
        return {
            "n_rows": self.n_rows,
            "features": {
                name: {"kind": _kind(p), **_fields(p)} for name, p in self.features.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriftProfile:
        """Inverse of `to_dict`."""
        features = {}
        for name, fields in data["features"].items():
            if fields["kind"] == "numeric":
                features[name] = NumericProfile(
                    tuple(fields["edges"]), tuple(fields["shares"]), tuple(fields["percentiles"])
                )
            else:
                features[name] = CategoricalProfile(dict(fields["shares"]))
        return cls(int(data["n_rows"]), features)


@dataclass(frozen=True)
class DriftThresholds:
    """PSI levels: at `warn_psi` a feature has shifted, at `fail_psi` it has drifted."""

    warn_psi: float = 0.1
    fail_psi: float = 0.25


@dataclass(frozen=True)
class DriftReport:
    """One row per feature (feature, kind, psi, ks, status) and the shares behind each PSI."""

    table: pl.DataFrame
    shares: dict[str, tuple[list[str], np.ndarray, np.ndarray]]
    n_rows: int
    n_reference: int

    @property
    def status(self) -> str:
        """The worst status of any feature."""
        return max(self.table["status"], key=STATUSES.index, default="stable")

    def moved(self) -> list[str]:
        """Features that shifted or drifted, worst PSI first."""
        rows = self.table.filter(pl.col("status") != "stable").sort("psi", descending=True)
        return rows["feature"].to_list()

    def summary(self) -> str:
        """One line: how many features moved, and the worst one."""
        moved = self.moved()
        if not moved:
            return f"no drift: all {self.table.height} features stable (PSI below the warn level)"
        worst = self.table.filter(pl.col("feature") == moved[0]).row(0, named=True)
        return (
            f"{len(moved)} of {self.table.height} features moved ({', '.join(moved)}); "
            f"worst {worst['feature']}: PSI {worst['psi']:.3f}, {worst['status']}"
        )


def compare(
    profile: DriftProfile, batch: pl.DataFrame, thresholds: DriftThresholds = DriftThresholds()
) -> DriftReport:
    """Score `batch` against `profile`, feature by feature (see the module docstring)."""
    missing = [name for name in profile.features if name not in batch.columns]
    if missing:
        raise ValueError(f"drift: the batch has no column(s) {', '.join(missing)}")
    rows, shares = [], {}
    for name, feature in profile.features.items():
        labels, ref, new, ks = _scored(feature, batch[name])
        value = psi(ref, new)
        status = (
            "drifted"
            if value >= thresholds.fail_psi
            else "shifted"
            if value >= thresholds.warn_psi
            else "stable"
        )
        kind = _kind(feature)
        rows.append({"feature": name, "kind": kind, "psi": value, "ks": ks, "status": status})
        shares[name] = (labels, ref, new)
    schema = {
        "feature": pl.String,
        "kind": pl.String,
        "psi": pl.Float64,
        "ks": pl.Float64,
        "status": pl.String,
    }
    return DriftReport(pl.DataFrame(rows, schema=schema), shares, batch.height, profile.n_rows)


def moved_shares(report: DriftReport, limit: int = 4) -> dict[str, dict[str, Any]]:
    """The bins and shares of the most moved features (worst PSI first), JSON-able: what
    `shares_figure` draws."""
    shares = {}
    for name in report.moved()[:limit]:
        labels, ref, new = report.shares[name]
        shares[name] = {"bins": labels, "reference": ref.tolist(), "batch": new.tolist()}
    return shares


def shares_figure(shares: dict[str, dict[str, Any]], batch_name: str) -> Figure:
    """Each feature's shares of rows per bin (or category), batch beside reference."""
    from pipelines.sections import new_figure  # matplotlib only when a figure is drawn

    figure = new_figure(3.4 * len(shares), 3.2)
    for k, (name, feature) in enumerate(shares.items()):
        ref, new = np.asarray(feature["reference"]), np.asarray(feature["batch"])
        ax = figure.add_subplot(1, len(shares), k + 1)
        positions = np.arange(len(feature["bins"]))
        ax.bar(positions - 0.2, ref, 0.4, label="reference (training rows)")
        ax.bar(positions + 0.2, new, 0.4, label=batch_name)
        ax.set_xticks(positions, feature["bins"], rotation=60, fontsize="x-small", ha="right")
        ax.set(title=f"{name} (PSI {psi(ref, new):.2f})", ylabel="share of rows")
        if k == 0:
            ax.legend(fontsize="x-small")
    return figure


def _profile(series: pl.Series) -> NumericProfile | CategoricalProfile:
    if series.dtype.is_numeric():
        values = _numbers(series)
        if values.size == 0:
            raise ValueError(f"drift: feature '{series.name}' has no values to profile")
        edges = np.unique(np.quantile(values, DECILES))
        return NumericProfile(
            tuple(edges.tolist()),
            tuple(bin_shares(values, edges).tolist()),
            tuple(np.quantile(values, PERCENTILES).tolist()),
        )
    return CategoricalProfile(_category_shares(series))


def _scored(feature, series: pl.Series) -> tuple[list[str], np.ndarray, np.ndarray, float | None]:
    """(bin labels, reference shares, batch shares, KS statistic or None) of one feature."""
    if isinstance(feature, NumericProfile):
        edges = np.asarray(feature.edges)
        values = _numbers(series)
        ks = ks_from_percentiles(np.asarray(feature.percentiles), values) if values.size else None
        return _bin_labels(edges), np.asarray(feature.shares), bin_shares(values, edges), ks
    batch = _category_shares(series)
    labels = sorted(set(feature.shares) | set(batch))
    ref = np.array([feature.shares.get(label, 0.0) for label in labels])
    return labels, ref, np.array([batch.get(label, 0.0) for label in labels]), None


def _numbers(series: pl.Series) -> np.ndarray:
    values = series.drop_nulls().cast(pl.Float64).to_numpy()
    return values[np.isfinite(values)]


def _category_shares(series: pl.Series) -> dict[str, float]:
    counts = series.cast(pl.String).fill_null(NULL).value_counts()
    total = max(series.len(), 1)
    return {str(value): count / total for value, count in counts.iter_rows()}


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = ["-inf", *(f"{e:.3g}" for e in edges), "inf"]
    return [f"({low}, {high}]" for low, high in zip(bounds[:-1], bounds[1:], strict=True)]


def _kind(feature) -> str:
    return "numeric" if isinstance(feature, NumericProfile) else "categorical"


def _fields(feature) -> dict[str, Any]:
    if isinstance(feature, NumericProfile):
        return {
            "edges": list(feature.edges),
            "shares": list(feature.shares),
            "percentiles": list(feature.percentiles),
        }
    return {"shares": dict(sorted(feature.shares.items()))}
