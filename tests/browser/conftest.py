"""Browser fixtures: the real app on a loopback port, and Debian's Chromium via Playwright.

Every page a test opens records its requests; a test fails if any went to another origin.
Screenshots of every journey are saved under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from directory.web.app import create_app

from ..conftest import FROZEN_NOW, FROZEN_TODAY

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def serve(app):
    """Serve an app on a free loopback port in a background thread; returns (url, server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture(scope="session")
def live_server(built_instance):
    # The tests' frozen moment, as every other app in the suite: a sheet's date, its coming
    # closures and "open now" never depend on the day the tests run.
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                      "NOW": FROZEN_NOW, "TODAY": FROZEN_TODAY.isoformat()})
    url, server = serve(app)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = os.environ.get("DIRECTORY_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is not installed: run scripts/test, which installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser context for one test: its page, the requests it made, its screenshots."""

    def __init__(self, browser, base_url: str, name: str, **options):
        self.base_url = base_url
        self.name = re.sub(r"[^\w.-]+", "_", name)
        self.context = browser.new_context(base_url=base_url, **options)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message),
                                               dialog.dismiss()))
        self.shots = 0

    def screenshot(self, label: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png",
                             full_page=True)

    def foreign_requests(self) -> list[str]:
        own = self.base_url.rstrip("/")
        return [url for url in self.requests
                if not (url.startswith(own + "/") or url == own or url.startswith("data:"))]


@pytest.fixture
def visit(browser, live_server, request):
    """Open a fresh context; ``visit(**context_options)`` returns a Visit. Checks origins after."""
    opened: list[Visit] = []

    def open_context(base_url: str = live_server, **options) -> Visit:
        options.setdefault("viewport", PHONE)
        v = Visit(browser, base_url, f"{request.node.name}-{len(opened)}", **options)
        opened.append(v)
        return v

    yield open_context
    for v in opened:
        foreign = v.foreign_requests()
        v.context.close()
        assert foreign == [], f"requests left the site: {foreign}"
