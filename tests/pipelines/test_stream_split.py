import numpy as np
import pytest

from pipelines.streaming.split import is_test, row_keys, splitmix64, unit_hash


def test_splitmix64_matches_the_reference_values():
    # The first outputs of the reference splitmix64 generator seeded with 0 hash 0, γ, 2γ, …
    gamma = 0x9E3779B97F4A7C15
    states = np.array([0, gamma, (2 * gamma) % 2**64], dtype=np.uint64)
    assert splitmix64(states).tolist() == [
        0xE220A8397B1DCDAF,
        0x6E789E6AA1B965F4,
        0x06C45D188009454F,
    ]


def test_the_split_is_the_same_however_the_rows_are_batched():
    whole = is_test(row_keys(0, 10_000), seed=42, test_fraction=0.2)
    batched = np.concatenate(
        [is_test(row_keys(start, 1_000), 42, 0.2) for start in range(0, 10_000, 1_000)]
    )
    np.testing.assert_array_equal(whole, batched)
    assert 0.18 < whole.mean() < 0.22


def test_the_seed_changes_the_split_and_the_same_seed_repeats_it():
    keys = row_keys(0, 5_000)
    assert (is_test(keys, 1, 0.3) == is_test(keys, 1, 0.3)).all()
    assert (is_test(keys, 1, 0.3) != is_test(keys, 2, 0.3)).sum() > 1_000


def test_unit_hash_is_uniform_and_refuses_non_integer_keys():
    u = unit_hash(row_keys(0, 100_000), 7)
    assert u.min() >= 0.0 and u.max() < 1.0
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    assert counts.min() > 9_500 and counts.max() < 10_500
    with pytest.raises(ValueError, match="split keys must be integers, got dtype float64"):
        unit_hash(np.array([0.5]), 7)
