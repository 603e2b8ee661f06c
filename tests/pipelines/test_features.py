import json

import numpy as np
import polars as pl
import pytest

from pipelines.features import FeatureTransform, add_split, design_matrix, prepare
from pipelines.paths import DATA_DIR, SPECS_DIR
from pipelines.spec import SplitSpec, load_spec


@pytest.fixture
def seed_spec():
    return load_spec(SPECS_DIR / "viral_posts_seed.yaml")


@pytest.fixture
def seed_posts():
    return pl.read_csv(DATA_DIR / "viral_posts_seed.csv")


def _counts(df: pl.DataFrame, target: str) -> dict[tuple[str, int], int]:
    rows = df.group_by("split", target).len().rows()
    return {(part, label): n for part, label, n in rows}


def test_split_takes_round_fraction_of_rows_as_test():
    df = pl.DataFrame({"x": range(10), "y": [0, 1] * 5})
    out = add_split(df, "y", SplitSpec(test_fraction=0.25, seed=3))
    assert out.columns == ["x", "y", "split"]
    assert out["split"].value_counts(sort=True).rows() == [("train", 8), ("test", 2)]
    assert out["x"].to_list() == list(range(10))  # rows keep their order


def test_stratified_split_keeps_exact_class_counts():
    df = pl.DataFrame({"x": range(20), "y": [0] * 15 + [1] * 5})
    out = add_split(df, "y", SplitSpec(test_fraction=0.2, seed=0, stratify=True))
    assert _counts(out, "y") == {("train", 0): 12, ("test", 0): 3, ("train", 1): 4, ("test", 1): 1}


def test_stratified_split_rounds_per_class():
    df = pl.DataFrame({"y": ["a"] * 7 + ["b"] * 3})
    out = add_split(df, "y", SplitSpec(test_fraction=0.3, seed=1, stratify=True))
    # round(0.3 · 7) = 2 and round(0.3 · 3) = 1
    assert _counts(out, "y") == {
        ("train", "a"): 5,
        ("test", "a"): 2,
        ("train", "b"): 2,
        ("test", "b"): 1,
    }


def test_split_is_deterministic_and_seeded():
    df = pl.DataFrame({"y": [0, 1] * 50})
    split = SplitSpec(test_fraction=0.2, seed=42, stratify=True)
    first, again = add_split(df, "y", split), add_split(df, "y", split)
    other = add_split(df, "y", SplitSpec(test_fraction=0.2, seed=43, stratify=True))
    assert first["split"].to_list() == again["split"].to_list()
    assert first["split"].to_list() != other["split"].to_list()


def test_no_split_marks_every_row_train():
    out = add_split(pl.DataFrame({"y": [0, 1, 1]}), "y", None)
    assert out["split"].to_list() == ["train"] * 3


