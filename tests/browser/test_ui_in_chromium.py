"""The Dagster UI as a person uses it: `trainyard ui` in Debian's Chromium, driven by Playwright.

`trainyard ui` runs on a free loopback port with a throwaway `TRAINYARD_HOME`; the test opens
the asset graph, clicks Materialize all on the `viral_posts` group, waits for the run to
succeed, then opens `viral_posts/evaluation` and reads the report with its plots. Screenshots
go to `test-artifacts/browser/` (git-ignored). Playwright drives the system Chromium
(`/usr/bin/chromium`); it never downloads a browser. Under `CI=true` a missing Chromium fails
the test; elsewhere it skips, saying how to install it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright

from pipelines.paths import PROJECT_ROOT
from pipelines.spec import load_specs
from tests.servers import free_port, start_server, stop_server

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
GROUP = "viral_posts"
LOCATION = "assets.definitions"
# Generous: the machine has two cores and CI may run other work beside this test.
STARTUP_TIMEOUT_S = 300.0
STEP_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 300_000


@dataclass
class Ui:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]


def _chromium() -> Path:
    """The system Chromium; under CI its absence fails the test, elsewhere it skips it."""
    if CHROMIUM.is_file():
        return CHROMIUM
    message = (
        f"the browser test drives Debian's Chromium at {CHROMIUM}, which is missing: install it "
        "with `apt-get install chromium` (as root; .ci/run does this on CI)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ui]:
    """`trainyard ui --port <free port>` with a throwaway home (its own Dagster instance)."""
    _chromium()
    home = tmp_path_factory.mktemp("browser")
    log_path = home / "ui.log"
    port = free_port()
    env = {**os.environ, "TRAINYARD_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("DAGSTER_HOME", None)
    command = [str(Path(sys.executable).with_name("trainyard")), "ui", "--port", str(port)]
    process = start_server(command, env, log_path)
    try:
        yield Ui(f"http://127.0.0.1:{port}", process, log_path)
    finally:
        stop_server(process, grace=60)


@pytest.fixture(scope="module")
def page(ui: Ui) -> Iterator[Page]:
    """A Chromium page on the UI's front page, once the UI answers."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        expect.set_options(timeout=STEP_TIMEOUT_MS)
        # Dagster asks once per browser to "Join the community"; dismiss it whenever it shows.
        skip = page.get_by_role("button", name="Skip")
        page.add_locator_handler(skip, lambda: skip.click())
        _open_when_up(page, ui)
        yield page
        browser.close()


def _open_when_up(page: Page, ui: Ui) -> None:
    """Load the front page, retrying while the UI is still starting (connection refused)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if ui.process.poll() is not None:
            pytest.fail(f"trainyard ui exited with {ui.process.returncode}:\n{ui.log()}")
        try:
            page.goto(ui.url)
            return
        except PlaywrightError as error:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the UI did not answer in {STARTUP_TIMEOUT_S:.0f} s ({error}):\n{ui.log()}"
                )
            time.sleep(1.0)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def test_the_asset_graph_shows_every_pipeline_group(page: Page, ui: Ui):
    page.goto(f"{ui.url}/asset-groups")
    expect(page.get_by_text("Global asset lineage").first).to_be_visible()
    for group in load_specs():
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
    _shot(page, "asset_graph")
    assert "SupersessionWarning" not in ui.log(tail=100_000), ui.log()


def test_materialize_the_group_then_read_the_report_with_its_plots(page: Page, ui: Ui):
    page.goto(f"{ui.url}/locations/{LOCATION}/asset-groups/{GROUP}")
    for asset in ("raw", "validated", "normalized", "model", "evaluation", "champion"):
        expect(page.get_by_text(asset, exact=True).first).to_be_visible()
    page.get_by_role("button", name="Materialize all").click()
    launched = page.locator("a[href*='/runs/']").first
    expect(launched).to_be_visible()
    run_path = launched.get_attribute("href")

    page.goto(f"{ui.url}{run_path}")
    status = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    expect(status).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _shot(page, "run")
    assert status.inner_text() == "Success", f"run {run_path} ended {status.inner_text()}"

    page.goto(f"{ui.url}/asset-groups")
    expect(page.get_by_text(GROUP, exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile("fetching statuses"))).to_have_count(0)
    _shot(page, "asset_graph_after_run")

    page.goto(f"{ui.url}/assets/{GROUP}/evaluation")
    report_row = page.locator("tr", has=page.get_by_text("report", exact=True))
    report_row.get_by_text("[Show Markdown]").click()
    report = page.get_by_role("dialog")
    expect(report.get_by_role("heading", name="Metrics")).to_be_visible()
    expect(report).to_contain_text("accuracy")
    expect(report).to_contain_text("0.8355")
    plots = report.locator("img")
    alts = [plots.nth(i).get_attribute("alt") for i in range(plots.count())]
    assert alts == [
        "Learning curve",
        "Confusion matrix",
        "Error per epoch for learning rates 1e-05, 0.01 and 0.1",
    ]
    for i in range(plots.count()):
        expect(plots.nth(i)).to_be_visible()
        assert plots.nth(i).evaluate("img => img.complete && img.naturalWidth") > 0, alts[i]
    report.get_by_role("heading", name="Metrics").evaluate("h => h.scrollIntoView()")
    _shot(page, "report")
