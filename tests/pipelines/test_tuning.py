"""The spec's grid search: shuffled, seeded, stratified folds and the sorted-target warning."""

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from algorithms.model_selection import KFold, StratifiedKFold
from pipelines.features import SPLIT
from pipelines.paths import SPECS_DIR
from pipelines.spec import PipelineSpec, SpecError, load_spec
from pipelines.tuning import sorted_target_warning, tune, tuning_folds, tuning_section


def _spec(name: str, **tuning) -> PipelineSpec:
    data = yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text())
    data["tuning"].update(tuning)
    return PipelineSpec.model_validate(data)


def _load_error(tmp_path: Path, name: str, **tuning) -> str:
    data = yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text())
    data["tuning"].update(tuning)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return str(info.value)


def test_folds_are_shuffled_with_the_split_seed_by_default():
    folds = tuning_folds(_spec("diabetes"))
    assert folds == KFold(5, shuffle=True, random_state=42)


def test_classification_folds_are_stratified():
    folds = tuning_folds(_spec("text_sentiment"))
    assert folds == StratifiedKFold(4, shuffle=True, random_state=42)


def test_seed_shuffle_and_stratify_are_configurable():
    assert tuning_folds(_spec("diabetes", seed=3)) == KFold(5, shuffle=True, random_state=3)
    assert tuning_folds(_spec("diabetes", shuffle=False)) == KFold(5)
    unstratified = tuning_folds(_spec("text_sentiment", stratify=False))
    assert unstratified == KFold(4, shuffle=True, random_state=42)


def test_stratifying_a_regression_is_refused(tmp_path):
    message = _load_error(tmp_path, "diabetes", stratify=True)
    assert "tuning.stratify: stratified folds need class labels" in message
    assert "'ridge' is a regression algorithm" in message


def test_a_seed_without_shuffling_is_refused(tmp_path):
    message = _load_error(tmp_path, "diabetes", shuffle=False, seed=1)
    assert "tuning: seed has no effect when shuffle is false" in message


def test_sorted_targets_are_recognised():
    rng = np.random.default_rng(0)
    assert "is monotone over the position of the 50 train rows" in sorted_target_warning(
        np.arange(50.0), "y", shuffled=True
    )
    labels = np.array(["b"] * 20 + ["a"] * 20)
    assert "is monotone" in sorted_target_warning(labels, "y", shuffled=True)
    # The statsmodels `fair` layout: the rows with affairs first, then the zeros.
    fair = np.concatenate([rng.exponential(2.0, 100) + 0.1, np.zeros(300)])
    fair[rng.choice(400, 20, replace=False)] = 0.5
    warning = sorted_target_warning(fair, "affairs", shuffled=False)
    assert "has Spearman ρ = -0.69 (p = 5e-57) with the position of the 400 train rows" in warning
    assert "The folds are not shuffled (`tuning.shuffle: false`)" in warning


def test_unsorted_targets_raise_no_warning():
    rng = np.random.default_rng(0)
    assert sorted_target_warning(rng.normal(size=400), "y", shuffled=True) is None
    assert sorted_target_warning(rng.integers(0, 3, 400), "y", shuffled=True) is None
    assert sorted_target_warning(np.ones(20), "y", shuffled=True) is None
    # A faint drift over many rows is significant but too weak to skew the folds.
    drift = rng.normal(size=5000) + np.linspace(0.0, 0.3, 5000)
    assert sorted_target_warning(drift, "y", shuffled=True) is None


def _sorted_diabetes_rows(n: int = 200) -> pl.DataFrame:
    """Train rows of the diabetes features with a linear target, sorted by the target."""
    rng = np.random.default_rng(1)
    columns = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    X = rng.normal(size=(n, len(columns)))
    y = X @ rng.normal(size=len(columns)) + rng.normal(scale=1.0, size=n)
    order = np.argsort(y)
    frame = pl.DataFrame({c: X[order, i] for i, c in enumerate(columns)})
    return frame.with_columns(pl.Series("progression", y[order]), pl.lit("train").alias(SPLIT))


def test_shuffled_folds_score_a_sorted_file_that_unshuffled_folds_cannot():
    rows = _sorted_diabetes_rows()
    shuffled = tune(_spec("diabetes"), rows)
    in_order = tune(_spec("diabetes", shuffle=False), rows)
    assert min(shuffled.mean) > 0.15 and max(shuffled.mean) > 0.9
    assert max(in_order.mean) < 0.0  # every grid point, as on the sorted `fair` file
    assert shuffled.folds_rule == "shuffled with seed 42"
    assert in_order.folds_rule == "in file order"
    assert "is monotone" in shuffled.sorted_target
    assert "The folds are shuffled" in shuffled.sorted_target


def test_the_report_states_the_folds_and_the_warning():
    spec = _spec("diabetes")
    markdown = tuning_section(spec, tune(spec, _sorted_diabetes_rows())).markdown
    assert "5-fold cross-validation of `ridge` on the train rows (folds shuffled with seed 42)" in (
        markdown
    )
    assert "**Warning:** The target `progression` looks sorted in the file" in markdown
