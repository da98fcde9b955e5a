"""A message keeps the exact bytes it arrived with, and IMAP serves its CRLF form (RFC 9051 2.3.4)."""

from __future__ import annotations

import imaplib

import httpx

from tests.conftest import ServerFactory
from tests.servers import client_host

BARE_LF = b"Subject: lf\nFrom: a@example.com\n\nline one\nline two\n"
CRLF_FORM = BARE_LF.replace(b"\n", b"\r\n")


def test_bare_lf_message_is_kept_exactly_and_served_as_crlf(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    server.call(lambda: server.server.store.deliver(["user"], BARE_LF))
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        assert http.get("/messages/1/raw", params={"user": "user"}).content == BARE_LF
    imap = imaplib.IMAP4(client_host(), server.imap_port, timeout=10)
    try:
        imap.login("user", "pass")
        imap.select("INBOX")
        typ, data = imap.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
        assert typ == "OK"
        first = data[0]
        assert isinstance(first, tuple)
        envelope, body = first
        assert f"RFC822.SIZE {len(CRLF_FORM)}".encode() in envelope
        assert body == CRLF_FORM
    finally:
        imap.logout()
