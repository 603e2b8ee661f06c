"""`trainyard ui`: the Dagster UI and daemon on the persistent instance, as `dagster dev` runs them.

`dagster dev` is superseded by `dg dev` (the dagster-dg-cli project tool, which wants its own
project layout) and warns on every start, so this starts the same three services itself: one
code server that loads `assets.definitions` once, and the webserver (on 127.0.0.1 by default)
and the daemon (schedules, queued runs), both reading the code through that server's socket.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from pipelines.paths import PROJECT_ROOT

CODE_LOCATION = "assets.definitions"
_POLL_SECONDS = 1.0


def _tool(name: str) -> str:
    """A console script of this environment (`dagster`, `dagster-webserver`, …)."""
    return str(Path(sys.executable).with_name(name))


def service_commands(host: str, port: int, socket: Path, workspace: Path) -> dict[str, list]:
    """The command line of each service: code server, webserver, daemon."""
    return {
        "code server": [
            _tool("dagster"), "code-server", "start", "--socket", str(socket),
            "-m", CODE_LOCATION, "-d", str(PROJECT_ROOT), "--location-name", CODE_LOCATION,
            "--log-level", "warning",
        ],
        "webserver": [
            _tool("dagster-webserver"), "-h", host, "-p", str(port), "-w", str(workspace),
        ],
        "daemon": [_tool("dagster-daemon"), "run", "-w", str(workspace)],
    }  # fmt: skip


def workspace_yaml(socket: Path) -> str:
    """A workspace of one code location served over `socket`."""
    entry = {"grpc_server": {"socket": str(socket), "location_name": CODE_LOCATION}}
    return yaml.safe_dump({"load_from": [entry]})


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """SIGTERM each service still running (webserver and daemon first), then wait for it."""
    for process in reversed(processes.values()):
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(socket: Path, code_server: subprocess.Popen) -> None:
    """Block until the code server listens (it opens its socket once the code has loaded), so
    the webserver and daemon find the code location on their first try."""
    while not socket.exists() and code_server.poll() is None:
        time.sleep(0.2)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the services as Ctrl-C does."""
    raise KeyboardInterrupt


def serve(host: str, port: int, env: dict[str, str]) -> int:
    """Run the three services until one exits or this process is interrupted or terminated.

    Returns 0 after Ctrl-C or SIGTERM, else the exit code of the service that stopped first.
    """
    with tempfile.TemporaryDirectory(prefix="trainyard-ui-") as scratch:
        socket, workspace = Path(scratch) / "code.sock", Path(scratch) / "workspace.yaml"
        workspace.write_text(workspace_yaml(socket))
        processes: dict[str, subprocess.Popen] = {}
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            for name, command in service_commands(host, port, socket, workspace).items():
                processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
                if name == "code server":
                    print("trainyard: loading the pipelines ...", flush=True)
                    _wait_for(socket, processes[name])
            print(f"trainyard: starting the Dagster UI on http://{host}:{port} (Ctrl-C stops it)")
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        print(f"trainyard: the {name} exited with code {process.returncode}")
                        return process.returncode or 1
                time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            _stop(processes)
