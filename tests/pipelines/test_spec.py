from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pipelines.paths import SPECS_DIR
from pipelines.spec import CsvSource, GeneratorSource, SpecError, load_spec, load_specs
from pipelines.spec_base import check_cron

SHIPPED = yaml.safe_load((SPECS_DIR / "viral_posts.yaml").read_text())


def _load_changed(tmp_path: Path, change: Callable[[dict], None]) -> str:
    """Write the shipped viral_posts spec with `change` applied; return load_spec's error."""
    spec = yaml.safe_load(yaml.safe_dump(SHIPPED))
    change(spec)
    path = tmp_path / "viral_posts.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_shipped_specs_load():
    specs = load_specs()
    assert {"viral_posts", "viral_posts_seed"} <= set(specs)
    assert list(specs) == sorted(specs)
    generated, seed = specs["viral_posts"], specs["viral_posts_seed"]
    assert generated.source == GeneratorSource(generator="viral_posts", rows=10000, seed=7)
    assert generated.schema_ == "schemas.viral_posts:RawViralPosts"
    assert generated.split.test_fraction == 0.2
    assert seed.source == CsvSource(csv="data/viral_posts_seed.csv")
    assert seed.split is None
    assert seed.features.columns == ["hour", "content_length", "engagement_score"]


def test_unknown_algorithm_lists_registered_names(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["model"].update(algorithm="ridg"))
    assert "model.algorithm: unknown algorithm 'ridg'" in message
    assert "delta_rule" in message and "random_weights" in message


def test_unknown_param_lists_the_algorithms_params(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["model"]["params"].update(alpha=1.0))
    assert "model: unknown parameter(s) alpha for algorithm 'delta_rule'" in message
    assert "learning_rate" in message and "epochs" in message


def test_missing_schema_class_names_the_module(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(schema="schemas.viral_posts:Tweets"))
    assert "schema: no schema 'Tweets' in module schemas.viral_posts" in message
    assert "it defines: RawViralPosts, ViralPostsSeed" in message


def test_missing_schema_module(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(schema="schemas.tweets:Tweets"))
    assert "schema: schema module 'schemas.tweets' not found" in message


def test_bad_promote_if_expression(tmp_path):
    message = _load_changed(
        tmp_path, lambda s: s["evaluation"]["promote_if"].update(accuracy="at least 0.8")
    )
    assert "evaluation.promote_if" in message
    assert "expected a comparison like '>= 0.8', got 'at least 0.8'" in message


def test_missing_required_field(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.pop("target"))
    assert "target: Field required" in message


def test_wrong_type(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["split"].update(test_fraction="high"))
    assert "split.test_fraction: Input should be a valid number" in message


def test_feature_not_in_schema(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["features"]["columns"].append("likes"))
    assert "column(s) likes not declared in schema schemas.viral_posts:RawViralPosts" in message


def test_name_must_match_file_name(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(name="other"))
    assert "name: 'other' must match the file name 'viral_posts'" in message


def test_candidates_replace_model_and_exclude_single_model_options():
    from tests.assets.helpers import make_spec

    ok = make_spec(
        "viral_posts", model=None, candidates={"a": {"algorithm": "delta_rule"}}, evaluation={}
    )
    assert list(ok.trained_models()) == ["a"]
    assert ok.for_candidate("a").model.algorithm == "delta_rule"
    with pytest.raises(ValueError, match="exactly one of `model` .* or `candidates`"):
        make_spec("viral_posts", candidates={"a": {"algorithm": "delta_rule"}})
    with pytest.raises(ValueError, match="evaluation.loss_curves applies to a single `model`"):
        make_spec("viral_posts", model=None, candidates={"a": {"algorithm": "delta_rule"}})
    with pytest.raises(ValueError, match="bad names: \\['Bad-Name'\\]"):
        make_spec(
            "viral_posts",
            model=None,
            candidates={"Bad-Name": {"algorithm": "delta_rule"}},
            evaluation={},
        )


def test_metrics_that_do_not_fit_the_task_fail_at_load(tmp_path):
    message = _load_changed(
        tmp_path, lambda s: s["evaluation"].update(metrics=["mse", "adjusted_rand"])
    )
    assert (
        "  evaluation.metrics: metric 'mse' does not fit the classification task; its metrics: "
        "accuracy, f1, precision, recall, roc_auc" in message
    )
    assert "(top level)" not in message


def test_a_gate_on_a_metric_of_another_task_fails_at_load(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["evaluation"].update(promote_if={"r2": ">= 0"}))
    assert "evaluation.promote_if: metric 'r2' does not fit the classification task" in message


def test_an_algorithm_without_a_target_fails_at_load(tmp_path):
    message = _load_changed(tmp_path, lambda s: s.update(model={"algorithm": "pca"}))
    assert (
        "model: 'pca' is a decomposition algorithm, but table pipelines train classification, "
        "regression or clustering algorithms; no pipeline kind trains it" in message
    )


def test_compare_with_an_algorithm_of_another_task_fails_at_load(tmp_path):
    message = _load_changed(tmp_path, lambda s: s["evaluation"].update(compare_with=["ridge"]))
    assert (
        "evaluation.compare_with: 'ridge' is a regression algorithm; the model is scored as "
        in (message)
    )
    assert "random_weights" in message


def test_a_study_of_another_task_fails_at_load(tmp_path):
    message = _load_changed(
        tmp_path, lambda s: s["evaluation"].update(studies=[{"study": "elbow_curve"}])
    )
    assert (
        "evaluation.studies.0: study 'elbow_curve' fits a clustering model, not a "
        "classification one" in message
    )


