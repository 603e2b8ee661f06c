import numpy as np
import polars as pl
import pytest

from algorithms import DeltaRuleClassifier, RandomWeightsClassifier
from algorithms.metrics import METRICS
from pipelines.evaluation import HELD_OUT, TRAINING, evaluate
from pipelines.features import design_matrix, prepare
from pipelines.paths import SPECS_DIR
from pipelines.spec import EvaluationSpec, LossCurvesSpec, SplitSpec, load_spec
from pipelines.training import train


@pytest.fixture(scope="module")
def seed_spec():
    """Delta rule, learning rate 0.1, 1,000 epochs, no intercept, split: none."""
    return load_spec(SPECS_DIR / "viral_posts_seed.yaml")


def _posts(low: list[int], high: list[int]) -> pl.DataFrame:
    """Quiet posts (every feature at its minimum) labelled `low`, loud ones (maximum) `high`."""
    quiet, loud = len(low), len(high)
    return pl.DataFrame(
        {
            "hour": [2] * quiet + [20] * loud,
            "content_length": [100] * quiet + [900] * loud,
            "engagement_score": [10.0] * quiet + [90.0] * loud,
            "viral": low + high,
        }
    )


def _evaluate(spec, posts):
    prepared = prepare(posts, spec)
    normalized = prepared.frame
    bundle = train(spec, prepared)
    return evaluate(spec, bundle, normalized), bundle, normalized


def test_metrics_on_training_data_when_there_is_no_split(seed_spec):
    # Scaled, quiet posts are all-zero rows (score 0 → predict 0); loud posts are all-one
    # rows whose least-squares score is 3/4 (→ predict 1). Truth: 2 of 5 quiet posts and
    # 3 of 4 loud ones went viral, so tp 3, fp 1, fn 2, tn 3.
    evaluation, bundle, _ = _evaluate(seed_spec, _posts([0, 0, 0, 1, 1], [1, 1, 1, 0]))
    assert evaluation.scored_on == TRAINING
    assert (evaluation.details["n_train"], evaluation.details["n_test"]) == (9, 0)
    assert evaluation.n_scored == 9
    assert evaluation.y_pred.tolist() == [0] * 5 + [1] * 4
    assert evaluation.metrics == pytest.approx(
        {"accuracy": 6 / 9, "precision": 3 / 4, "recall": 3 / 5, "f1": 2 / 3}
    )
    # The majority class of the 9 training posts is 1 (5 of 9): predicted for every post.
    assert evaluation.baseline == pytest.approx(
        {"accuracy": 5 / 9, "precision": 5 / 9, "recall": 1.0, "f1": 5 / 7}
    )
    assert (evaluation.headline, evaluation.headline_value) == ("accuracy", pytest.approx(6 / 9))
    assert evaluation.task == "classification"


def test_comparison_is_fitted_on_the_same_rows_with_the_model_seed(seed_spec):
    evaluation, _, normalized = _evaluate(seed_spec, _posts([0, 0, 0, 1, 1], [1, 1, 1, 0]))
    X, y = design_matrix(normalized, seed_spec, "train")
    guess = RandomWeightsClassifier(random_state=0).fit(X, y).predict(X)
    expected = {name: METRICS[name].function(y, guess) for name in evaluation.metrics}
    assert evaluation.comparisons == {"random_weights": pytest.approx(expected)}


def test_loss_curves_refit_once_per_learning_rate(seed_spec):
    evaluation, bundle, normalized = _evaluate(seed_spec, _posts([0, 0, 0, 1, 1], [1, 1, 1, 0]))
    curves = evaluation.details["loss_curves"]
    assert list(curves) == ["1e-05", "0.01", "0.1"]
    X, y = design_matrix(normalized, seed_spec, "train")
    slow = DeltaRuleClassifier(learning_rate=1e-05, epochs=1000, random_state=0).fit(X, y)
    assert curves["1e-05"] == slow.loss_curve_.tolist()
    # learning rate 0.1 is the model's own: the same curve as the trained bundle
    assert curves["0.1"] == bundle.estimator.loss_curve_.tolist()
    assert all(len(curve) == 1000 for curve in curves.values())


def test_held_out_split_scores_the_test_rows_only(seed_spec):
    spec = seed_spec.model_copy(
        update={
            "split": SplitSpec(test_fraction=0.2, seed=1, stratify=True),
            "evaluation": EvaluationSpec(metrics=["f1"], promote_if={"accuracy": ">= 0.9"}),
        }
    )
    evaluation, _, _ = _evaluate(spec, _posts([0] * 10, [1] * 10))
    assert evaluation.scored_on == HELD_OUT
    assert (evaluation.details["n_train"], evaluation.details["n_test"]) == (16, 4)
    assert sorted(evaluation.y_true.tolist()) == [0, 0, 1, 1]
    # the gate's metric is scored too, and it is the headline
    assert evaluation.metrics == {"f1": 1.0, "accuracy": 1.0}
    assert (evaluation.headline, evaluation.headline_value) == ("accuracy", 1.0)
    # 8 train posts of each class: the tie goes to the smaller label, 0
    assert evaluation.baseline == {"f1": 0.0, "accuracy": 0.5}
    assert evaluation.comparisons == {} and evaluation.details["loss_curves"] == {}


def test_loss_curves_of_an_unknown_parameter_name_the_parameters(seed_spec):
    spec = seed_spec.model_copy(
        update={
            "evaluation": EvaluationSpec(loss_curves=LossCurvesSpec(param="alpha", values=[1.0]))
        }
    )
    with pytest.raises(ValueError, match="unknown parameter\\(s\\) alpha .*learning_rate"):
        _evaluate(spec, _posts([0, 0], [1, 1]))


def test_evaluation_is_deterministic(seed_spec):
    posts = _posts([0, 0, 0, 1, 1], [1, 1, 1, 0])
    first, _, _ = _evaluate(seed_spec, posts)
    again, _, _ = _evaluate(seed_spec, posts)
    assert first == again
    np.testing.assert_array_equal(first.y_pred, again.y_pred)


def test_clustering_is_scored_against_the_target_without_training_on_it():
    spec = load_spec(SPECS_DIR / "iris_clusters.yaml")
    iris = pl.read_csv(SPECS_DIR.parents[1] / "data" / "iris.csv")
    evaluation, bundle, normalized = _evaluate(spec, iris)
    X, species = design_matrix(normalized, spec, "all")
    clusters = bundle.estimator.predict(X)
    assert evaluation.task == "clustering" and evaluation.scored_on == TRAINING
    assert evaluation.metrics == {"adjusted_rand": pytest.approx(0.7302, abs=1e-4)}
    assert evaluation.baseline == {"adjusted_rand": 0.0}
    assert np.array_equal(evaluation.y_pred, clusters)
    assert np.array_equal(evaluation.y_true, species)
    shuffled = iris.with_columns(pl.Series("species", species[::-1]))
    relabelled, _, _ = _evaluate(spec, shuffled)
    assert np.array_equal(relabelled.y_pred, clusters)  # the target never reaches fit
