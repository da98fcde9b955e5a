"""Counting what a server received, over its own protocol (so counting loads it as little as possible)."""

from __future__ import annotations

import imaplib
import json
import socket
import urllib.request

from bench.model import WrongAnswer


def imap_count(port: int, user: str, password: str) -> int:
    """Messages in the INBOX, by STATUS (no mailbox selected, no message read)."""
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    try:
        imap.login(user, password)
        typ, data = imap.status("INBOX", "(MESSAGES)")
        if typ != "OK" or not isinstance(data[0], bytes):
            raise WrongAnswer(f"STATUS failed: {data!r}")
        return int(data[0].rsplit(b"MESSAGES ", 1)[1].rstrip(b")"))
    finally:
        imap.logout()


def http_json_count(url: str) -> int:
    with urllib.request.urlopen(url, timeout=120) as response:
        return len(json.load(response))


def line_count(port: int) -> int:
    """A server that answers a connection with its count as one line (bench.peers.aiosmtpd_server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        return int(sock.makefile("rb").readline())


def http_post(url: str, method: str = "POST") -> None:
    """A request without a body that must succeed (a reset)."""
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=120) as response:
        if response.status != 200:
            raise WrongAnswer(f"{method} {url}: {response.status}")


def line_reset(port: int) -> None:
    """A server that forgets its mail when connected to, and answers with its count then (0)."""
    if (left := line_count(port)) != 0:
        raise WrongAnswer(f"{left} messages still kept after the reset")
