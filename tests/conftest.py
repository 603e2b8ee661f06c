"""Shared fixtures: an isolated trainyard home and Dagster instance per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def trainyard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every write (reports, artifacts, .dagster) at a temporary directory."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TRAINYARD_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / ".dagster"))
    return home
