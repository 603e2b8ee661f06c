"""The asset factory: keys, descriptions, code versions, jobs, schedules and training ops."""

from __future__ import annotations

import dagster as dg
import pytest

from algorithms.registry import algorithm_names, get_algorithm
from algorithms.tasks import REINFORCEMENT
from assets.factory import BrokenPipelineWarning, build_definitions
from assets.training import training_op
from pipelines.paths import SPECS_DIR
from pipelines.spec import GeneratorSource, load_each_spec, load_specs
from tests.assets.helpers import make_spec

STAGES = ["raw", "validated", "normalized", "model", "evaluation", "champion"]
ENVIRONMENT_STAGES = ["environment", "model", "evaluation", "champion"]


def test_every_shipped_spec_becomes_a_group_with_the_six_assets(tmp_path):
    specs = load_specs()
    assert {"viral_posts", "viral_posts_seed"} <= set(specs)
    graph = build_definitions(specs, base_dir=tmp_path).resolve_asset_graph()
    for name, spec in specs.items():
        if spec.kind == "environment":
            stages = ENVIRONMENT_STAGES
        else:
            models = [f"model/{c}" for c in spec.candidates or {}] or ["model"]
            stages = [s for s in STAGES if s != "model"] + models
            stages += ["tuning"] if spec.tuning else []
            stages += ["predictions"] if getattr(spec, "score", None) else []
            stages += (
                ["generated"] if isinstance(spec.source, GeneratorSource) and spec.stream else []
            )
        keys = {k.to_user_string() for k in graph.get_all_asset_keys() if k.path[0] == name}
        assert keys == {f"{name}/{stage}" for stage in stages}
        for stage in stages:
            node = graph.get(dg.AssetKey([name, *stage.split("/")]))
            assert node.group_name == name
            assert node.description
            assert node.code_version and node.code_version.startswith("1-")


def test_tuning_section_adds_the_tuning_asset_before_the_model(tmp_path):
    graph = build_definitions(load_specs(), base_dir=tmp_path).resolve_asset_graph()
    model = graph.get(dg.AssetKey(["diabetes", "model"]))
    assert dg.AssetKey(["diabetes", "tuning"]) in model.parent_keys
    assert dg.AssetKey(["viral_posts", "tuning"]) not in graph.get_all_asset_keys()


def test_quarantine_mode_adds_the_rejected_asset(tmp_path):
    spec = make_spec("viral_posts", on_invalid="quarantine")
    graph = build_definitions({spec.name: spec}, base_dir=tmp_path).resolve_asset_graph()
    assert graph.has(dg.AssetKey(["viral_posts", "rejected"]))
    checks = {k.name for k in graph.asset_check_keys}
    assert checks == {"schema", "promotion_gate"}


def test_code_version_follows_the_spec_section_it_reads(tmp_path):
    base = make_spec("viral_posts")
    changed = make_spec("viral_posts", model={"algorithm": "delta_rule", "params": {"epochs": 5}})

    def versions(spec):
        graph = build_definitions({spec.name: spec}, base_dir=tmp_path).resolve_asset_graph()
        return {s: graph.get(dg.AssetKey([spec.name, s])).code_version for s in STAGES}

    before, after = versions(base), versions(changed)
    assert before["model"] != after["model"]
    assert {s: before[s] for s in STAGES if s != "model"} == {
        s: after[s] for s in STAGES if s != "model"
    }


def test_retrain_job_and_stopped_schedule(tmp_path):
    defs = build_definitions(load_specs(), base_dir=tmp_path)
    job = defs.resolve_job_def("viral_posts_retrain")
    assert {k.path[0] for k in job.asset_layer.executable_asset_keys} == {"viral_posts"}
    schedule = defs.resolve_schedule_def("viral_posts_retrain_schedule")
    assert schedule.cron_schedule == "44 6 * * 1"  # the specs' shared "0 6 * * 1", staggered
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    with dg.build_schedule_context() as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1
    assert requests[0].job_name in (None, "viral_posts_retrain")
    assert schedule.job_name == "viral_posts_retrain"


@pytest.mark.parametrize("name", algorithm_names())
def test_each_training_op_fits_its_algorithm_on_its_tasks_input(name):
    info = get_algorithm(name)
    op = training_op(name)
    assert op.name == f"train_{name}"
    assert f"{info.estimator_class.__name__} ({info.task.name})" in op.description
    assert "params" in op.config_schema.as_field().config_type.fields
    if info.task is REINFORCEMENT:
        assert set(op.ins) == {"environment"}
        assert op.outs["result"].io_manager_key == "agent_io"
    else:
        assert set(op.ins) == {"normalized", "tuning"}
        assert op.outs["result"].io_manager_key == "model_io"


def test_a_pipeline_that_cannot_be_built_is_left_out_by_name(tmp_path):
    good = make_spec("viral_posts_seed")
    # A cron string Dagster refuses (model_copy skips the spec's own check on purpose).
    bad = make_spec("viral_posts").model_copy(update={"schedule": "0 25 * * 1"})
    broken: dict[str, str] = {}
    with pytest.warns(BrokenPipelineWarning, match="pipeline viral_posts cannot be built"):
        defs = build_definitions({bad.name: bad, good.name: good}, tmp_path, broken)
    assert list(broken) == ["viral_posts"] and "0 25 * * 1" in broken["viral_posts"]
    keys = {k.path[0] for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"viral_posts_seed"}
    assert defs.resolve_job_def("viral_posts_seed_retrain").name == "viral_posts_seed_retrain"


def test_one_broken_spec_file_does_not_stop_the_others(tmp_path):
    for name in ("viral_posts_seed", "gridworld"):
        (tmp_path / f"{name}.yaml").write_text((SPECS_DIR / f"{name}.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("name: broken\ndescription: x\nsource: {csv: a.csv}\n")
    specs, broken = load_each_spec(tmp_path)
    assert list(specs) == ["gridworld", "viral_posts_seed"]
    assert list(broken) == ["broken"] and "invalid pipeline spec" in broken["broken"]
