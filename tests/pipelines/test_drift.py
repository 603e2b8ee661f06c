"""Drift of a batch against the training rows: PSI, KS, categories, statuses."""

import json
import math

import numpy as np
import polars as pl
import pytest
from scipy.stats import ks_2samp

from pipelines.drift import (
    DriftProfile,
    DriftThresholds,
    bin_shares,
    compare,
    ks_from_percentiles,
    ks_statistic,
    moved_shares,
    psi,
    shares_figure,
)


def test_psi_equals_the_hand_computed_example():
    # (0.1-0.25)ln(0.1/0.25) + (0.2-0.25)ln(0.2/0.25) + (0.3-0.25)ln(0.3/0.25) + (0.4-0.25)ln(1.6)
    expected = 0.15 * math.log(2.5) + 0.05 * math.log(1.25) + 0.05 * math.log(1.2)
    expected += 0.15 * math.log(1.6)
    assert psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.228218, abs=1e-6)
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_an_empty_bin_counts_as_the_floor_so_psi_stays_finite():
    value = psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2])
    assert value == pytest.approx(2 * 0.1 * math.log(1.25) + (0.2 - 1e-4) * math.log(0.2 / 1e-4))


def test_ks_statistic_equals_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=300), rng.normal(0.4, 1.2, size=170)
    assert ks_statistic(a, b) == pytest.approx(ks_2samp(a, b).statistic, abs=1e-12)


@pytest.mark.parametrize("shift", [0.0, 0.3, 1.5])
def test_ks_against_the_percentiles_is_within_a_hundredth_of_the_full_statistic(shift):
    rng = np.random.default_rng(5)
    reference, batch = rng.normal(size=5000), rng.normal(shift, 1.0, size=400)
    percentiles = np.quantile(reference, np.linspace(0, 1, 101))
    full = ks_statistic(reference, batch)
    assert abs(ks_from_percentiles(percentiles, batch) - full) <= 0.01


def test_bins_are_closed_on_the_right():
    assert bin_shares(np.array([1.0, 2.0, 2.5, 3.0]), np.array([2.0])).tolist() == [0.5, 0.5]


def _frame(rng, n, shift=0.0, share_b=0.3):
    return pl.DataFrame(
        {
            "score": rng.normal(50 + shift, 10, n),
            "kind": rng.choice(["a", "b"], n, p=[1 - share_b, share_b]),
        }
    )


def test_batches_from_the_same_distribution_stay_stable_and_a_shift_fires():
    rng = np.random.default_rng(0)
    profile = DriftProfile.of(_frame(rng, 2000), ["score", "kind"])
    for _ in range(5):
        report = compare(profile, _frame(rng, 500))
        assert report.status == "stable", report.table
    shifted = compare(profile, _frame(rng, 500, shift=8.0))
    row = shifted.table.filter(pl.col("feature") == "score").row(0, named=True)
    assert row["status"] == "drifted" and row["psi"] > 0.25 and row["ks"] > 0.25
    assert shifted.moved() == ["score"]
    assert shifted.summary().startswith("1 of 2 features moved (score); worst score: PSI")


def test_category_shares_and_an_unseen_category():
    rng = np.random.default_rng(1)
    profile = DriftProfile.of(_frame(rng, 1000), ["kind"])
    batch = pl.DataFrame({"kind": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    report = compare(profile, batch, DriftThresholds(warn_psi=0.1, fail_psi=5.0))
    labels, ref, new = report.shares["kind"]
    assert labels == ["a", "b", "c"] and ref[2] == 0.0 and new.tolist() == [0.5, 0.3, 0.2]
    assert report.table.row(0, named=True)["status"] == "shifted"
    assert report.table.row(0, named=True)["ks"] is None


def test_the_profile_survives_json():
    rng = np.random.default_rng(2)
    profile = DriftProfile.of(_frame(rng, 5000), ["score", "kind"])
    assert len(profile.features["score"].percentiles) == 101
    again = DriftProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again == profile


def test_a_missing_column_is_named():
    profile = DriftProfile.of(_frame(np.random.default_rng(0), 100), ["score", "kind"])
    with pytest.raises(ValueError, match="drift: the batch has no column.s. kind"):
        compare(profile, pl.DataFrame({"score": [1.0]}))


def test_the_figure_shows_only_moved_features():
    rng = np.random.default_rng(4)
    profile = DriftProfile.of(_frame(rng, 2000), ["score", "kind"])
    assert moved_shares(compare(profile, _frame(rng, 500))) == {}
    report = compare(profile, _frame(rng, 500, shift=10.0))
    shares = json.loads(json.dumps(moved_shares(report)))
    assert list(shares) == ["score"] and len(shares["score"]["bins"]) == 10
    assert sum(shares["score"]["reference"]) == pytest.approx(1.0)
    figure = shares_figure(shares, "week 4")
    [title] = [ax.get_title() for ax in figure.axes]
    psi_value = report.table.filter(pl.col("feature") == "score")["psi"][0]
    assert title == f"score (PSI {psi_value:.2f})"
