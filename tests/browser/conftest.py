"""A real browser on the real page: ``streamlit run app.py`` with the test model, driven by
Playwright through Debian's Chromium (``apt-get install chromium``; ``pip install playwright``).

One server for every browser test (started once: a first visit loads the model), run from the
repository with its own ``.streamlit/config.toml``, and with the redraw interval at 0, so that
every test streams with as many redraws as the page can make. The tests skip, with the reason,
only where Chromium or Playwright is not installed. Screenshots go to
``$TRANSLATOR_SCREENSHOTS`` (default ``artifacts/screenshots``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..fixtures.browser import FIRST_VISIT_PROBE, PAGE_SECONDS

CHROMIUM = Path(os.environ.get("TRANSLATOR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("TRANSLATOR_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
SERVER_START_SECONDS = 60


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install playwright)")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log
        self.first_visit: dict[str, float | None] = {}

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-4000:]


@pytest.fixture(scope="session")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``streamlit run app.py`` on a free local port with the test model; always stopped."""
    _playwright()
    if (
        shutil.which("streamlit") is None
        and not (Path(sys.executable).parent / "streamlit").exists()
    ):
        pytest.skip("streamlit is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {
        **os.environ,
        "TRANSLATOR_MODEL": str(model_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSLATOR_REDRAW_SECONDS": "0",
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    running = Server(url, process, log)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{running.output()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within {SERVER_START_SECONDS} s")
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    sync_playwright = _playwright()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def visited(server: Server, browser) -> Server:
    """The server after its first visit (which loads the model): what that visit saw is in
    ``server.first_visit``, kept whichever test asks first."""
    if not server.first_visit:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.add_init_script(FIRST_VISIT_PROBE)
        page.goto(server.url)
        page.wait_for_selector(".bi-root[data-complete='true']", timeout=PAGE_SECONDS * 1000)
        server.first_visit = page.evaluate("window.__visit")
        context.close()
    return server


class Dialogs(list):
    """Every dialog a page opens (alert, confirm, prompt): any one is an XSS tripwire."""


def _open(browser, server: Server, color_scheme: str):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        color_scheme=color_scheme,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(PAGE_SECONDS * 1000)
    dialogs = Dialogs()

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    page.goto(server.url)
    return context, page


@pytest.fixture()
def page(browser, visited):
    context, opened = _open(browser, visited, "light")
    yield opened
    context.close()


@pytest.fixture()
def dark_page(browser, visited):
    context, opened = _open(browser, visited, "dark")
    yield opened
    context.close()


@pytest.fixture()
def phone(browser, visited):
    """A 390 px phone (touch, dark theme)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", has_touch=True
    )
    opened = context.new_page()
    opened.set_default_timeout(PAGE_SECONDS * 1000)
    opened.goto(visited.url)
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
