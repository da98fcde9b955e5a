"""The inbox in Chromium: live delivery, keyboard, search, previews, the token flow and accessibility."""

from __future__ import annotations

import imaplib
import re
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ServerFactory
from tests.web.conftest import Requests, WebServer

pytestmark = pytest.mark.timeout(120)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def body_frame(page: Page) -> Any:
    page.locator("iframe.body").wait_for()
    for frame in page.frames:
        if "/body" in frame.url:
            frame.wait_for_load_state()
            return frame
    raise AssertionError("no body frame")


def test_new_mail_appears_without_reload(web: WebServer, page: Page, requests_seen: Requests) -> None:
    web.inject(subject="already here")
    with page.expect_response(lambda answer: answer.url.endswith("/web/live")) as live:
        page.goto(web.url + "/")
    # Chromium asks for the deflate coding, and inflates each event as it comes (below).
    assert live.value.header_value("content-encoding") == "deflate"
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.evaluate("window.stillTheSamePage = true")
    web.inject(subject="fresh from the app")
    expect(page.locator("tr[data-row]").first).to_contain_text("fresh from the app")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("[data-unread-total]")).to_have_text("2")
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    assert requests_seen.foreign(web.url) == []


def test_changes_by_imap_clients_show_at_once(web: WebServer, page: Page) -> None:
    message_id = web.inject(subject="watched")
    imap = imaplib.IMAP4("127.0.0.1", web.thread.imap_port)
    imap.login("alice", "wonderland")
    imap.select("INBOX")
    uid = message_id.split("-")[1]
    page.goto(f"{web.url}/m/{message_id}")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.evaluate("window.stillTheSamePage = true")
    imap.uid("STORE", uid, "+FLAGS", "(\\Flagged)")
    expect(page.locator("button[data-key=s]")).to_have_text("Unflag")
    page.goto(f"{web.url}/u/alice/INBOX")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.evaluate("window.stillTheSamePage = true")
    expect(page.locator("tr[data-row]").first).to_have_class(re.compile(r"\bunread\b"))
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    expect(page.locator("tr[data-row]").first).not_to_have_class(re.compile(r"\bunread\b"))
    imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    imap.expunge()
    expect(page.locator("tr[data-row]")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    imap.logout()


def test_keyboard_moves_opens_acts_and_returns(web: WebServer, page: Page) -> None:
    for subject in ("one", "two", "three"):
        web.inject(subject=subject)
    page.goto(web.url + "/")
    rows = page.locator("tr[data-row]")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("selected"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("Enter")
    expect(page.locator("h1#subject")).to_have_text("three")
    page.keyboard.press("r")
    expect(page.locator("button[data-key=r]")).to_have_text("Mark unread")
    page.keyboard.press("s")
    expect(page.locator("button[data-key=s]")).to_have_text("Unflag")
    page.keyboard.press("j")
    expect(page.locator("h1#subject")).to_have_text("two")
    page.keyboard.press("k")
    expect(page.locator("h1#subject")).to_have_text("three")
    page.keyboard.press("#")
    expect(page.locator("tr[data-row]")).to_have_count(2)
    page.keyboard.press("?")
    expect(page.locator("dialog#help")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    flags = web.api.get("/messages", params={"user": "alice"}).json()["messages"]
    assert "three" not in {summary["subject"] for summary in flags}


def test_keyboard_acts_on_the_selected_row_of_the_list(web: WebServer, page: Page) -> None:
    web.inject(subject="older")
    newest = web.inject(subject="newest")
    page.goto(web.url + "/u/alice/INBOX")
    rows = page.locator("tr[data-row]")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(rows.first).not_to_have_class(re.compile(r"\bunread\b"))
    expect(rows.first).to_have_class(re.compile(r"\bselected\b"))  # the selection survives the refresh
    page.keyboard.press("s")
    expect(rows.first).to_have_class(re.compile(r"\bflagged\b"))
    detail = web.api.get(f"/messages/by-id/{newest}").json()
    assert detail["flags"] == ["\\Flagged", "\\Seen"]
    page.keyboard.press("#")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("older")
    expect(page).to_have_url(web.url + "/u/alice/INBOX")


def test_list_columns_are_readable_at_1280_px(web: WebServer, page: Page) -> None:
    recipients = [f"recipient-number-{n}@a-rather-long-domain.example" for n in range(8)]
    raw = (
        f"From: Notifications of a long-named service <notifications@service.example>\r\nTo: {', '.join(recipients)}"
        "\r\nSubject: to many\r\n\r\nhi\r\n"
    )
    now = datetime.now(UTC)
    web.inject(to="alice@example.com", raw=raw, internal_date=(now - timedelta(days=400)).isoformat())
    # The widest form: a two-digit day and a wide month of this year (a date later this year shows so too).
    widest = datetime(now.year, 5, 28, 23, 58, tzinfo=UTC)
    if widest.date() == now.date():
        widest = widest.replace(day=27)
    web.inject(to="alice@example.com", raw=raw, internal_date=widest.isoformat())
    web.inject(to="alice@example.com", raw=raw, internal_date=(now - timedelta(days=1)).isoformat())
    web.inject(to="alice@example.com", raw=raw)
    page.set_viewport_size({"width": 1280, "height": 800})
    for path in ("/", "/u/alice/INBOX"):
        page.goto(web.url + path)
        dates = page.locator("tr[data-row] td.date")
        expect(dates).to_have_count(4)
        fits = dates.evaluate_all("cells => cells.map(c => c.scrollWidth <= c.clientWidth && c.clientWidth > 0)")
        assert fits == [True, True, True, True], path
        texts = dates.all_inner_texts()
        today = [n for n, text in enumerate(texts) if re.fullmatch(r"\d\d:\d\d", text)]
        assert len(today) == 1, texts
        assert {f"{now - timedelta(days=400):%Y-%m-%d}", f"{widest.day} May 23:58"} <= set(texts), texts
        title = dates.nth(today[0]).locator("time").get_attribute("title") or ""
        assert title.startswith(now.strftime("%Y-%m-%d ") + texts[today[0]] + ":"), title
        to = page.locator("tr[data-row] td.to").first
        assert to.get_attribute("title") == ", ".join(recipients) + "; Bcc: alice@example.com"
        assert to.evaluate("c => getComputedStyle(c).textOverflow") == "ellipsis"
    expect(page.locator("tr[data-row] td.where")).to_have_count(0)
    page.goto(web.url + "/")
    expect(page.locator("tr[data-row] td.where").first).to_have_text("alice / INBOX")


def test_search_as_you_type_names_the_view_in_the_address_bar(web: WebServer, page: Page) -> None:
    web.inject(subject="password reset")
    web.inject(subject="weekly digest")
    page.goto(web.url + "/u/alice/INBOX")
    page.locator("#q").press_sequentially("digest", delay=20)
    expect(page.locator("tr[data-row]")).to_have_count(1)
    expect(page.locator("tr[data-row]")).to_contain_text("weekly digest")
    expect(page).to_have_url(re.compile(r"/u/alice/INBOX\?q=digest$"))


PREVIEWED = (
    "<!DOCTYPE html><html><head><style>body{background:#ffffff;color:#000000}"
    "@media (prefers-color-scheme: dark){body{background:rgb(1, 2, 3)}}</style></head>"
    "<body><p id=x>Hello</p></body></html>"
)


def test_phone_and_tablet_previews(web: WebServer, page: Page) -> None:
    message_id = web.inject(subject="preview", html=PREVIEWED)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{web.url}/m/{message_id}?width=phone")
    box = page.locator("iframe.body").bounding_box()
    assert box is not None
    assert box["width"] == 375
    page.goto(f"{web.url}/m/{message_id}?width=tablet")
    box = page.locator("iframe.body").bounding_box()
    assert box is not None
    assert box["width"] == 768


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_dark_previews_show_the_same_in_either_ui_theme(web: WebServer, browser: Browser, theme: str) -> None:
    """Off is the light mail, the mail's own dark style is its dark rules, inversion inverts the light mail:
    whether the UI (and the system it follows) is light or dark."""
    message_id = web.inject(subject="preview", html=PREVIEWED)
    context = browser.new_context(color_scheme=theme)  # type: ignore[arg-type]
    page = context.new_page()
    seen = {}
    for mode in ("off", "scheme", "invert"):
        page.goto(f"{web.url}/m/{message_id}?dark={mode}")
        frame = body_frame(page)
        seen[mode] = frame.evaluate(
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.documentElement).filter,"
            " getComputedStyle(document.documentElement).colorScheme, document.compatMode]"
        )
    context.close()
    assert seen == {
        "off": ["rgb(255, 255, 255)", "none", "light", "CSS1Compat"],
        "scheme": ["rgb(1, 2, 3)", "none", "dark", "CSS1Compat"],
        "invert": ["rgb(255, 255, 255)", "invert(1) hue-rotate(180deg)", "light", "CSS1Compat"],
    }


def test_token_asked_once_and_kept_out_of_reach(make_server: ServerFactory, page: Page) -> None:
    server = make_server(http_port=0, http_token="browser-token")
    base = f"http://127.0.0.1:{server.http_port}"
    page.goto(base + "/u/alice")
    expect(page).to_have_url(re.compile(r"/web/login\?next="))
    page.locator("#token").fill("browser-token")
    page.locator("button", has_text="Sign in").click()
    expect(page).to_have_url(base + "/u/alice")
    expect(page.locator("h1#list-title")).to_have_text("alice")
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script of the page can read it
    cookies = page.context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [("elektromail_session", True, "Strict")]
    page.goto(base + "/web/compose")
    expect(page.locator("h1")).to_have_text("Compose a test message")
    assert "browser-token" not in page.url


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violation(web: WebServer, browser: Browser, theme: str) -> None:
    message_id = web.inject(subject="Accessible", text="plain", html="<p>Hi</p>")
    web.inject(subject="Second")
    # axe is injected as a script of its own: only this test's context lets it past the pages' CSP.
    context = browser.new_context(bypass_csp=True, color_scheme=theme)  # type: ignore[arg-type]
    page = context.new_page()
    with smtplib.SMTP("127.0.0.1", web.thread.smtp_port) as smtp:
        smtp.sendmail("a@example.com", ["alice@example.com"], b"Subject: by SMTP\r\n\r\nhi\r\n")
    session = web.api.get("/sessions").json()["sessions"][0]["id"]
    paths = ("/", f"/m/{message_id}", f"/m/{message_id}?tab=headers", f"/m/{message_id}?tab=parts")
    for path in (*paths, "/web/compose", "/web/rules", "/web/server", "/web/sessions", f"/web/sessions/{session}"):
        page.goto(web.url + path)
        assert axe_violations(page) == [], path
    context.close()
