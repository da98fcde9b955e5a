"""Flags and removal over HTTP reach IMAP at once, as a STORE or EXPUNGE of another session would: IDLE
wakes with an untagged FETCH (and ``* FLAGS`` for a new keyword), MODSEQ advances, and a message removed
over HTTP is an EXPUNGE."""

from __future__ import annotations

import re

import httpx
import pytest

from elektromail import ServerThread
from tests.integration.imap_client import RawImap, status_of
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)


def client(server: ServerThread) -> httpx.Client:
    return httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10)


def inject(http: httpx.Client, subject: str, to: str = "user") -> str:
    response = http.post("/inject", json={"to": to, "subject": subject, "text": "body"})
    assert response.status_code == 201, response.text
    message_id: str = response.json()["messages"][0]["id"]
    return message_id


def modseq(line: bytes) -> int:
    found = re.search(rb"MODSEQ \((\d+)\)", line)
    assert found is not None, line
    return int(found.group(1))


def idling(server: ServerThread) -> RawImap:
    imap = RawImap(server.imap_port)
    imap.login()
    assert status_of(imap.command("SELECT INBOX")) == b"OK"
    imap.send(b"i1 IDLE\r\n")
    assert imap.read_response().startswith(b"+")
    return imap


def test_patch_seen_reaches_an_idling_session(http_server: ServerThread) -> None:
    with client(http_server) as http:
        message_id = inject(http, "read me")
        with idling(http_server) as imap:
            answer = http.patch(f"/messages/by-id/{message_id}", json={"add": ["\\seen"]})
            assert answer.status_code == 200, answer.text
            assert answer.json()["flags"] == ["\\Seen"]
            # An IMAP4rev1 session also sees \Recent (RFC 3501), which is its own.
            assert re.fullmatch(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Seen( \\Recent)?\)\)", imap.read_response())
            imap.send(b"DONE\r\n")
            assert status_of(imap.until_tagged("i1")) == b"OK"
        removed = http.patch(f"/messages/by-id/{message_id}", json={"remove": ["\\Seen"], "add": ["$Done"]})
        assert removed.json()["flags"] == ["$Done"]


def test_a_new_keyword_is_announced_and_modseq_advances(http_server: ServerThread) -> None:
    with client(http_server) as http:
        message_id = inject(http, "tag me")
        with RawImap(http_server.imap_port) as imap:
            imap.login()
            assert status_of(imap.command("ENABLE CONDSTORE")) == b"OK"
            imap.command("SELECT INBOX")
            before = modseq(imap.command("FETCH 1 (MODSEQ)")[0])
            imap.send(b"i1 IDLE\r\n")
            assert imap.read_response().startswith(b"+")
            assert http.patch(f"/messages/by-id/{message_id}", json={"add": ["$Important"]}).status_code == 200
            flags = imap.read_response()
            assert flags.startswith(b"* FLAGS (") and b"$Important" in flags
            assert imap.read_response().startswith(b"* OK [PERMANENTFLAGS (")
            fetch = imap.read_response()
            assert re.search(rb"FLAGS \(\$Important( \\Recent)?\)", fetch)
            assert modseq(fetch) == before + 1
            imap.send(b"DONE\r\n")
            imap.until_tagged("i1")


def test_flags_http_refuses_what_store_refuses(http_server: ServerThread) -> None:
    with client(http_server) as http:
        message_id = inject(http, "x")
        for body, culprit in (
            ({"add": ["\\Recent"]}, "\\Recent"),
            ({"add": ["\\Invented"]}, "\\Invented"),
            ({"add": ["two words"]}, "two words"),
            ({"add": ["$A"], "remove": ["$A"]}, "$A"),
        ):
            answer = http.patch(f"/messages/by-id/{message_id}", json=body)
            assert answer.status_code == 422, body
            assert culprit in answer.json()["error"]
        assert http.patch(f"/messages/by-id/{message_id}", content=b"{").status_code == 400
        assert http.patch(f"/messages/by-id/{message_id}", json={"add": "x"}).status_code == 422
        assert http.patch("/messages/by-id/999-1", json={"add": []}).status_code == 404
        assert http.get(f"/messages/by-id/{message_id}").json()["flags"] == []


def test_flags_for_every_match_of_a_query(http_server: ServerThread) -> None:
    with client(http_server) as http:
        for subject in ("a1", "a2", "b1"):
            inject(http, subject, to="alice")
        inject(http, "a3", to="bob")
        with idling(http_server) as imap:
            answer = http.post("/messages/flags", json={"q": "user:alice subject:a", "add": ["\\Seen"]})
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"matched": 2, "changed": 2}
            again = http.post("/messages/flags", json={"q": "user:alice subject:a", "add": ["\\Seen"]})
            assert again.json() == {"matched": 2, "changed": 0}
            unseen = http.get("/messages", params={"q": "is:unseen"}).json()["messages"]
            assert sorted(message["subject"] for message in unseen) == ["a3", "b1"]
            user_mail = http.post("/messages/flags", json={"q": "user:user", "add": ["\\Flagged"]})
            assert user_mail.json() == {"matched": 0, "changed": 0}
            inject(http, "for user")
            assert http.post("/messages/flags", json={"q": "user:user", "add": ["\\Flagged"]}).json()["changed"] == 1
            bad = http.post("/messages/flags", json={"q": "is:bogus", "add": ["\\Seen"]})
            assert bad.status_code == 400 and "is:bogus" in bad.json()["error"]
            imap.send(b"DONE\r\n")
            heard = imap.until_tagged("i1")
            assert b"* 1 EXISTS" in heard
            assert any(re.fullmatch(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Flagged.*\)\)", line) for line in heard)


def test_delete_over_http_is_an_expunge_for_imap(http_server: ServerThread) -> None:
    with client(http_server) as http:
        first = inject(http, "first")
        inject(http, "second")
        with idling(http_server) as imap:
            assert http.delete(f"/messages/by-id/{first}").status_code == 204
            assert imap.read_response() == b"* 1 EXPUNGE"
            imap.send(b"DONE\r\n")
            imap.until_tagged("i1")
            assert imap.command("FETCH 1:* (UID)")[0] == b"* 1 FETCH (UID 2)"
