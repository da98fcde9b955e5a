"""Words that only decoding shows are found, and words in what is not searched are not, by the query
language over HTTP and by IMAP SEARCH alike, beside plain messages searched from their octets."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from elektromail import ServerThread
from tests.conftest import BASE_CONFIG
from tests.servers import client_host, release, start_server

pytestmark = pytest.mark.timeout(120)

HEAD = "From: Alice <alice@example.com>\r\nTo: user@example.com\r\nMIME-Version: 1.0\r\n"
MESSAGES = {
    "base64 part": HEAD + "Subject: one\r\n"
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain\r\n\r\nA plain part.\r\n"
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "VGhlIEtVTVFVQVQgaXMgcmlwZQ==\r\n"  # "The KUMQUAT is ripe"
    "--b--\r\n",
    "soft break": HEAD + "Subject: two\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\nA ripe persim=\r\nmon, caf=C3=A9 style.\r\n",
    "encoded subject": HEAD + "Subject: =?utf-8?b?UmFtYnV0YW4gc2Vhc29u?=\r\n\r\nNothing to see.\r\n",
    "folded subject": HEAD + "Subject: the durian\r\n festival\r\n\r\nA plain body.\r\n",
    "attachment": HEAD + "Subject: five\r\n"
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
    "--b\r\nContent-Type: application/octet-stream\r\n\r\nlongan inside\r\n--b--\r\n",
    "plain": "From: Lychee Sender <lychee@example.com>\r\nTo: user@example.com\r\nSubject: six\r\n\r\n"
    "Mangosteen, twice: MANGOSTEEN.\r\n",
}
ORDER = list(MESSAGES)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    running = start_server(msgspec.structs.replace(BASE_CONFIG, http_port=0))
    try:
        with httpx.Client(base_url=f"http://{client_host()}:{running.http_port}", timeout=10) as http:
            for name in ORDER:
                assert http.post("/inject", json={"to": "user", "raw": MESSAGES[name]}).status_code == 201
        yield running
    finally:
        release(running)


def found_over_http(server: ServerThread, q: str) -> list[str]:
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        answer = http.get("/messages", params={"q": q})
    assert answer.status_code == 200, answer.text
    subjects = {message["subject"] for message in answer.json()["messages"]}
    return [name for name in ORDER if _subject(name) in subjects]


def _subject(name: str) -> str:
    subject = MESSAGES[name].split("Subject: ", 1)[1].split("\r\n", 1)[0]
    return {"=?utf-8?b?UmFtYnV0YW4gc2Vhc29u?=": "Rambutan season", "the durian": "the durian festival"}.get(
        subject, subject
    )


def found_over_imap(server: ServerThread, criteria: tuple[str, str]) -> list[str]:
    imap = imaplib.IMAP4(client_host(), server.imap_port, timeout=10)
    try:
        imap.login("user", "pass")
        imap.select("INBOX", readonly=True)
        key, value = criteria
        if value.isascii():
            typ, data = imap.uid("SEARCH", "CHARSET", "UTF-8", key, '"' + value + '"')
        else:
            # Sent as a literal after the other arguments; imaplib sends bytes (typeshed says str).
            imap.literal = value.encode()  # type: ignore[assignment]
            typ, data = imap.uid("SEARCH", "CHARSET", "UTF-8", key)
        assert typ == "OK", data
    finally:
        imap.logout()
    return [ORDER[int(uid) - 1] for uid in data[0].split()]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kumquat", ["base64 part"]),
        ("body:KUMQUAT", ["base64 part"]),
        ("persimmon", ["soft break"]),
        ("café", ["soft break"]),
        ("rambutan", ["encoded subject"]),
        ("subject:rambutan", ["encoded subject"]),
        ('"durian festival"', ["folded subject"]),
        ("subject:durian", ["folded subject"]),
        ("longan", []),  # in an attachment, which is no text
        ("lychee", []),  # in From only: free words read the subject and the body
        ("mangosteen", ["plain"]),
        ("mangosteen -body:twice", []),
        ("ripe", ["base64 part", "soft break"]),
        ('"persim=mon"', []),  # the octets hold it; the decoded text does not
    ],
)
def test_the_query_language_finds_what_decoding_shows(server: ServerThread, q: str, expected: list[str]) -> None:
    assert found_over_http(server, q) == expected


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (("BODY", "kumquat"), ["base64 part"]),
        (("BODY", "persimmon"), ["soft break"]),
        (("TEXT", "persimmon"), ["soft break"]),
        (("SUBJECT", "rambutan"), ["encoded subject"]),
        (("TEXT", "rambutan season"), ["encoded subject"]),
        (("SUBJECT", "durian festival"), ["folded subject"]),
        (("BODY", "longan"), []),
        (("TEXT", "lychee"), ["plain"]),  # TEXT reads the header block too
        (("BODY", "lychee"), []),
        (("BODY", "MANGOSTEEN"), ["plain"]),
        (("BODY", "café"), ["soft break"]),
        (("TEXT", "mime-version"), ORDER[:5]),
    ],
)
def test_imap_search_agrees(server: ServerThread, criteria: tuple[str, str], expected: list[str]) -> None:
    assert found_over_imap(server, criteria) == expected
