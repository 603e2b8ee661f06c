"""The Dagster UI path as a user takes it: the webserver on `workspace.yaml`, then GraphQL.

One webserver (and its code server) per module, on a free loopback port, with a throwaway
`DAGSTER_HOME` (telemetry off, runs launched at once without the daemon) and `TRAINYARD_HOME`.
The tests read the asset graph the UI draws, launch `viral_posts_seed_retrain` as the
Launchpad does, and read back the run status, the evaluation's metadata and the promotion
gate the way the asset pages do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.paths import PROJECT_ROOT
from tests.servers import free_port, start_server, stop_server

pytestmark = pytest.mark.slow

PIPELINES = ("viral_posts", "viral_posts_seed")
ASSET_NAMES = {"raw", "validated", "normalized", "model", "evaluation", "champion"}
JOB = "viral_posts_seed_retrain"
STARTUP_TIMEOUT = 90.0
RUN_TIMEOUT = 120.0
TERMINAL_RUN_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}

# Loopback only: ignore any http_proxy in the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

DAGSTER_YAML = """\
telemetry:
  enabled: false
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
"""


@dataclass
class Webserver:
    url: str
    process: subprocess.Popen
    log_path: Path
    trainyard_home: Path

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 30.0) -> dict:
        """POST a query; return `data`, failing the test on transport or GraphQL errors."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            pytest.fail(f"GraphQL HTTP {error.code}: {detail}\nwebserver log:\n{self.log()}")
        assert not payload.get("errors"), f"GraphQL errors: {payload['errors']}"
        return payload["data"]


def _wait_until_ready(server: Webserver) -> None:
    """Poll /server_info, then the workspace, until the code location is loaded."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error: object = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"webserver exited with {server.process.returncode} before it was ready:\n"
                f"{server.log()}"
            )
        try:
            with _OPENER.open(f"{server.url}/server_info", timeout=5) as response:
                if response.status == 200:
                    entries = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]
                    statuses = [e["loadStatus"] for e in entries.get("locationEntries", [])]
                    if statuses and all(s == "LOADED" for s in statuses):
                        for entry in entries["locationEntries"]:
                            location = entry["locationOrLoadError"]
                            if location["__typename"] != "RepositoryLocation":
                                pytest.fail(f"code location {entry['name']} failed: {location}")
                        return
                    last_error = entries
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error
        time.sleep(0.5)
    pytest.fail(
        f"webserver not ready after {STARTUP_TIMEOUT:.0f} s (last: {last_error!r}); log:\n"
        f"{server.log()}"
    )


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webserver]:
    root = tmp_path_factory.mktemp("ui")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    trainyard_home = root / "trainyard_home"
    trainyard_home.mkdir()
    log_path = root / "webserver.log"

    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "TRAINYARD_HOME": str(trainyard_home),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "dagster_webserver",
        "-h", "127.0.0.1", "-p", str(port),
        "-w", str(PROJECT_ROOT / "workspace.yaml"),
    ]  # fmt: skip
    process = start_server(command, env, log_path)
    server = Webserver(f"http://127.0.0.1:{port}", process, log_path, trainyard_home)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop_server(process, grace=15)


WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name jobs { name } } }
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

ASSET_NODES_QUERY = """
query AssetGraph {
  assetNodes {
    assetKey { path }
    groupName
    description
    opVersion
  }
}
"""

LAUNCH_MUTATION = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}
"""

RUN_QUERY = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status jobName }
    ... on Error { message }
  }
}
"""

ASSET_QUERY = """
query Asset($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    __typename
    ... on Asset {
      assetMaterializations(limit: 1) {
        runId
        metadataEntries {
          __typename
          label
          ... on FloatMetadataEntry { floatValue }
        }
      }
    }
    ... on AssetNotFoundError { message }
  }
}
"""

CHECKS_QUERY = """
query Checks($path: [String!]!) {
  assetNodeOrError(assetKey: {path: $path}) {
    __typename
    ... on AssetNode {
      assetChecksOrError {
        __typename
        ... on AssetChecks {
          checks {
            name
            blocking
            executionForLatestMaterialization {
              runId
              status
              evaluation { success }
            }
          }
        }
        ... on Error { message }
      }
    }
    ... on Error { message }
  }
}
"""


def _job_location(server: Webserver, job: str) -> tuple[str, str]:
    """(code location name, repository name) of the single repository that defines `job`."""
    workspace = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    found = []
    for entry in workspace["locationEntries"]:
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        for repository in location["repositories"]:
            if job in {j["name"] for j in repository["jobs"]}:
                found.append((location["name"], repository["name"]))
    assert len(found) == 1, f"{job} in {found}"
    return found[0]


def test_asset_graph_shows_both_pipelines_with_descriptions_and_code_versions(webserver):
    nodes = webserver.graphql(ASSET_NODES_QUERY)["assetNodes"]
    for group in PIPELINES:
        members = [n for n in nodes if n["groupName"] == group]
        keys = {tuple(n["assetKey"]["path"]) for n in members}
        assert keys == {(group, name) for name in ASSET_NAMES}, f"group {group}: {sorted(keys)}"
        for node in members:
            key = "/".join(node["assetKey"]["path"])
            assert node["description"] and node["description"].strip(), f"{key}: no description"
            assert node["opVersion"], f"{key}: no code version"


def test_launching_retrain_from_graphql_materializes_and_promotes(webserver):
    location, repository = _job_location(webserver, JOB)
    assert repository == "__repository__"
    params = {
        "selector": {
            "repositoryLocationName": location,
            "repositoryName": repository,
            "jobName": JOB,
        },
        "runConfigData": {},
    }
    launched = webserver.graphql(LAUNCH_MUTATION, {"executionParams": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + RUN_TIMEOUT
    status = launched["run"]["status"]
    while status not in TERMINAL_RUN_STATUSES:
        assert time.monotonic() < deadline, (
            f"run {run_id} still {status} after {RUN_TIMEOUT:.0f} s; webserver log:\n"
            f"{webserver.log()}"
        )
        time.sleep(0.5)
        run = webserver.graphql(RUN_QUERY, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        assert run["jobName"] == JOB
        status = run["status"]
    assert status == "SUCCESS", f"run {run_id} ended {status}; log:\n{webserver.log()}"

    asset = webserver.graphql(ASSET_QUERY, {"path": ["viral_posts_seed", "evaluation"]})
    asset = asset["assetOrError"]
    assert asset["__typename"] == "Asset", asset
    [materialization] = asset["assetMaterializations"]
    assert materialization["runId"] == run_id
    entries = {e["label"]: e for e in materialization["metadataEntries"]}
    assert entries["accuracy"]["__typename"] == "FloatMetadataEntry", entries.get("accuracy")
    assert 0.0 <= entries["accuracy"]["floatValue"] <= 1.0

    node = webserver.graphql(CHECKS_QUERY, {"path": ["viral_posts_seed", "champion"]})
    node = node["assetNodeOrError"]
    assert node["__typename"] == "AssetNode", node
    checks = node["assetChecksOrError"]
    assert checks["__typename"] == "AssetChecks", checks
    gate = {c["name"]: c for c in checks["checks"]}["promotion_gate"]
    assert gate["blocking"] is True
    execution = gate["executionForLatestMaterialization"]
    assert execution is not None, "promotion_gate has no execution"
    assert execution["runId"] == run_id
    assert execution["status"] == "SUCCEEDED", execution
    assert execution["evaluation"]["success"] is True

    report = webserver.trainyard_home / "reports" / "viral_posts_seed" / "report.md"
    assert report.is_file(), f"no report at {report}"
    assert "accuracy" in report.read_text()
