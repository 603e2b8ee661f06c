"""Retrain schedules: pipelines sharing a cron are spread over its hour, the rest kept."""

from assets.factory import build_definitions
from assets.schedules import staggered_crons
from pipelines.spec import load_specs


def test_pipelines_sharing_a_cron_are_spread_evenly_in_name_order():
    crons = staggered_crons([("c", "0 6 * * 1"), ("a", "0 6 * * 1"), ("b", "0 6 * * 1")])
    assert crons == {"a": "0 6 * * 1", "b": "20 6 * * 1", "c": "40 6 * * 1"}


def test_the_spread_wraps_within_the_hour():
    crons = staggered_crons([("a", "50 3 * * *"), ("b", "50 3 * * *")])
    assert crons == {"a": "50 3 * * *", "b": "20 3 * * *"}


def test_a_cron_of_its_own_or_a_minute_pattern_is_kept():
    pairs = [("a", "0 6 * * 1"), ("b", "*/15 * * * *"), ("c", "*/15 * * * *")]
    assert staggered_crons(pairs) == dict(pairs)


def test_the_shipped_schedules_fire_at_distinct_times(tmp_path):
    defs = build_definitions(load_specs(), base_dir=tmp_path)
    schedules = list(defs.schedules)
    crons = [s.cron_schedule for s in schedules]
    assert len(schedules) == 15
    assert len(set(crons)) == len(crons), crons
    diabetes = defs.resolve_schedule_def("diabetes_retrain_schedule")
    assert diabetes.cron_schedule == "4 6 * * 1"
    assert (
        diabetes.description
        == "Retrain diabetes on '4 6 * * 1' (spec: '0 6 * * 1', spread by name)."
    )