def test_candidates_must_share_a_task():
    from tests.assets.helpers import make_spec

    with pytest.raises(ValueError, match="must share one task; got a \\(classification\\), "):
        make_spec(
            "viral_posts",
            model=None,
            candidates={"a": {"algorithm": "delta_rule"}, "b": {"algorithm": "ridge"}},
            evaluation={},
        )


def test_headline_and_metrics_come_from_the_task():
    from tests.assets.helpers import make_spec

    spec = make_spec("viral_posts", evaluation={"promote_if": {"f1": ">= 0.1"}})
    assert spec.metric_names() == ["accuracy", "precision", "recall", "f1"]
    assert spec.headline == "f1"
    ridge = make_spec("viral_posts", model={"algorithm": "ridge"}, evaluation={})
    assert ridge.metric_names() == ["mse", "rmse", "mae", "r2"] and ridge.headline == "mse"


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 25 * * 1", "schedule: hour: 25 is out of range 0-23 in '0 25 * * 1'"),
        ("60 6 * * 1", "schedule: minute: 60 is out of range 0-59"),
        ("0 6 0 * *", "schedule: day of month: 0 is out of range 1-31"),
        ("0 6 * 13 *", "schedule: month: 13 is out of range 1-12 or jan-dec"),
        ("0 6 * * 8", "schedule: day of week: 8 is out of range 0-7 or sun-sat"),
        ("0 6 * * funday", "schedule: day of week: expected a number 0-7 or sun-sat, got 'funday'"),
        ("*/0 6 * * 1", "schedule: minute: step /0"),
        ("0 6 30 2 *", "schedule: day of month: February has no day 30"),
    ],
)
def test_cron_out_of_range_names_the_field(tmp_path, cron, words):
    assert words in _load_changed(tmp_path, lambda s: s.update(schedule=cron))


CRONS = [
    "0 6 * * 1",
    "*/15 * * * *",
    "0 0 1 jan-mar mon-fri",
    "0 0 * * 7",
    "0 22-2 * * *",
    "0 0 ? * 1",
    "0 0 L * *",
    "0 0 * * 1#2",
    "0 0 31 2,3 *",
    "0 0 29 2 *",
    "0 0 * * SUN",
    "0 25 * * 1",
    "60 * * * *",
    "0 0 0 * *",
    "0 0 * 13 *",
    "0 0 * * 8",
    "0 */0 * * *",
    "0 0 30 2 *",
    "0 0 * * 5L",
    "0 0 * * 1#6",
    "0 0 * * 1#2,3",
    "-1 * * * *",
    "1.5 * * * *",
]


@pytest.mark.parametrize("cron", CRONS)
def test_cron_check_agrees_with_dagster(cron):
    from dagster._utils.schedules import is_valid_cron_string

    try:
        check_cron(cron)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == is_valid_cron_string(cron)


def _streamed(spec: dict) -> None:
    """The shipped spec turned into a streamed one (parquet parts, hashed split)."""
    spec["source"] = {"parquet": "data/big/*.parquet", "stream": {"batch_rows": 1000}}
    spec["split"] = {"test_fraction": 0.2, "seed": 42, "by": "hash"}
    spec["evaluation"] = {"metrics": ["accuracy", "f1"]}


def test_a_streamed_source_refuses_an_algorithm_that_cannot_learn_incrementally(tmp_path):
    def change(spec):
        _streamed(spec)
        spec["model"] = {"algorithm": "random_weights"}

    message = _load_changed(tmp_path, change)
    assert "model.algorithm: 'random_weights' cannot learn incrementally" in message
    assert (
        "classification algorithms that can: delta_rule, gaussian_nb, mlp_classifier, "
        "multinomial_nb" in message
    )


def test_a_streamed_source_needs_a_hashed_split_and_streamable_steps(tmp_path):
    def shuffled(spec):
        _streamed(spec)
        spec["split"] = {"test_fraction": 0.2}

    assert "split.by: a streamed source" in _load_changed(tmp_path, shuffled)

    def whole_table(spec):
        _streamed(spec)
        spec["evaluation"]["compare_with"] = ["random_weights"]

    message = _load_changed(tmp_path, whole_table)
    assert "evaluation.compare_with: not supported with a streamed source" in message

    def ranked(spec):
        _streamed(spec)
        spec["evaluation"]["promote_if"] = {"roc_auc": ">= 0.8"}

    message = _load_changed(tmp_path, ranked)
    assert "metric(s) roc_auc cannot be accumulated over batches" in message


def test_a_streamed_spec_loads_and_hash_options_are_checked(tmp_path):
    spec = yaml.safe_load(yaml.safe_dump(SHIPPED))
    _streamed(spec)
    path = tmp_path / "viral_posts.yaml"
    path.write_text(yaml.safe_dump(spec))
    loaded = load_spec(path)
    assert (loaded.stream.batch_rows, loaded.stream.epochs) == (1000, 1)
    assert loaded.split.by == "hash"

    def stratified(spec):
        spec["split"] = {"test_fraction": 0.2, "by": "hash", "stratify": True}

    assert "stratify: a hashed split does not stratify" in _load_changed(tmp_path, stratified)


def test_specs_without_stream_keep_their_hash():
    spec = load_specs()["viral_posts"]
    assert "stream" not in spec.model_dump(by_alias=True)["source"]
    assert "by" not in spec.model_dump(by_alias=True)["split"]
