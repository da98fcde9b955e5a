"""A mailbox of 100,000 messages: the inbox opens on its newest page with a bounded DOM and pages on.

How long the first rows take (server and render) is measured and printed, never asserted: timings on a
shared machine are not a test (the bench is where speed is judged).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from elektromail.mail.message import ParsedMessage
from tests.servers import IN_PROCESS_ONLY, binary_mode
from tests.web.conftest import WebServer

pytestmark = [pytest.mark.timeout(300), pytest.mark.skipif(binary_mode(), reason=IN_PROCESS_ONLY)]
COUNT = 100_000
START = datetime(2026, 1, 1, tzinfo=UTC)
RAW = (
    b"From: sender%d@example.com\r\nTo: alice@example.com\r\nSubject: message number %06d\r\n"
    b"Date: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nbody of message %d\r\n"
)


def fill(web: WebServer) -> None:
    store = web.thread.server.store
    account = store.account("alice")
    assert account is not None
    items = [(ParsedMessage(RAW % (n, n, n)), (), START + timedelta(seconds=n)) for n in range(COUNT)]
    web.thread.call(lambda: store.append_many(account.inbox, items), timeout=120)


def test_first_rows_of_a_100k_mailbox(web: WebServer, page: Page, capsys: pytest.CaptureFixture[str]) -> None:
    fill(web)
    started = time.perf_counter()
    answer = web.api.get("/u/alice/INBOX", headers={"Accept": "text/html"})
    server_ms = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200
    page.goto(web.url + "/u/alice/INBOX")
    rows = page.locator("tr[data-row]")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(f"message number {COUNT - 1:06d}")
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd]; })()"
    )
    expect(page.locator(".total")).to_have_text(f"{COUNT} messages")
    page.locator("a[rel=next]").click()
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(f"message number {COUNT - 51:06d}")
    page.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile(r"\bselected\b"))
    search_started = time.perf_counter()
    found = web.api.get("/u/alice/INBOX", params={"q": "number 054321"}, headers={"Accept": "text/html"}, timeout=120)
    search_ms = (time.perf_counter() - search_started) * 1000
    assert found.text.count("data-row ") == 1
    with capsys.disabled():
        print(
            f"\n100k mailbox: page served in {server_ms:.0f} ms (HTTP client); in Chromium, first byte at "
            f"{timing[0]:.0f} ms, page received at {timing[1]:.0f} ms, rows in the DOM at {timing[2]:.0f} ms "
            f"after navigation start; a search over all of them in {search_ms:.0f} ms"
        )
