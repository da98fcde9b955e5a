"""SMTP over TLS: STARTTLS (RFC 3207) and implicit TLS (RFC 8314), trusting the served certificate."""

from __future__ import annotations

import smtplib
import socket
import subprocess
from pathlib import Path

import aiosmtplib

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.tls_client import certificate_pem, client_context
from tests.servers import client_host

MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: over TLS\r\n\r\nsecret body\r\n"


def _inbox_raw(server: ServerThread, user: str = "user") -> list[bytes]:
    account = server.server.store.account(user)
    assert account is not None
    return [message.source for message in account.inbox.messages]


def test_starttls_with_smtplib_then_send(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        code, _ = smtp.starttls(context=client_context(server))
        assert code == 220
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
        smtp.login("user", "pass")
        smtp.sendmail("a@example.com", ["user@example.com"], MESSAGE)
    assert _inbox_raw(server) == [MESSAGE]


def test_smtps_with_smtplib(make_server: ServerFactory) -> None:
    server = make_server(smtps_port=0)
    port = server.port("SMTPS")
    with smtplib.SMTP_SSL(client_host(), port, context=client_context(server), timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
        smtp.sendmail("a@example.com", ["user@example.com"], MESSAGE)
    assert _inbox_raw(server) == [MESSAGE]


async def test_aiosmtplib_start_tls(server: ServerThread) -> None:
    client = aiosmtplib.SMTP(
        hostname="localhost", port=server.smtp_port, start_tls=False, tls_context=client_context(server), timeout=10
    )
    await client.connect()
    try:
        await client.starttls()
        errors, _ = await client.sendmail("a@example.com", ["user@example.com"], MESSAGE)
        assert errors == {}
    finally:
        await client.quit()
    assert _inbox_raw(server) == [MESSAGE]


def test_session_starts_afresh_after_starttls(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.login("user", "pass")
        smtp.starttls(context=client_context(server))
        # RFC 3207 4.2: the greeting and authentication from before the handshake are forgotten.
        code, _ = smtp.docmd("MAIL", "FROM:<a@example.com>")
        assert code == 503
        smtp.ehlo()
        code, _ = smtp.docmd("STARTTLS")
        assert code == 503


def test_starttls_rejects_parameters_and_is_absent_when_disabled(make_server: ServerFactory) -> None:
    server = make_server()
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.docmd("STARTTLS", "now")[0] == 501
    quiet = make_server(tls_disabled=True)
    with smtplib.SMTP(client_host(), quiet.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
        assert smtp.docmd("STARTTLS")[0] == 502


def test_pipelined_plaintext_after_starttls_is_never_executed(server: ServerThread) -> None:
    """RFC 3207 6 / CVE-2011-0411: commands injected after STARTTLS must not run inside TLS."""
    with socket.create_connection((client_host(), server.smtp_port), timeout=10) as raw:
        reader = raw.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        raw.sendall(b"EHLO client\r\n")
        while not reader.readline().startswith(b"250 "):
            pass
        raw.sendall(b"STARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<user@example.com>\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += raw.recv(1)  # byte by byte: keep the rest on the socket for TLS
        assert reply.startswith(b"220 ")
        reader.close()
        with client_context(server).wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"DATA\r\n")
            answer = tls.recv(1024)
            # Had the injected MAIL/RCPT run, DATA would get 354; inside TLS nothing was said yet.
            assert answer.startswith(b"503 "), answer
    assert _inbox_raw(server) == []


def test_swaks_tls(server: ServerThread, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificate_pem(server))
    result = subprocess.run(
        [
            "swaks", "--server", client_host(), "--port", str(server.smtp_port), "--tls", "--tls-verify",
            "--tls-ca-path", str(ca), "--tls-sni", "localhost",
            "--from", "a@example.com", "--to", "user@example.com", "--header", "Subject: swaks over tls",
            "--auth", "PLAIN", "--auth-user", "user", "--auth-password", "pass", "--timeout", "20",
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> STARTTLS" in result.stdout
    assert "<~  250 2.0.0 Message accepted" in result.stdout  # "~": said inside TLS
    messages = _inbox_raw(server)
    assert len(messages) == 1
    assert b"Subject: swaks over tls" in messages[0]


def test_curl_ssl_reqd_sends_over_starttls(server: ServerThread, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificate_pem(server))
    mail = tmp_path / "mail.eml"
    mail.write_bytes(MESSAGE)
    result = subprocess.run(
        [
            "curl", "--silent", "--show-error", "--ssl-reqd", "--cacert", str(ca), "--max-time", "20",
            "--mail-from", "a@example.com", "--mail-rcpt", "user@example.com", "--upload-file", str(mail),
            "--user", "user:pass", f"smtp://localhost:{server.smtp_port}",
        ],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _inbox_raw(server) == [MESSAGE]
