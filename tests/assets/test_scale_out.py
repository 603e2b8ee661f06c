"""trainyard on Dagster's distributed engines, against the machine's real servers: runs, events
and materializations in PostgreSQL (a database made for this session), steps on two Celery
workers started here, a worker killed mid-step, the UI on that instance, and servers that
cannot be reached.

The pipeline is `wine` (four candidates, about 10 s in process) rather than breast_cancer's
seven: it gives the workers four training steps at once, which is all the checks need, for
half the time. The kill test uses `wine_slow`, wine with a 15,000-tree forest so that its
training step runs long enough to be caught, on RabbitMQ: an AMQP broker hands a dead
worker's task on as soon as its connection drops, where Redis waits for a visibility timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from tests.assets.helpers import file_bytes, make_spec, materialize_group
from tests.servers import free_port, require_service, scratch_database, start_server, stop_server

pytestmark = pytest.mark.slow

PROFILE = PROJECT_ROOT / "deploy" / "postgres-celery"
RABBITMQ = "pyamqp://guest:guest@127.0.0.1:5672//"
WORKER_START_S = 240.0
RUN_TIMEOUT_S = 600.0
SLOW_STEP = "wine_slow__model__random_forest.train_random_forest_classifier"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database of its own in the local PostgreSQL, dropped when the session ends."""
    require_service("PostgreSQL")
    with scratch_database("trainyard_test") as url:
        yield url


@pytest.fixture(scope="module")
def instance(database_url: str) -> dg.DagsterInstance:
    """The deploy profile's instance, read from this process as the UI would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAINYARD_POSTGRES_URL", database_url)
        return dg.DagsterInstance.from_config(str(PROFILE))


@dataclass
class Cluster:
    """The environment every process of the deployment shares, and the workers."""

    env: dict[str, str]
    root: Path
    workers: dict[str, subprocess.Popen]

    def trainyard(self, *args: str, **changes: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "assets.cli", *args]
        env = {**self.env, **changes}
        return subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
            timeout=RUN_TIMEOUT_S,
        )  # fmt: skip


def _specs(directory: Path) -> Path:
    """`wine` as shipped, and `wine_slow`: a long forest step beside two quick candidates."""
    directory.mkdir()
    wine = yaml.safe_load((SPECS_DIR / "wine.yaml").read_text())
    (directory / "wine.yaml").write_text(yaml.safe_dump(wine, sort_keys=False))
    slow = {**wine, "name": "wine_slow"}
    slow["candidates"] = {
        "random_forest": {
            "algorithm": "random_forest_classifier",
            "params": {"n_estimators": 15000, "max_depth": 3, "random_state": 0},
        },
        "gaussian_nb": {"algorithm": "gaussian_nb"},
        "knn": wine["candidates"]["knn"],
    }
    (directory / "wine_slow.yaml").write_text(yaml.safe_dump(slow, sort_keys=False))
    return directory


def _environment(root: Path, database_url: str, broker: str) -> dict[str, str]:
    """What the README's "Running at scale" sets on every machine; the artifacts and reports
    roots stand for the storage the machines share."""
    env = {
        **os.environ,
        "TRAINYARD_INSTANCE": str(PROFILE),
        "TRAINYARD_POSTGRES_URL": database_url,
        "TRAINYARD_EXECUTOR": "celery",
        "TRAINYARD_BROKER": broker,
        "TRAINYARD_HOME": str(root / "home"),
        "TRAINYARD_ARTIFACTS": str(root / "shared" / "artifacts"),
        "TRAINYARD_REPORTS": str(root / "shared" / "reports"),
        "TRAINYARD_SPECS": str(_specs(root / "specs")),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DAGSTER_HOME", None)
    return env


def _start_workers(env: dict[str, str], logs: Path, count: int = 2) -> dict[str, subprocess.Popen]:
    """`trainyard worker` × count, each in its own process group; node name → process."""
    host = socket.gethostname()
    processes = [
        start_server([sys.executable, "-m", "assets.cli", "worker"], env, logs / f"worker{i}.log")
        for i in range(count)
    ]
    workers = {f"trainyard-{p.pid}@{host}": p for p in processes}
    deadline = time.monotonic() + WORKER_START_S
    for i, process in enumerate(processes):
        log = logs / f"worker{i}.log"
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(workers)
                pytest.fail(f"worker {i} did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.5)
    return workers


def _stop(workers: dict[str, subprocess.Popen]) -> None:
    for process in workers.values():
        stop_server(process, grace=30)


@contextlib.contextmanager
def _cluster(root: Path, database_url: str, broker: str) -> Iterator[Cluster]:
    env = _environment(root, database_url, broker)
    workers = _start_workers(env, root)
    try:
        yield Cluster(env, root, workers)
    finally:
        _stop(workers)


@pytest.fixture(scope="module")
def redis_run(database_url, tmp_path_factory):
    """`trainyard run wine` on two workers fed by Redis (a database index of its own)."""
    require_service("Redis")
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    with _cluster(tmp_path_factory.mktemp("redis"), database_url, broker) as cluster:
        yield cluster, cluster.trainyard("run", "wine")


def _step_workers(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step key, worker node name) of every step task, in the order the workers took them."""
    return [
        (entry.step_key, entry.dagster_event.engine_event_data.metadata["Celery worker"].value)
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        if "Celery worker" in entry.dagster_event.engine_event_data.metadata
    ]


