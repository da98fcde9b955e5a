"""The pages over plain HTTP: what each serves, with which headers, and what the forms change."""

from __future__ import annotations

import gzip
import imaplib
import re
import smtplib

import httpx
import pytest

from elektromail.web import assets
from tests.web.conftest import WebServer

UI_PATHS = ("/", "/u/alice", "/u/alice/INBOX", "/web/compose", "/web/rules", "/web/server", "/web/sessions")


def page(web: WebServer, path: str, **kwargs: object) -> httpx.Response:
    return web.api.get(path, headers={"Accept": "text/html"}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", UI_PATHS)
def test_every_page_has_a_csp_without_inline_script_nosniff_and_frame_ancestors(web: WebServer, path: str) -> None:
    response = page(web, path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # only <script src=...> of the page's own files
    assert not re.search(r"\son[a-z]+=", response.text)  # no inline event handlers either


def test_message_page_and_body_headers(web: WebServer) -> None:
    message_id = web.inject(subject="hello", html="<p>Hi</p>", text="Hi")
    message = page(web, f"/m/{message_id}")
    assert message.status_code == 200
    assert re.search(r'<iframe sandbox="" src="/m/' + message_id + r"/body", message.text)
    body = web.api.get(f"/m/{message_id}/body")
    policy = body.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'")
    assert "img-src cid: data:;" in policy
    assert "sandbox" in policy.split("; ")
    assert "frame-ancestors 'self'" in policy
    assert "script" not in policy
    assert body.headers["referrer-policy"] == "no-referrer"
    assert body.headers["x-content-type-options"] == "nosniff"
    assert body.text.strip() == "<style>:root{color-scheme:light}</style><p>Hi</p>"  # the light preview
    remote = web.api.get(f"/m/{message_id}/body?remote=1").headers["content-security-policy"]
    assert "img-src cid: data: http: https:" in remote
    assert "script" not in remote


def test_mail_data_is_escaped_everywhere(web: WebServer) -> None:
    evil = '<img src=x onerror="alert(1)">'
    raw = (
        f"From: =?utf-8?q?=3Cscript=3Ealert(1)=3C/script=3E?= <a@b.test>\r\n"
        f"To: alice@example.com\r\nSubject: {evil}\r\nX-Evil: {evil}\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        f'--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="{evil}.txt"\r\n'
        "\r\nAAAA\r\n--b--\r\n"
    )
    message_id = web.inject_raw(raw)
    for path in ("/", f"/m/{message_id}?tab=headers", f"/m/{message_id}?tab=parts", f"/m/{message_id}?tab=attachments"):
        text = page(web, path).text
        assert "<img src=x" not in text
        assert "<script>alert" not in text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page(web, "/").text


def test_cid_images_are_inlined_from_the_message_itself(web: WebServer) -> None:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    raw = (
        "From: a@b.test\r\nTo: alice@example.com\r\nSubject: cid\r\n"
        'Content-Type: multipart/related; boundary="r"\r\n\r\n'
        '--r\r\nContent-Type: text/html\r\n\r\n<img src="cid:logo@x"><img src="cid:missing@x">\r\n'
        "--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{png}\r\n--r--\r\n"
    )
    message_id = web.inject_raw(raw)
    body = web.api.get(f"/m/{message_id}/body").text
    assert f'<img src="data:image/png;base64,{png}">' in body
    assert '<img src="cid:missing@x">' in body


def test_parts_and_source_download_as_attachments(web: WebServer) -> None:
    raw = (
        "From: a@b.test\r\nTo: alice@example.com\r\nSubject: parts\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        '--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename="r\u00e9sum\u00e9.html"\r\n'
        "\r\n<script>alert(1)</script>\r\n--b--\r\n"
    )
    message_id = web.inject_raw(raw)
    part = web.api.get(f"/m/{message_id}/part/2")
    assert part.status_code == 200
    assert part.content == b"<script>alert(1)</script>"
    assert part.headers["content-type"] == "application/octet-stream"
    assert part.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.html" in part.headers["content-disposition"]
    assert part.headers["content-security-policy"] == "default-src 'none'; sandbox"
    source = web.api.get(f"/m/{message_id}/raw")
    assert source.content.startswith(b"From: a@b.test")
    assert source.headers["content-disposition"].startswith(f'attachment; filename="{message_id}.eml"')
    assert web.api.get(f"/m/{message_id}/part/9").status_code == 404
    assert web.api.get(f"/m/{message_id}/part/1.x").status_code == 404
    tree = page(web, f"/m/{message_id}?tab=parts").text
    assert "multipart/mixed" in tree
    assert "résumé.html" in tree


def test_latest_redirects_to_the_newest_match(web: WebServer) -> None:
    first = web.inject(subject="reset your password")
    web.inject(subject="welcome")
    newest = web.api.get("/latest")
    assert newest.status_code == 303
    match = web.api.get("/latest", params={"q": "password"})
    assert match.headers["location"] == f"/m/{first}"
    assert page(web, "/latest", params={"q": "nothing-like-this"}).status_code == 404
    assert page(web, "/m/999-1").status_code == 404


def test_inbox_pages_by_cursor_with_a_bounded_number_of_rows(web: WebServer) -> None:
    for number in range(120):
        web.inject(subject=f"number {number:03d}")
    first = page(web, "/").text
    assert first.count("data-row ") == 50
    assert "number 119" in first
    assert "number 069" not in first
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older is not None
    second = page(web, older.group(1).replace("&amp;", "&")).text
    assert second.count("data-row ") == 50
    assert "number 069" in second
    assert "number 070" not in second
    search = page(web, "/", params={"q": "number 042"}).text
    assert search.count("data-row ") == 1
    assert "1 message matching" in search


def test_assets_have_hashed_names_cached_forever_and_fit_the_budget(web: WebServer) -> None:
    html = page(web, "/").text
    total_gzipped = 0
    for asset in assets.served():
        url = assets.url(asset.name)
        assert url in html
        response = web.api.get(url)
        assert response.status_code == 200
        assert response.content == asset.content
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        if asset.name.endswith((".js", ".css")):
            total_gzipped += len(gzip.compress(asset.content, 9))
    # The whole page's script and style, compressed: at most 100 KB.
    assert total_gzipped <= 100_000, total_gzipped
    assert web.api.get("/web/static/inbox.0000000000.js").status_code == 404


def _flags(imap: imaplib.IMAP4, uid: str) -> bytes:
    status, data = imap.uid("FETCH", uid, "(FLAGS)")
    assert status == "OK"
    first = data[0]
    assert isinstance(first, bytes)
    return first


def test_actions_change_the_store_as_imap_sees_it(web: WebServer) -> None:
    message_id = web.inject(subject="act on me")
    imap = imaplib.IMAP4("127.0.0.1", web.thread.imap_port)
    imap.login("alice", "wonderland")
    imap.select("INBOX")
    uid = message_id.split("-")[1]
    act = f"/m/{message_id}/act"
    assert web.api.post(act, data={"action": "read"}).status_code == 303
    assert b"\\Seen" in _flags(imap, uid)
    web.api.post(act, data={"action": "flag"})
    assert b"\\Flagged" in _flags(imap, uid)
    web.api.post(act, data={"action": "unread"})
    assert b"\\Seen" not in _flags(imap, uid)
    # And the other way: a change by an IMAP client shows on the page.
    imap.uid("STORE", uid, "-FLAGS", "(\\Flagged)")
    assert "Unflag" not in page(web, f"/m/{message_id}").text
    imap.create("Archive")
    moved = web.api.post(act, data={"action": "move", "to": "Archive"})
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/m/")
    imap.select("Archive")
    _, found = imap.uid("SEARCH", "ALL")
    assert found[0] == b"1"
    deleted = web.api.post(moved.headers["location"] + "/act", data={"action": "delete"})
    assert deleted.headers["location"] == "/u/alice/Archive"
    imap.noop()
    _, found = imap.uid("SEARCH", "ALL")
    assert found[0] == b""
    imap.logout()


def test_bulk_actions_apply_to_the_current_search(web: WebServer) -> None:
    keep = web.inject(subject="keep me")
    for number in range(3):
        web.inject(subject=f"bulk {number}")
    web.api.post("/web/bulk", data={"action": "read", "q": "bulk", "user": "", "mailbox": ""})
    listed = web.api.get("/messages", params={"user": "alice"}).json()["messages"]
    flags = {summary["subject"]: summary["flags"] for summary in listed}
    assert flags["keep me"] == []
    assert all(flags[f"bulk {number}"] == ["\\Seen"] for number in range(3))
    web.api.post("/web/bulk", data={"action": "delete", "q": "bulk", "user": "alice", "mailbox": "INBOX"})
    left = web.api.get("/messages", params={"user": "alice"}).json()["messages"]
    assert [summary["id"] for summary in left] == [keep]


def test_compose_delivers_with_attachments(web: WebServer) -> None:
    response = web.api.post(
        "/web/compose",
        data={"to": "bob@example.com", "from": "app@example.com", "subject": "Invoice", "text": "see attached"},
        files={"attachments": ("invoice.pdf", b"%PDF-1.4 test", "application/pdf")},
    )
    assert response.status_code == 303
    message_id = response.headers["location"].removeprefix("/m/")
    detail = web.api.get(f"/messages/by-id/{message_id}").json()
    assert detail["user"] == "bob"
    assert detail["subject"] == "Invoice"
    assert detail["text"].strip() == "see attached"
    assert [(a["filename"], a["content_type"], a["size"]) for a in detail["attachments"]] == [
        ("invoice.pdf", "application/pdf", 13)
    ]
    refused = web.api.post("/web/compose", data={"to": "", "subject": "x"})
    assert refused.status_code == 422
    assert "to: no recipient address" in refused.text


def test_rules_editor_shows_the_422_next_to_the_field(web: WebServer) -> None:
    bad = web.api.post("/web/rules", data={"rules": '[{"recipient": "x@*", "action": "explode"}]'})
    assert bad.status_code == 422
    assert 'id="rules-error"' in bad.text
    assert web.api.get("/rules").json() == []
    good = web.api.post("/web/rules", data={"rules": '[{"recipient": "bounce@*", "action": "reject"}]'})
    assert good.status_code == 200, good.text
    assert web.api.get("/rules").json()[0]["action"] == "reject"


def test_purge_and_reset_need_confirmation(web: WebServer) -> None:
    web.inject(subject="stays until confirmed")
    unconfirmed = web.api.post("/web/server", data={"action": "purge"})
    assert unconfirmed.status_code == 422
    assert len(web.api.get("/messages").json()["messages"]) == 1
    assert web.api.post("/web/server", data={"action": "purge", "confirm": "yes"}).status_code == 303
    assert web.api.get("/messages").json()["messages"] == []
    web.api.post("/users", json={"name": "carol", "password": "pw"})
    assert web.api.post("/web/server", data={"action": "reset", "confirm": "yes"}).status_code == 303
    assert "carol" not in {user["name"] for user in web.api.get("/users").json()}


def test_search_takes_the_query_language_of_the_api(web: WebServer) -> None:
    web.inject(subject="invoice 7", **{"from": "billing@shop.test"})
    web.inject(subject="newsletter", **{"from": "news@shop.test"})
    found = page(web, "/", params={"q": "from:billing"}).text
    assert found.count("data-row ") == 1
    assert "invoice 7" in found
    assert page(web, "/", params={"q": "-from:billing"}).text.count("data-row ") == 1
    assert page(web, "/", params={"q": "is:unseen"}).text.count("data-row ") == 2
    bad = page(web, "/", params={"q": 'subject:"open'})
    assert bad.status_code == 400
    assert 'id="search-error"' in bad.text
    assert "unclosed quote" in bad.text
    latest = web.api.get("/latest", params={"q": "from:news@shop.test"})
    assert latest.status_code == 303


def test_bcc_recipients_show_in_the_list_and_on_the_message(web: WebServer) -> None:
    with smtplib.SMTP("127.0.0.1", web.thread.smtp_port) as smtp:
        smtp.sendmail(
            "app@example.com",
            ["alice@example.com", "secret@example.com"],
            b"From: app@example.com\r\nTo: alice@example.com\r\nSubject: with bcc\r\n\r\nhi\r\n",
        )
    listing = page(web, "/u/secret/INBOX").text
    assert "+ secret@example.com" in listing
    message_id = re.search(r'data-id="([^"]+)"', listing)
    assert message_id is not None
    message = page(web, f"/m/{message_id.group(1)}").text
    assert '&lt;secret@example.com&gt;</code> <span class="bcc">(no header names it: Bcc)</span>' in message
    assert "MAIL FROM</dt><dd><code>&lt;app@example.com&gt;</code>" in message
    session = re.search(r'href="/web/sessions/([^"]+)" data-transcript', message)
    assert session is not None
    transcript = page(web, f"/web/sessions/{session.group(1)}").text
    assert "rcpt TO:&lt;secret@example.com&gt;" in transcript  # as smtplib writes it
    assert f'href="/m/{message_id.group(1)}"' in transcript
    text = web.api.get(f"/web/sessions/{session.group(1)}/transcript")
    assert text.headers["content-disposition"].startswith("attachment;")
    assert "C: data" in text.text
    sessions = page(web, "/web/sessions?protocol=smtp").text
    assert f'href="/web/sessions/{session.group(1)}"' in sessions
    assert page(web, "/web/sessions/no-such-session").status_code == 404
