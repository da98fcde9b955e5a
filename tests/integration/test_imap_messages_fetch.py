"""FETCH, STORE, SEARCH, COPY, MOVE and EXPUNGE over real sockets with imapclient and imaplib."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from elektromail import ServerThread
from tests.servers import client_host
from tests.unit.imap_literals import parse_imap

CORPUS = Path(__file__).resolve().parent.parent / "unit" / "data" / "corpus"
TIMEOUT = 10


@pytest.fixture
def client(server: ServerThread) -> Iterator[IMAPClient]:
    imap = IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=TIMEOUT)
    imap.login("user", "pass")
    for path in sorted(CORPUS.glob("*.eml")):
        imap.append("INBOX", path.read_bytes())
    imap.select_folder("INBOX")
    yield imap
    imap.logout()


def test_fetch_all_items_parse(client: IMAPClient) -> None:
    """imapclient parses every ENVELOPE and BODYSTRUCTURE of the corpus (RFC 9051 7.5.2)."""
    result = client.fetch(
        client.search(["ALL"]), ["ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "FLAGS", "INTERNALDATE"]
    )
    assert len(result) == len(list(CORPUS.glob("*.eml")))
    forwarded = result[4]  # 04-message-rfc822.eml, UIDs follow the append order
    assert forwarded[b"ENVELOPE"].subject == b"Fwd: original"
    assert forwarded[b"BODYSTRUCTURE"].is_multipart


def test_sections_and_partial(client: IMAPClient) -> None:
    result = client.fetch(
        [4],
        [
            "BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]",
            "BODY.PEEK[2.1]",
            "BODY.PEEK[1]<0.3>",
            "BINARY.PEEK[2.2]",
            "BINARY.SIZE[2.2]",
        ],
    )[4]
    assert result[b"BODY[2.HEADER.FIELDS (SUBJECT)]"] == b"Subject: original\r\n\r\n"
    assert result[b"BODY[2.1]"] == b"inner text"
    assert result[b"BODY[1]<0>"] == b"See"
    assert result[b"BINARY[2.2]"] == b"\x89PNG\r\n\x1a\n"
    assert result[b"BINARY.SIZE[2.2]"] == 8
    assert b"\\Seen" not in client.get_flags([4])[4]


def test_non_peek_fetch_sets_seen_and_reports_flags(server: ServerThread, client: IMAPClient) -> None:
    raw = imaplib.IMAP4(client_host(), server.imap_port, timeout=TIMEOUT)
    try:
        raw.login("user", "pass")
        raw.select("INBOX")
        status, data = raw.fetch("1", "(BODY[TEXT])")
        assert status == "OK"
        flat = b"".join(part[0] + part[1] if isinstance(part, tuple) else part or b"" for part in data)
        assert b"FLAGS (\\Seen)" in flat
        assert b"Hello Bob" in flat
    finally:
        raw.logout()
    assert b"\\Seen" in client.get_flags([1])[1]


def test_unknown_cte(client: IMAPClient) -> None:
    with pytest.raises(IMAPClient.Error, match="UNKNOWN-CTE"):
        client.fetch([11], ["BINARY[1]"])


def test_store_and_other_session_sees_update(server: ServerThread, client: IMAPClient) -> None:
    other = IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=TIMEOUT)
    try:
        other.login("user", "pass")
        other.select_folder("INBOX")
        assert set(client.add_flags([1, 2], ["\\Flagged", "custom"])[1]) >= {b"\\Flagged", b"custom"}
        assert b"custom" not in client.remove_flags([2], ["custom"])[2]
        responses = other.noop()[1]
        updates = {item[0]: item[2] for item in responses if item[1] == b"FETCH"}
        assert set(updates) == {1, 2}
    finally:
        other.logout()
    assert client.search(["FLAGGED"]) == [1, 2]
    assert client.search(["KEYWORD", "custom"]) == [1]


def test_search_keys(client: IMAPClient) -> None:
    assert client.search(["SUBJECT", "köln"], charset="UTF-8") == [2]  # RFC 2047-decoded
    assert client.search(["BODY", "grüße"], charset="UTF-8") == [2, 5]  # quoted-printable and 8-bit
    assert client.search(["FROM", "alice"]) == [1]
    assert client.search(["TO", "TEAM"]) == [2]  # the group name
    assert client.search(["HEADER", "X-Custom", "val"]) == [7]
    assert client.search(["SENTON", "13-Feb-2020"]) == [7]
    undated = client.search(["SENTON", "1-Jan-1970"])  # no usable Date: sent at the start of 1970, as Dovecot
    assert undated and 7 not in undated
    assert client.search(["SENTBEFORE", "1-Jan-2000"]) == sorted({1, *undated})
    assert client.search(["OR", "SUBJECT", "digest", "SUBJECT", "bare"]) == [8, 13]
    assert client.search(["NOT", "LARGER", "100"]) == [6, 8, 9]
    assert client.search(["2:4", "NOT", "UID", "3"]) == [2, 4]
    assert client.search(["TEXT", "inner text"]) == [4]
    with pytest.raises(IMAPClient.Error, match="BADCHARSET"):
        client.search(["SUBJECT", "x"], charset="KOI8-R")


def test_esearch_for_rev2(server: ServerThread) -> None:
    raw = imaplib.IMAP4(client_host(), server.imap_port, timeout=TIMEOUT)
    try:
        raw.login("user", "pass")
        raw._simple_command("ENABLE", "IMAP4rev2")
        for path in sorted(CORPUS.glob("*.eml"))[:5]:
            raw.append("INBOX", None, None, path.read_bytes())
        raw.select("INBOX")
        tag = raw._new_tag()
        raw.send(tag + b" UID SEARCH RETURN (MIN MAX COUNT ALL) NOT UID 2\r\n")
        line = raw.readline()
        assert line == b'* ESEARCH (TAG "' + tag + b'") UID MIN 1 MAX 5 COUNT 4 ALL 1,3:5\r\n'
        assert raw.readline().startswith(tag + b" OK")
    finally:
        raw.logout()


def test_copy_move_expunge(client: IMAPClient) -> None:
    with pytest.raises(IMAPClient.Error, match="TRYCREATE"):
        client.copy([1], "Archive")
    client.create_folder("Archive")
    status, data = client._imap._simple_command("UID", "COPY", "1:2", "Archive")
    assert status == "OK"
    assert data[0].split(b" ")[2:4] == [b"1:2", b"1:2]"]
    client.move([3], "Archive")
    last = len(list(CORPUS.glob("*.eml")))
    assert client.search(["ALL"]) == [1, 2, *range(4, last + 1)]
    client.add_flags([1, 2], ["\\Deleted"])
    client.expunge()
    assert client.search(["ALL"]) == list(range(4, last + 1))  # imapclient searches by UID
    client.add_flags([4, 5], ["\\Deleted"])
    client.uid_expunge([5])  # UID EXPUNGE removes only the named \Deleted messages
    assert len(client.search(["ALL"])) == last - 4
    client.select_folder("Archive")
    assert len(client.search(["ALL"])) == 3
    client.close_folder()


def test_fetch_macros(client: IMAPClient) -> None:
    tag_ok = client._imap.fetch("1", "FULL")
    assert tag_ok[0] == "OK"
    parsed = parse_imap(tag_ok[1][0])
    assert b"ENVELOPE" in parsed[1]
    assert b"BODY" in parsed[1]