def _step_starts(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, int]]:
    """(step key, pid of the process that ran it) of every STEP_START."""
    return [
        (entry.step_key, entry.dagster_event.pid)
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
    ]


def _parent(pid: int) -> int:
    """The parent process id of a live process (the 4th field of /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_a_celery_run_spreads_steps_over_two_workers_and_is_stored_in_postgres(redis_run, instance):
    cluster, done = redis_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert "champion: promoted (wine/champion updated)" in done.stdout
    assert "✓ wine/model/knn" in done.stderr and "Traceback" not in done.stderr
    [run] = instance.get_runs(dg.RunsFilter(job_name="wine_retrain"))
    assert run.status == dg.DagsterRunStatus.SUCCESS
    ran_on = dict(_step_workers(instance, run.run_id))
    starts = _step_starts(instance, run.run_id)
    assert {step for step, _ in starts} == set(ran_on) and len(ran_on) == 9
    assert set(ran_on.values()) <= set(cluster.workers)
    assert len(set(ran_on.values())) >= 2, ran_on
    for step, pid in starts:  # each step ran in a pool process of the worker that took it
        assert _parent(pid) == cluster.workers[ran_on[step]].pid
    assets = ["raw", "validated", "normalized", "evaluation", "champion"]
    assets += [f"model/{c}" for c in ("gaussian_nb", "gradient_boosting", "knn", "random_forest")]
    for asset in assets:
        event = instance.get_latest_materialization_event(dg.AssetKey(["wine", *asset.split("/")]))
        assert event is not None and event.run_id == run.run_id, asset
    report = cluster.root / "shared" / "reports" / "wine" / "report.md"
    assert report.read_text().startswith("# wine\n")


def test_list_and_show_print_what_postgres_recorded_from_the_records_the_workers_wrote(
    redis_run, instance
):
    cluster, done = redis_run
    assert done.returncode == 0
    [run] = instance.get_runs(dg.RunsFilter(job_name="wine_retrain"))
    event = instance.get_latest_materialization_event(dg.AssetKey(["wine", "evaluation"]))
    recorded = {name: value.value for name, value in event.asset_materialization.metadata.items()}
    headline = recorded["headline"]
    # Written by the worker that ran the evaluation step, into the shared artifacts root.
    record = cluster.root / "shared" / "artifacts" / "wine" / "summaries" / "evaluation.json"
    assert json.loads(record.read_text())["run_id"] == run.run_id
    # Neither command opens the instance: they answer with its database out of reach.
    away = {"TRAINYARD_POSTGRES_URL": "postgresql+psycopg2://root@127.0.0.1:1/none"}
    listed = cluster.trainyard("list", **away)
    assert listed.returncode == 0, listed.stderr
    [line] = [x for x in listed.stdout.splitlines() if x.startswith("wine ")]
    assert line.split() == ["wine", "4", "candidates", headline, f"{recorded[headline]:.4f}", "yes"]
    shown = cluster.trainyard("show", "wine", **away)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("evaluated: "))
    assert lines[at].endswith(f" by run {run.run_id[:8]}")
    floats = {name: value for name, value in recorded.items() if isinstance(value, float)}
    assert [line.split() for line in lines[at + 1 : at + 1 + len(floats)]] == [
        [name, f"{value:.4f}"] for name, value in sorted(floats.items())
    ]


def test_models_and_metrics_match_an_in_process_run_byte_for_byte(
    redis_run, trainyard_home, tmp_path
):
    cluster, done = redis_run
    assert done.returncode == 0
    result = materialize_group(make_spec("wine"), tmp_path, dg.DagsterInstance.ephemeral())
    assert result.success
    shared = cluster.root / "shared" / "artifacts" / "wine"
    for stored in ("model", "champion"):
        # champion.json records when and by which run the champion was promoted: not a model
        files = [_model_files(root / stored) for root in (shared, tmp_path / "wine")]
        assert files[0] == files[1] and any(k.endswith("estimator.npz") for k in files[0])
    evaluation = (shared / "evaluation.json").read_bytes()
    assert evaluation == (tmp_path / "wine" / "evaluation.json").read_bytes()
    assert json.loads(evaluation)["metrics"]["accuracy"] > 0.9


def _model_files(directory: Path) -> dict[str, bytes]:
    """`file_bytes` of a model or champion directory without its promotion record."""
    return {k: v for k, v in file_bytes(directory).items() if not k.endswith("champion.json")}


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_ui_on_the_postgres_instance_lists_the_runs_the_workers_made(
    redis_run, instance, tmp_path
):
    cluster, _ = redis_run
    [run] = instance.get_runs(dg.RunsFilter(job_name="wine_retrain"))
    port = free_port()
    command = [sys.executable, "-m", "assets.cli", "ui", "--port", str(port)]
    ui = start_server(command, cluster.env, tmp_path / "ui.log")
    query = "{ runsOrError { ... on Runs { results { runId status jobName } } } }"
    try:
        deadline = time.monotonic() + WORKER_START_S
        while True:
            try:
                runs = _graphql(f"http://127.0.0.1:{port}", query)["data"]["runsOrError"]
                break
            except OSError:
                if ui.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "ui.log").read_text(errors="replace")[-4000:])
                time.sleep(1)
    finally:
        stop_server(ui, grace=60)
    listed = {r["runId"]: (r["jobName"], r["status"]) for r in runs["results"]}
    assert listed[run.run_id] == ("wine_retrain", "SUCCESS")


def _wait_for_step_start(instance: dg.DagsterInstance, run: subprocess.Popen) -> tuple[str, str]:
    """(run id, worker node name) once the slow training step has started on a worker."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline and run.poll() is None:
        for found in instance.get_runs(dg.RunsFilter(job_name="wine_slow_retrain"), limit=1):
            started = [s for s, _ in _step_starts(instance, found.run_id) if s == SLOW_STEP]
            workers = [w for s, w in _step_workers(instance, found.run_id) if s == SLOW_STEP]
            if started and workers:
                return found.run_id, workers[0]
        time.sleep(0.2)
    pytest.fail(f"the step {SLOW_STEP} never started; the run exited with {run.poll()}")


