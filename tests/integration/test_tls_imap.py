"""IMAP over TLS: STARTTLS (RFC 9051 6.2.1) and implicit TLS, with the served certificate as trust anchor."""

from __future__ import annotations

import imaplib
import socket
import subprocess
from pathlib import Path

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap
from tests.integration.tls_client import certificate_pem, client_context
from tests.servers import client_host


def _capabilities(imap: imaplib.IMAP4) -> set[str]:
    typ, data = imap.capability()
    assert typ == "OK"
    return set(data[0].decode().split())


def test_starttls_advertised_before_and_not_after(server: ServerThread) -> None:
    imap = imaplib.IMAP4(client_host(), server.imap_port, timeout=10)
    try:
        assert "STARTTLS" in _capabilities(imap)
        typ, _ = imap.starttls(ssl_context=client_context(server))
        assert typ == "OK"
        after = _capabilities(imap)
        assert "STARTTLS" not in after
        assert "IMAP4rev2" in after
        assert imap.login("user", "pass")[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()


def test_starttls_is_refused_after_login(server: ServerThread) -> None:
    with RawImap(server.imap_port) as raw:
        raw.send(b"a LOGIN user pass\r\n")
        assert raw.read_response().startswith(b"a OK")
        raw.send(b"b STARTTLS\r\n")
        assert raw.read_response().startswith(b"b BAD")


def test_imaps_with_imaplib(make_server: ServerFactory) -> None:
    server = make_server(imaps_port=0)
    imap = imaplib.IMAP4_SSL(client_host(), server.port("IMAPS"), ssl_context=client_context(server), timeout=10)
    try:
        assert "STARTTLS" not in _capabilities(imap)
        typ, data = imap._simple_command("STARTTLS")
    except imaplib.IMAP4.error as error:  # imaplib raises on BAD
        refusal = str(error)
    else:
        refusal = f"{typ} {data}"
    try:
        assert "TLS is already active" in refusal
        assert imap.login("user", "pass")[0] == "OK"
    finally:
        imap.logout()


def test_no_starttls_when_disabled(make_server: ServerFactory) -> None:
    server = make_server(tls_disabled=True)
    with RawImap(server.imap_port) as raw:
        assert b"STARTTLS" not in raw.greeting
        raw.send(b"a STARTTLS\r\n")
        assert raw.read_response().startswith(b"a BAD")


def test_pipelined_plaintext_after_starttls_is_never_executed(server: ServerThread) -> None:
    """RFC 9051 11.1 / CVE-2011-0411: a command injected after STARTTLS must not run inside TLS."""
    with socket.create_connection((client_host(), server.imap_port), timeout=10) as raw:
        greeting = b""
        while not greeting.endswith(b"\r\n"):
            greeting += raw.recv(1024)
        raw.sendall(b"a STARTTLS\r\nb LOGIN user pass\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += raw.recv(1)  # byte by byte: nothing after the OK may be read as plaintext
        assert reply.startswith(b"a OK")
        with client_context(server).wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"c CAPABILITY\r\n")
            seen = b""
            while b"c OK" not in seen:
                chunk = tls.recv(4096)
                assert chunk, "connection closed"
                seen += chunk
            assert b"b OK" not in seen
            assert b"b NO" not in seen
            assert b"AUTH=PLAIN" in seen  # still not authenticated: the injected LOGIN never ran
            tls.sendall(b"d SELECT INBOX\r\n")
            answer = b""
            while b"d " not in answer:
                answer += tls.recv(4096)
            assert b"d BAD" in answer


def test_curl_ssl_reqd_lists_over_starttls(server: ServerThread, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificate_pem(server))
    result = subprocess.run(
        [
            "curl", "--silent", "--show-error", "--ssl-reqd", "--cacert", str(ca), "--max-time", "20",
            "--user", "user:pass", f"imap://localhost:{server.imap_port}/",
        ],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "INBOX" in result.stdout
