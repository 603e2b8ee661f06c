"""`trainyard ui`'s services: loopback by default, one code server that the others read."""

from pathlib import Path

import yaml

from assets.cli import parser
from assets.ui import CODE_LOCATION, service_commands, workspace_yaml


def test_the_ui_binds_the_loopback_address_unless_told_otherwise():
    args = parser().parse_args(["ui"])
    assert (args.host, args.port) == ("127.0.0.1", 3000)
    assert parser().parse_args(["ui", "--host", "0.0.0.0"]).host == "0.0.0.0"


def test_webserver_and_daemon_read_the_code_server_socket_and_nothing_runs_dagster_dev():
    socket, workspace = Path("/run/x/code.sock"), Path("/run/x/workspace.yaml")
    commands = service_commands("127.0.0.1", 3000, socket, workspace)
    assert list(commands) == ["code server", "webserver", "daemon"]
    code_server = commands["code server"]
    assert code_server[1:4] == ["code-server", "start", "--socket"]
    assert code_server[code_server.index("-m") + 1] == CODE_LOCATION
    assert commands["webserver"][1:] == ["-h", "127.0.0.1", "-p", "3000", "-w", str(workspace)]
    assert commands["daemon"][1:] == ["run", "-w", str(workspace)]
    assert all("dev" not in command for command in commands.values())
    [entry] = yaml.safe_load(workspace_yaml(socket))["load_from"]
    assert entry == {"grpc_server": {"socket": str(socket), "location_name": CODE_LOCATION}}
