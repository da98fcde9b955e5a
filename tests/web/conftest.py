"""Web inbox tests: a server with the HTTP port on loopback, and Debian's Chromium driven by Playwright.

Playwright's own browser download is not used; the tests drive ``/usr/bin/chromium``. Every host but
loopback goes to a dead proxy, so a page that tried to reach the network would fail visibly, and each
test records every request the browser made.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request

from elektromail import ServerThread
from tests.conftest import ServerFactory

CHROMIUM = "/usr/bin/chromium"
# Set by scripts/test-web for its run against the image: every selected test must run there.
NO_SKIPS_ENV = "ELEKTROMAIL_WEB_NO_SKIPS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under ELEKTROMAIL_WEB_NO_SKIPS=1 a skipped test is a failed one, so a run that was meant to cover
    the image cannot pass by skipping what it came to check."""
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and os.environ.get(NO_SKIPS_ENV) == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped, but {NO_SKIPS_ENV}=1 says every selected test runs: {report.longrepr}"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    path = CHROMIUM if shutil.which(CHROMIUM) else shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is not installed (Debian package chromium; scripts/install-system installs it)")
    # Root needs --no-sandbox; every host but loopback goes to a dead proxy.
    return {"executable_path": path, "args": ["--no-sandbox", "--proxy-server=127.0.0.1:9"]}


class WebServer:
    """A running server and an HTTP client for its API."""

    def __init__(self, thread: ServerThread) -> None:
        self.thread = thread
        self.url = f"http://127.0.0.1:{thread.http_port}"
        self.api = httpx.Client(base_url=self.url, timeout=10)

    def inject(self, **fields: Any) -> str:
        fields.setdefault("to", "alice@example.com")
        response = self.api.post("/inject", json=fields)
        assert response.status_code == 201, response.text
        message_id: str = response.json()["messages"][0]["id"]
        return message_id

    def inject_raw(self, raw: str, to: str = "alice@example.com") -> str:
        return self.inject(to=to, raw=raw)


@pytest.fixture
def web(make_server: ServerFactory) -> Iterator[WebServer]:
    server = WebServer(make_server(http_port=0))
    yield server
    server.api.close()


class Requests:
    """Every URL the browser asked for, from any frame, and why those that failed did.

    Chromium reports a request that its own rules stopped before sending (a CSP or same-origin refusal)
    as a failed request with the reason ``csp`` or ``origin``; anything else to another host was sent
    (and met the dead proxy).
    """

    REFUSED_BY_BROWSER = frozenset({"csp", "origin"})

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.refused: set[str] = set()

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def record_failure(self, request: Request) -> None:
        if request.failure in self.REFUSED_BY_BROWSER:
            self.refused.add(request.url)

    def foreign(self, origin: str, since: int = 0) -> list[str]:
        """Requests sent to anywhere but ``origin`` (data:, about: and cid: URLs never leave the browser)."""
        return [
            url
            for url in self.urls[since:]
            if not url.startswith((origin + "/", "data:", "about:", "cid:")) and url not in self.refused
        ]


@pytest.fixture
def requests_seen(context: BrowserContext) -> Requests:
    seen = Requests()
    context.on("request", seen.record)
    context.on("requestfailed", seen.record_failure)
    return seen


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt a page opened (each is dismissed)."""
    opened: list[str] = []

    def on_dialog(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened
