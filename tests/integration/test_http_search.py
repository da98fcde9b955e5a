"""GET /messages?q= over real sockets: every operator of the query language, negation and phrases, errors
that name the term, and pages by cursor that list each of 2,500 messages exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
import pytest

from elektromail import ServerThread
from tests.conftest import BASE_CONFIG, ServerFactory
from tests.integration.imap_client import RawImap, status_of
from tests.servers import client_host, release, start_server

pytestmark = pytest.mark.timeout(120)

REPORT = (
    "From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nCc: carol@example.com\r\n"
    "Subject: Quarterly report\r\nX-Mailer: Thunderbird 115\r\n"
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain\r\n\r\nThe numbers are attached.\r\n"
    "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=q.pdf\r\n\r\nJVBERi0=\r\n"
    "--b--\r\n"
)
LUNCH = (
    "From: =?utf-8?q?J=C3=BCrgen?= <juergen@example.org>\r\nTo: carol@example.com\r\nSubject: Lunch?\r\n\r\n"
    "Shall we meet at noon? I will pay by card.\r\n"
)
BIG = "From: robot@example.net\r\nTo: dave@example.com\r\nSubject: Nightly dump\r\n\r\n" + "x" * 20_000 + "\r\n"


@pytest.fixture(scope="module")
def searchable() -> Iterator[httpx.Client]:
    server = start_server(msgspec.structs.replace(BASE_CONFIG, http_port=0))
    try:
        yield from _filled(server)
    finally:
        release(server)


def _filled(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        for body in (
            {"to": "ann", "raw": REPORT, "flags": ["\\Seen"], "internal_date": "2024-01-01T10:00:00+00:00"},
            {
                "to": "ann",
                "raw": LUNCH,
                "mailbox": "Archive",
                "flags": ["$Work", "\\Flagged"],
                "internal_date": "2024-02-15T12:00:00+00:00",
            },
            {
                "to": "ben",
                "raw": BIG,
                "flags": ["\\Draft", "\\Answered", "\\Deleted"],
                "internal_date": "2024-03-10T08:00:00+00:00",
            },
        ):
            assert http.post("/inject", json=body).status_code == 201, body
        yield http


def subjects(http: httpx.Client, q: str) -> list[str]:
    answer = http.get("/messages", params={"q": q})
    assert answer.status_code == 200, answer.text
    return sorted(message["subject"] for message in answer.json()["messages"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("", ["Lunch?", "Nightly dump", "Quarterly report"]),
        ("report", ["Quarterly report"]),
        ("NOON", ["Lunch?"]),
        ('"pay by card"', ["Lunch?"]),
        ('"card pay"', []),
        ("from:jürgen", ["Lunch?"]),
        ("from:alice@example.com", ["Quarterly report"]),
        ("to:bob", ["Quarterly report"]),
        ("to:carol", ["Lunch?"]),
        ("cc:carol", ["Quarterly report"]),
        ("bcc:carol", []),
        ("rcpt:ben", ["Nightly dump"]),  # the envelope of an injection is its `to`, not the To header
        ("rcpt:dave@example.com", []),
        ("rcpt:ann", ["Lunch?", "Quarterly report"]),
        ("subject:lunch", ["Lunch?"]),
        ("body:numbers", ["Quarterly report"]),
        ("header:X-Mailer:thunderbird", ["Quarterly report"]),
        ("header:X-Mailer:", ["Quarterly report"]),
        ("user:ANN", ["Lunch?", "Quarterly report"]),
        ("user:ben", ["Nightly dump"]),
        ("mailbox:archive", []),
        ("mailbox:Archive", ["Lunch?"]),
        ("mailbox:inbox", ["Nightly dump", "Quarterly report"]),
        ("is:seen", ["Quarterly report"]),
        ("is:unseen", ["Lunch?", "Nightly dump"]),
        ("is:read", ["Quarterly report"]),
        ("is:unread", ["Lunch?", "Nightly dump"]),
        ("is:flagged", ["Lunch?"]),
        ("is:unflagged", ["Nightly dump", "Quarterly report"]),
        ("is:answered", ["Nightly dump"]),
        ("is:unanswered", ["Lunch?", "Quarterly report"]),
        ("is:draft", ["Nightly dump"]),
        ("is:undraft", ["Lunch?", "Quarterly report"]),
        ("is:deleted", ["Nightly dump"]),
        ("is:undeleted", ["Lunch?", "Quarterly report"]),
        ("keyword:$Work", ["Lunch?"]),
        ("keyword:$work", []),
        ("has:attachment", ["Quarterly report"]),
        ("-has:attachment", ["Lunch?", "Nightly dump"]),
        ("larger:10K", ["Nightly dump"]),
        ("smaller:200", ["Lunch?"]),
        ("smaller:1k", ["Lunch?", "Quarterly report"]),
        ("larger:1M", []),
        ("before:2024-02-15", ["Quarterly report"]),
        ("after:2024-02-15", ["Lunch?", "Nightly dump"]),
        ("on:2024-02-15", ["Lunch?"]),
        ("on:2024/3/10", ["Nightly dump"]),
        ("session:smtp-none-1", []),
        ("tls:no", ["Lunch?", "Nightly dump", "Quarterly report"]),
        ("tls:yes", []),
        ("-is:seen -user:ben", ["Lunch?"]),
        ("user:ann -report", ["Lunch?"]),
        ('subject:"quarterly report" from:alice is:seen has:attachment', ["Quarterly report"]),
    ],
)
def test_every_operator(searchable: httpx.Client, q: str, expected: list[str]) -> None:
    assert subjects(searchable, q) == expected


@pytest.mark.parametrize(
    ("q", "culprit"),
    [
        ("frmo:alice", "frmo:alice"),
        ("report is:important", "is:important"),
        ("larger:ten", "larger:ten"),
        ("before:2024-02-30", "before:2024-02-30"),
        ('subject:"open', 'subject:"open'),
        ("has:pictures", "has:pictures"),
        ("tls:maybe", "tls:maybe"),
    ],
)
def test_a_malformed_query_is_400_naming_the_term(searchable: httpx.Client, q: str, culprit: str) -> None:
    for path in ("/messages", "/messages/wait"):
        answer = searchable.get(path, params={"q": q, "timeout": "1"})
        assert answer.status_code == 400, answer.text
        assert culprit in answer.json()["error"]


def test_limits_and_cursors_are_checked(searchable: httpx.Client) -> None:
    assert searchable.get("/messages", params={"limit": "0"}).status_code == 422
    assert searchable.get("/messages", params={"limit": "1001"}).status_code == 422
    assert searchable.get("/messages", params={"cursor": "not-ours"}).status_code == 400
    page = searchable.get("/messages", params={"limit": "2"}).json()
    assert [m["subject"] for m in page["messages"]] == ["Nightly dump", "Lunch?"]  # newest first
    assert page["total"] == 3 and page["cursor"]
    rest = searchable.get("/messages", params={"limit": "2", "cursor": page["cursor"]}).json()
    assert [m["subject"] for m in rest["messages"]] == ["Quarterly report"] and rest["cursor"] is None
    assert "search;dur=" in searchable.get("/messages").headers["server-timing"]


def append_many(server: ServerThread, count: int) -> None:
    """``count`` messages by MULTIAPPEND (RFC 3502) with non-synchronizing literals, 32 per command."""
    with RawImap(server.imap_port) as imap:
        imap.login()
        number = 0
        while number < count:
            batch = []
            for _ in range(min(32, count - number)):
                number += 1
                message = b"Subject: paged %d\r\n\r\nbody %d\r\n" % (number, number)
                batch.append(b" {%d+}\r\n%s" % (len(message), message))
            assert status_of(imap.command(b"APPEND INBOX" + b"".join(batch))) == b"OK"


def test_pages_list_each_of_2500_messages_once(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    append_many(server, 2500)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=30) as http:
        while True:
            params = {"q": "subject:paged", "limit": "300"} | ({"cursor": cursor} if cursor else {})
            page = http.get("/messages", params=params).json()
            assert page["total"] == 2500 + pages  # a message arrives between pages, newer than every page
            seen += [message["id"] for message in page["messages"]]
            pages += 1
            injected = http.post("/inject", json={"to": "user", "subject": f"paged late {pages}", "text": "x"})
            assert injected.status_code == 201
            cursor = page["cursor"]
            if cursor is None:
                break
    assert pages == 9
    assert len(seen) == len(set(seen)) == 2500
