import numpy as np
import pytest

from pipelines.streaming.moments import Moments


def test_merged_batches_equal_numpy_on_the_concatenation():
    rng = np.random.default_rng(0)
    batches = [rng.normal(5.0, 3.0, (n, 3)) for n in (1, 17, 400, 0, 93)]
    merged = Moments.empty(3)
    for batch in batches:
        merged = merged.update(batch)
    whole = np.concatenate(batches)
    assert merged.n == len(whole)
    np.testing.assert_allclose(merged.mean, whole.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(merged.std, whole.std(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(merged.low, whole.min(axis=0))
    np.testing.assert_array_equal(merged.high, whole.max(axis=0))


def test_the_merge_stays_accurate_far_from_zero():
    # Σx² − n·mean² loses every digit here (values 1e9 apart by 1e-3); the pairwise merge not.
    rng = np.random.default_rng(1)
    x = 1e9 + rng.random((10_000, 1)) * 1e-3
    merged = Moments.empty(1)
    for start in range(0, len(x), 1_000):
        merged = merged.update(x[start : start + 1_000])
    np.testing.assert_allclose(merged.std, x.std(axis=0), rtol=1e-5)
    naive = np.sqrt(abs((x**2).mean() - x.mean() ** 2))
    assert abs(naive - x.std()) > 100 * abs(merged.std[0] - x.std())


def test_std_of_no_rows_is_refused():
    with pytest.raises(ValueError, match="no rows seen"):
        _ = Moments.empty(2).std
    with pytest.raises(ValueError, match="2-D batch"):
        Moments.of(np.zeros(3))
