"""Real-browser tests: Debian's Chromium, driven by Playwright, against the app served
over real HTTP (uvicorn, in this event loop) on a free port of the loopback address.

Without a Chromium (a machine with only Python) these tests are skipped, saying why;
.ci/run installs Debian's chromium so that they run in CI.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar import Litestar
from playwright.async_api import Page

from ideabox.votes.reconcile import Reconciler
from tests.conftest import running

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_VERSION = "4.14.1"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _chromium() -> str | None:
    for candidate in (os.environ.get("IDEABOX_CHROMIUM"), *CHROMIUM_CANDIDATES,
                      shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch Debian's Chromium (Playwright's own browser builds are never downloaded)."""
    if os.environ.get("IDEABOX_SKIP_BROWSER") == "1":
        pytest.skip("IDEABOX_SKIP_BROWSER=1")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set IDEABOX_CHROMIUM)")
    return {"executable_path": executable, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"locale": "da-DK", "timezone_id": "Europe/Copenhagen",
            "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture
async def live_server(app: Litestar) -> AsyncIterator[str]:
    """The app on a real port. The socket listens before the server task starts, so the
    browser's first request simply waits in the backlog: nothing polls or sleeps."""
    async with running(app):
        await asyncio.wait_for(app.state.schema_ready.wait(), 30)
        await Reconciler(app.state.services).tick()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task
            sock.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, fetched once from the npm registry into a cache (never kept in the
    repository); the accessibility checks are skipped, saying why, without npm."""
    cache = Path(os.environ.get("IDEABOX_TEST_CACHE", ARTIFACTS / ".cache"))
    script = cache / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core is not cached and npm is not installed to fetch it")
        target = cache / "npm"
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                                cwd=target, capture_output=True, text=True, timeout=300,
                                check=False)
        if result.returncode != 0:
            pytest.skip(f"npm could not fetch axe-core {AXE_VERSION}: {result.stderr[-300:]}")
        with tarfile.open(target / result.stdout.strip().splitlines()[-1]) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None
            script.parent.mkdir(parents=True, exist_ok=True)
            script.write_bytes(member.read())
    return script.read_text()


async def axe_violations(page: Page, axe: str) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe finds on the page as it is.
    (Evaluated through the DevTools protocol, which the page's CSP does not govern.)"""
    await page.evaluate(axe)
    result: dict[str, Any] = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def screenshot(page: Page, name: str) -> Path:
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=True)
    return path


class AxeCheck:
    """``await check(name)``: axe on ``page`` as it is now, its violations kept in
    ``found`` under ``name`` (a test asserts ``found == {}`` at its end, so one run
    lists every page that fails), and a screenshot."""

    def __init__(self, page: Page, axe: str) -> None:
        self.page = page
        self.axe = axe
        self.found: dict[str, list[dict[str, Any]]] = {}

    async def __call__(self, name: str) -> None:
        violations = await axe_violations(self.page, self.axe)
        if violations:
            self.found[name] = violations
        await screenshot(self.page, name)
