"""Pure parts of the web inbox: sizes, redirect targets, cid images, dark rewriting, Host names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from elektromail.http.origin import host_name, is_loopback
from elektromail.mail.message import ParsedMessage
from elektromail.store.model import Account, Mailbox, Message
from elektromail.web import listing, parts
from elektromail.web.auth import local_target, session_value
from elektromail.web.preview import inverted, prefer_dark, prefer_light
from elektromail.web.responses import compact_time, full_time, short_size


@pytest.mark.parametrize(
    ("octets", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"), (1740, "1.7 KB"), (23_000, "22 KB"), (5 * 2**20, "5.0 MB")],
)
def test_short_size(octets: int, text: str) -> None:
    assert short_size(octets) == text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/u/alice?q=x", "/u/alice?q=x"),
        ("//evil.test/", "/"),
        ("/\\evil.test", "/"),
        ("https://evil.test/", "/"),
        ("javascript:alert(1)", "/"),
        ("/a\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirect_targets_stay_on_this_server(target: str | None, expected: str) -> None:
    assert local_target(target) == expected


def test_session_cookie_is_a_mac_of_the_token() -> None:
    assert session_value("a") != session_value("b")
    assert session_value("token") == session_value("token")
    assert "token" not in session_value("token")
    assert len(session_value("token")) == 64


def test_cid_references_become_data_urls_of_image_parts_only() -> None:
    raw = (
        b"Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\nx\r\n"
        b"--b\r\nContent-Type: image/gif\r\nContent-ID: <Logo@X>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"R0lGODlhAQABAAAAACw=\r\n--b\r\nContent-Type: text/html\r\nContent-ID: <page@x>\r\n\r\n<b>no</b>\r\n--b--\r\n"
    )
    message = parts.parse(raw)
    markup = '<img src="cid:logo@x"><img src="CID:page@x"><div style="background:url(cid:logo@x)">'
    assert parts.inline_cid_images(markup, message) == (
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><img src="CID:page@x">'
        '<div style="background:url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)">'
    )


def test_part_tree_numbers_sections_like_imap() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/alternative; boundary=i\r\n"
        b"\r\n--i\r\nContent-Type: text/plain\r\n\r\nt\r\n--i\r\nContent-Type: text/html\r\n\r\nh\r\n--i--\r\n"
        b"--o\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="a.pdf"\r\n\r\n%PDF\r\n--o--\r\n'
    )
    message = parts.parse(raw)
    root = parts.tree(message)
    assert [leaf.path for leaf in parts.leaves(root)] == ["1.1", "1.2", "2"]
    assert [leaf.filename for leaf in parts.leaves(root)] == [None, None, "a.pdf"]
    found = parts.find(message, "1.2")
    assert found is not None
    assert parts.payload(found) == b"h"
    assert parts.find(message, "3") is None
    assert parts.find(message, "0") is None
    single = parts.parse(b"Subject: x\r\n\r\nbody\r\n")
    assert parts.tree(single).path == "1"
    assert parts.find(single, "1") is single


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 12, 7, 7, 41, 5, tzinfo=UTC), "07:41"),
        (datetime(2026, 12, 7, 9, 30, tzinfo=timezone(timedelta(hours=2))), "07:30"),
        (datetime(2026, 12, 6, 23, 59, tzinfo=UTC), "6 Dec 23:59"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "1 Jan 00:00"),
        (datetime(2025, 12, 7, 7, 41, tzinfo=UTC), "2025-12-07"),
    ],
)
def test_compact_time_is_the_time_today_the_day_this_year_the_date_before(moment: datetime, text: str) -> None:
    assert compact_time(moment, now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == text
    assert full_time(moment).endswith(" UTC")


def test_dark_preview_turns_the_mails_own_queries() -> None:
    markup = "<style>@media (prefers-color-scheme: dark){a{}} @media (PREFERS-COLOR-SCHEME:light){b{}}</style>"
    rewritten = prefer_dark(markup)
    assert "(min-width: 0px){a{}}" in rewritten
    assert "(max-width: -1px){b{}}" in rewritten
    assert rewritten.startswith("<style>:root{color-scheme:dark}</style>")


def test_light_and_inverted_previews_turn_off_the_mails_dark_queries() -> None:
    markup = "<style>@media (prefers-color-scheme: dark){a{}} @media (prefers-color-scheme: light){b{}}</style>"
    for rewritten in (prefer_light(markup), inverted(markup)):
        assert "(max-width: -1px){a{}}" in rewritten
        assert "(min-width: 0px){b{}}" in rewritten
        assert "prefers-color-scheme" not in rewritten
    assert prefer_light(markup).startswith("<style>:root{color-scheme:light}</style>")
    assert "filter:invert(1)" in inverted(markup)


def test_preview_styles_go_after_the_doctype() -> None:
    markup = '\ufeff <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html><body>x</body></html>'
    for rewritten in (prefer_light(markup), prefer_dark(markup), inverted(markup)):
        head, _, rest = rewritten.partition("<style>")
        assert head == '\ufeff <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">'
        assert rest.endswith("\n<html><body>x</body></html>")


@pytest.mark.parametrize(
    ("host", "name"),
    [("127.0.0.1:8025", "127.0.0.1"), ("[::1]:80", "::1"), ("LocalHost", "localhost"), ("::1", "::1"), ("", "")],
)
def test_host_names(host: str, name: str) -> None:
    assert host_name(host) == name


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("127.8.9.10")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.0.2.1")


def test_unread_counts_follow_the_mailboxs_changes() -> None:
    account = Account(1, "alice", "pw", None)
    mailbox = Mailbox(1, account, "INBOX", 1)
    raw = ParsedMessage(b"Subject: x\r\n\r\nx\r\n")
    mailbox.messages = [Message(uid, frozenset(), datetime(2026, 1, 1, tzinfo=UTC), raw) for uid in (1, 2, 3)]
    assert listing.unread(mailbox) == 3
    mailbox.messages[0].flags = frozenset({"\\Seen"})
    mailbox.highest_modseq += 1  # as every change of the store moves it
    assert listing.unread(mailbox) == 2
    other = Mailbox(1, account, "INBOX", 1)  # a new mailbox (after a reset) is counted afresh
    assert listing.unread(other) == 0
