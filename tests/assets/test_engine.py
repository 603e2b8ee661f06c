"""The engine chosen by configuration: executor, Celery settings, instance profile, and
passwords kept out of messages and definitions. No server is needed here (see
test_scale_out.py for the real ones)."""

from __future__ import annotations

import pytest

from assets.engine import (
    EngineError,
    celery_config_source,
    celery_executor_config,
    chosen_executor,
    executor_name,
    redact,
    scrub,
)
from assets.factory import build_definitions
from assets.instance import instance_dir, storage_url
from pipelines.paths import PROJECT_ROOT
from tests.assets.helpers import make_spec

PROFILE = PROJECT_ROOT / "deploy" / "postgres-celery"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg2://root:pw@db:5432/t", "postgresql+psycopg2://root:***@db:5432/t"),
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("pyamqp://guest@localhost//", "pyamqp://guest@localhost//"),
        ("s3://bucket/trainyard", "s3://bucket/trainyard"),
    ],
)
def test_redact_hides_the_password_and_nothing_else(url, shown):
    assert redact(url) == shown


def test_scrub_hides_the_password_anywhere_in_a_message():
    url = "redis://:s3cret@host:1/0"
    shown = scrub(f"error at {url} (auth s3cret)", url)
    assert shown == "error at redis://:***@host:1/0 (auth ***)"


def test_the_default_is_in_process_and_others_are_named(monkeypatch):
    monkeypatch.delenv("TRAINYARD_EXECUTOR", raising=False)
    assert executor_name() == "in_process"
    assert chosen_executor().name == "in_process"
    monkeypatch.setenv("TRAINYARD_EXECUTOR", "multiprocess")
    assert chosen_executor().name == "multiprocess"
    monkeypatch.setenv("TRAINYARD_EXECUTOR", "k8s")
    with pytest.raises(ValueError, match="TRAINYARD_EXECUTOR='k8s' is not an executor"):
        executor_name()


def test_the_definitions_carry_the_configured_executor(monkeypatch):
    spec = make_spec("viral_posts_seed")
    monkeypatch.setenv("TRAINYARD_EXECUTOR", "celery")
    job = build_definitions({spec.name: spec}).resolve_job_def(f"{spec.name}_retrain")
    assert job.executor_def.name == "celery"
    monkeypatch.delenv("TRAINYARD_EXECUTOR")
    job = build_definitions({spec.name: spec}).resolve_job_def(f"{spec.name}_retrain")
    assert job.executor_def.name == "in_process"


def test_celery_urls_are_referred_to_by_variable_so_no_password_is_stored(monkeypatch):
    monkeypatch.setenv("TRAINYARD_BROKER", "redis://:s3cret@127.0.0.1:6379/0")
    monkeypatch.delenv("TRAINYARD_BACKEND", raising=False)
    config = celery_executor_config()
    assert config["broker"] == {"env": "TRAINYARD_BROKER"}
    assert config["backend"] == "rpc://"
    assert "s3cret" not in repr(config)
    assert config["include"] == ["assets.definitions"]


def test_a_dead_workers_task_goes_back_to_the_queue():
    source = celery_config_source()
    assert source["task_acks_late"] and source["task_reject_on_worker_lost"]
    assert source["worker_prefetch_multiplier"] == 1


def test_the_instance_is_the_home_unless_a_profile_is_named(trainyard_home, monkeypatch):
    monkeypatch.delenv("TRAINYARD_INSTANCE", raising=False)
    assert instance_dir() == trainyard_home / ".dagster"
    monkeypatch.setenv("TRAINYARD_INSTANCE", str(PROFILE))
    assert instance_dir() == PROFILE
    monkeypatch.setenv("TRAINYARD_INSTANCE", str(trainyard_home))
    with pytest.raises(FileNotFoundError, match="no dagster.yaml in"):
        instance_dir()


def test_the_profile_reads_its_database_url_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAINYARD_POSTGRES_URL", "postgresql+psycopg2://u:pw@db/t")
    assert storage_url(PROFILE) == "postgresql+psycopg2://u:pw@db/t"
    settings = (PROFILE / "dagster.yaml").read_text().splitlines()
    assert not [line for line in settings if "://" in line and not line.startswith("#")]
    monkeypatch.delenv("TRAINYARD_POSTGRES_URL")
    with pytest.raises(EngineError, match="TRAINYARD_POSTGRES_URL is not set"):
        storage_url(PROFILE)
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    assert storage_url(tmp_path) is None