@pytest.mark.parametrize(
    ("n", "fraction", "stratify", "message"),
    [
        (10, 0.01, False, "leaves the test part empty"),
        (4, 0.95, False, "leaves no training rows"),
        (4, 0.9, True, "leaving none to train on"),
    ],
)
def test_split_refuses_an_empty_part(n, fraction, stratify, message):
    df = pl.DataFrame({"y": [0, 1] * (n // 2)})
    with pytest.raises(ValueError, match=message):
        add_split(df, "y", SplitSpec(test_fraction=fraction, stratify=stratify))


def test_stratify_refuses_a_class_of_one_row():
    df = pl.DataFrame({"y": [0, 0, 0, 1]})
    with pytest.raises(ValueError, match="class 1 of 'y' has only 1 row"):
        add_split(df, "y", SplitSpec(test_fraction=0.5, stratify=True))


def test_minmax_is_fitted_on_train_rows_only():
    train = pl.DataFrame({"a": [0, 5, 10], "b": [1.0, 3.0, 2.0]})
    transform = FeatureTransform.fit(train, ["a", "b"], "minmax")
    assert transform == FeatureTransform("minmax", ("a", "b"), (0.0, 1.0), (10.0, 2.0))
    out = transform.apply(pl.DataFrame({"a": [20, -5], "b": [2.0, 1.0], "id": ["p", "q"]}))
    assert out["a"].to_list() == [2.0, -0.5]  # test rows may fall outside [0, 1]
    assert out["b"].to_list() == [0.5, 0.0]
    assert out.schema == pl.Schema({"a": pl.Float64, "b": pl.Float64, "id": pl.String})


def test_zscore_uses_population_std():
    transform = FeatureTransform.fit(pl.DataFrame({"a": [1, 3]}), ["a"], "zscore")
    assert (transform.offset, transform.scale) == ((2.0,), (1.0,))
    assert transform.apply(pl.DataFrame({"a": [5, 1]}))["a"].to_list() == [3.0, -1.0]


@pytest.mark.parametrize("method", ["minmax", "zscore"])
def test_constant_column_gets_scale_one(method):
    transform = FeatureTransform.fit(pl.DataFrame({"a": [4, 4, 4]}), ["a"], method)
    assert (transform.offset, transform.scale) == ((4.0,), (1.0,))
    assert transform.apply(pl.DataFrame({"a": [4, 6]}))["a"].to_list() == [0.0, 2.0]


@pytest.mark.parametrize(
    ("method", "values"), [("zscore", [1.0, 2.0, 1e308]), ("minmax", [-1e308, 0.0, 1e308])]
)
def test_values_whose_scaling_overflows_are_refused_naming_the_column(method, values):
    # Fitted silently, the zscore scale of 1e308 is inf: every value maps to 0 and the model
    # step later fails to write its JSON ("Out of range float values ...: inf"), column unnamed.
    frame = pl.DataFrame({"fine": [1.0, 2.0, 3.0], "huge": values})
    with pytest.raises(ValueError) as info:
        FeatureTransform.fit(frame, ["fine", "huge"], method)
    message = str(info.value)
    assert (
        f"cannot scale feature column(s) huge (largest |value| 1e+308) with normalize: {method}"
        in message
    )
    assert "fine" not in message.split(" with ")[0]


def test_none_keeps_values_as_float():
    transform = FeatureTransform.fit(pl.DataFrame({"a": [3, 7]}), ["a"], "none")
    np.testing.assert_array_equal(transform.to_array(pl.DataFrame({"a": [3, 9]})), [[3.0], [9.0]])


def test_to_array_is_float64_in_transform_column_order():
    transform = FeatureTransform("minmax", ("b", "a"), (0.0, 1.0), (2.0, 4.0))
    x = transform.to_array(pl.DataFrame({"a": [5, 9], "b": [1, 2]}))
    assert x.dtype == np.float64 and x.flags.c_contiguous
    np.testing.assert_array_equal(x, [[0.5, 1.0], [1.0, 2.0]])


def test_transform_round_trips_through_json():
    transform = FeatureTransform.fit(
        pl.DataFrame({"a": [0.1, 0.7], "b": [3, 3]}), ["a", "b"], "zscore"
    )
    assert FeatureTransform.from_dict(json.loads(json.dumps(transform.to_dict()))) == transform


def test_from_dict_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="differ in length"):
        FeatureTransform.from_dict({"method": "none", "columns": ["a"], "offset": [], "scale": []})


def test_apply_names_missing_columns():
    transform = FeatureTransform("none", ("a", "b", "c"), (0.0,) * 3, (1.0,) * 3)
    with pytest.raises(ValueError, match="missing column\\(s\\) b, c"):
        transform.apply(pl.DataFrame({"a": [1.0]}))


def test_prepare_seed_posts_without_split(seed_spec, seed_posts):
    normalized, transform, _ = prepare(seed_posts, seed_spec)
    assert normalized.columns == ["hour", "content_length", "engagement_score", "viral", "split"]
    assert normalized["split"].to_list() == ["train"] * 5
    assert transform.offset == (4.0, 51.0, 5.94)
    # hour 10, 4, 14, 16, 22 scaled by (x − 4) / 18, as in the chapter's normalize_data
    np.testing.assert_allclose(normalized["hour"], [6 / 18, 0, 10 / 18, 12 / 18, 1])
    assert normalized["viral"].to_list() == [0, 1, 0, 1, 1]


def test_prepare_fits_on_train_rows_only(seed_spec):
    df = pl.DataFrame(
        {
            "hour": [float(h) for h in range(10)],
            "content_length": [1] * 10,
            "engagement_score": [2.0] * 10,
            "viral": [0, 1] * 5,
        }
    )
    spec = seed_spec.model_copy(
        update={"split": SplitSpec(test_fraction=0.4, seed=5, stratify=True)}
    )
    normalized, transform, _ = prepare(df, spec)
    train_hours = df["hour"].filter(normalized["split"] == "train")
    assert transform.offset[0] == train_hours.min()
    assert transform.scale[0] == train_hours.max() - train_hours.min()
    X, y = design_matrix(normalized, spec, "test")
    assert X.shape == (4, 3)
    assert sorted(y.tolist()) == [0, 0, 1, 1]
    np.testing.assert_array_equal(design_matrix(normalized, spec, "train")[0][:, 1:], 0.0)


def test_prepare_names_column_with_missing_values(seed_spec, seed_posts):
    posts = seed_posts.with_columns(
        pl.when(pl.col("post_id") <= 2)
        .then(None)
        .otherwise(pl.col("engagement_score"))
        .alias("engagement_score"),
        pl.Series("hour", [1.0, float("nan"), 3.0, 4.0, 5.0]),
    )
    with pytest.raises(ValueError, match=r"hour \(1 null/NaN/inf\), engagement_score \(2 null"):
        prepare(posts, seed_spec)


def test_design_matrix_rejects_an_empty_part(seed_spec, seed_posts):
    normalized = prepare(seed_posts, seed_spec).frame
    with pytest.raises(ValueError, match="no 'test' rows"):
        design_matrix(normalized, seed_spec, "test")