def test_a_worker_killed_mid_step_costs_a_retry_on_the_other_worker_not_the_run(
    database_url, instance, tmp_path
):
    require_service("RabbitMQ")
    with _cluster(tmp_path, database_url, RABBITMQ) as cluster:
        command = [sys.executable, "-m", "assets.cli", "run", "wine_slow"]
        with open(tmp_path / "run.log", "wb") as log:
            run = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=cluster.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            run_id, victim = _wait_for_step_start(instance, run)
            os.killpg(cluster.workers[victim].pid, signal.SIGKILL)  # the worker and its pool
            run.wait(timeout=RUN_TIMEOUT_S)
        finally:
            if run.poll() is None:
                run.kill()
        output = (tmp_path / "run.log").read_text()
        assert run.returncode == 0, output
        assert "champion: promoted (wine_slow/champion updated)" in output
        assert f"↻ step {SLOW_STEP} started again: the worker running it was lost" in output
        assert "Warning" not in output
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        takers = [w for s, w in _step_workers(instance, run_id) if s == SLOW_STEP]
        [survivor] = set(cluster.workers) - {victim}
        assert takers == [victim, survivor]
        assert [s for s, _ in _step_starts(instance, run_id)].count(SLOW_STEP) == 2
        champion = instance.get_latest_materialization_event(dg.AssetKey(["wine_slow", "champion"]))
        assert champion is not None and champion.run_id == run_id


@pytest.mark.parametrize(
    ("command", "setting", "shown"),
    [
        ("run", {"TRAINYARD_POSTGRES_URL": "postgresql+psycopg2://root:s3cret@127.0.0.1:1/test"},
         "cannot reach the database at postgresql+psycopg2://root:***@127.0.0.1:1/test"),
        ("run", {"TRAINYARD_BROKER": "redis://:s3cret@127.0.0.1:1/0"},
         "cannot reach the Celery broker at redis://:***@127.0.0.1:1/0"),
        ("worker", {"TRAINYARD_BROKER": "pyamqp://guest:s3cret@127.0.0.1:1//"},
         "cannot reach the Celery broker at pyamqp://guest:***@127.0.0.1:1//"),
    ],
)  # fmt: skip
def test_an_unreachable_server_is_one_clear_line_and_nothing_stored_is_lost(
    redis_run, instance, command, setting, shown
):
    cluster, _ = redis_run
    artifacts = Path(cluster.env["TRAINYARD_ARTIFACTS"])
    before, runs = file_bytes(artifacts), len(instance.get_runs())
    args = [command, "wine"] if command == "run" else [command]
    done = cluster.trainyard(*args, **setting)
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if line.startswith("trainyard:")]
    assert line.startswith(f"trainyard: {shown}"), done.stderr
    assert "s3cret" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert file_bytes(artifacts) == before and len(instance.get_runs()) == runs
