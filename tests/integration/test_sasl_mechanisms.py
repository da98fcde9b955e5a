"""CRAM-MD5 (RFC 2195), XOAUTH2 and OAUTHBEARER (RFC 7628) on SMTP AUTH and IMAP AUTHENTICATE, with real
clients (smtplib, aiosmtplib, imaplib, swaks) and on the wire."""

from __future__ import annotations

import imaplib
import json
import smtplib
import subprocess
from base64 import b64decode, b64encode

import aiosmtplib
import pytest

from elektromail import ServerThread
from elektromail.sasl import cram_md5_digest
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire
from tests.servers import client_host

pytestmark = pytest.mark.timeout(30)


def xoauth2(user: str, token: str) -> str:
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user: str, token: str) -> str:
    return f"n,a={user},\x01host=127.0.0.1\x01port=25\x01auth=Bearer {token}\x01\x01"


def b64(text: str) -> str:
    return b64encode(text.encode()).decode()


BEARERS = {"XOAUTH2": xoauth2, "OAUTHBEARER": oauthbearer}
ERROR_STATUS = {"XOAUTH2": "401", "OAUTHBEARER": "invalid_token"}


# ---------------------------------------------------------------- SMTP


def test_smtplib_login_picks_cram_md5_and_succeeds(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        assert "CRAM-MD5" in client.esmtp_features["auth"].split()
        assert client.login("alice", "wonderland") == (235, b"2.7.0 Authentication successful")


def test_cram_md5_with_a_wrong_password_is_535(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        client.user, client.password = "alice", "wrong"
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.auth("CRAM-MD5", client.auth_cram_md5)
        assert (caught.value.smtp_code, caught.value.smtp_error) == (535, replies.AUTH_FAILED.message.encode())


def test_cram_md5_on_the_wire_uses_a_fresh_challenge_each_time(server: ServerThread) -> None:
    challenges = []
    for _ in range(2):
        with Wire(server.smtp_port) as wire:
            wire.command("EHLO c.example")
            code, text = wire.command("AUTH CRAM-MD5")
            assert code == 334
            challenge = b64decode(text)
            assert challenge.startswith(b"<")
            assert challenge.endswith(b">")
            challenges.append(challenge)
            answer = f"user {cram_md5_digest('pass', challenge)}"
            assert wire.command(b64(answer)) == (235, replies.AUTH_SUCCEEDED.message)
    assert challenges[0] != challenges[1]
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"AUTH CRAM-MD5 {b64('user x')}") == (501, replies.BAD_BASE64.message)  # no initial
        assert wire.command("AUTH CRAM-MD5")[0] == 334
        assert wire.command(b64("user not-a-digest")) == (501, replies.BAD_BASE64.message)


async def test_aiosmtplib_cram_md5_and_wrong_password(server: ServerThread) -> None:
    client = aiosmtplib.SMTP(hostname=client_host(), port=server.smtp_port, start_tls=False, timeout=10)
    async with client:
        await client.ehlo()
        assert (await client.auth_crammd5("user", "pass")).code == 235
    async with client:
        await client.ehlo()
        with pytest.raises(aiosmtplib.SMTPAuthenticationError) as caught:
            await client.auth_crammd5("user", "nope")
        assert caught.value.code == 535


def test_swaks_sends_with_cram_md5(server: ServerThread) -> None:
    completed = subprocess.run(
        [
            "swaks", "--server", client_host(), "--port", str(server.smtp_port), "--from", "s@example.com",
            "--to", "user@example.com", "--auth", "CRAM-MD5", "--auth-user", "alice", "--auth-password",
            "wonderland", "--timeout", "10",
        ],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "235 2.7.0 Authentication successful" in completed.stdout


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_smtplib_bearer_token_is_the_password(server: ServerThread, mechanism: str) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        # The initial response, as mail libraries send it; the user may be given by email address.
        reply = client.auth(mechanism, lambda challenge=None: BEARERS[mechanism]("alice@example.com", "wonderland"))
        assert reply == (235, b"2.7.0 Authentication successful")
        client.sendmail("alice@example.com", ["user@example.com"], b"Subject: t\r\n\r\nx\r\n")


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_smtplib_refused_token_gets_the_error_challenge_then_535(server: ServerThread, mechanism: str) -> None:
    seen: list[str | None] = []

    def respond(challenge: bytes | None = None) -> str:
        seen.append(None if challenge is None else challenge.decode())
        return BEARERS[mechanism]("alice", "expired") if challenge is None else "\x01"

    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.auth(mechanism, respond)
        assert caught.value.smtp_code == 535
        assert client.noop()[0] == 250
    assert seen[0] is None
    error = json.loads(seen[1] or "")
    assert error["status"] == ERROR_STATUS[mechanism]
    assert error["schemes"] == "bearer"


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_bearer_on_the_wire_after_an_empty_challenge(server: ServerThread, mechanism: str) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"AUTH {mechanism}") == (334, "")
        code, text = wire.command(b64(BEARERS[mechanism]("user", "bad")))
        assert code == 334
        assert json.loads(b64decode(text))["status"] == ERROR_STATUS[mechanism]
        assert wire.command(b64("\x01")) == (535, replies.AUTH_FAILED.message)
        assert wire.command(f"AUTH {mechanism} {b64(BEARERS[mechanism]('user', 'pass'))}")[0] == 235


@pytest.mark.parametrize(
    "message",
    ["user=alice\x01auth=Basic x\x01\x01", "user=alice\x01auth=Bearer x", "n,,\x01auth=Bearer x\x01\x01"],
)
def test_malformed_bearer_messages_are_501(server: ServerThread, message: str) -> None:
    mechanism = "OAUTHBEARER" if message.startswith("n,") else "XOAUTH2"
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"AUTH {mechanism} {b64(message)}") == (501, replies.BAD_BASE64.message)


@pytest.mark.parametrize("mechanism", ["CRAM-MD5", "XOAUTH2", "OAUTHBEARER"])
def test_any_credentials_log_in_when_auth_is_disabled(make_server: ServerFactory, mechanism: str) -> None:
    server = make_server(auth_disabled=True)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        if mechanism == "CRAM-MD5":
            assert wire.command("AUTH CRAM-MD5")[0] == 334
            assert wire.command(b64("newbie " + "0" * 32)) == (235, replies.AUTH_SUCCEEDED.message)
        else:
            answer = wire.command(f"AUTH {mechanism} {b64(BEARERS[mechanism]('newbie', 'anything'))}")
            assert answer == (235, replies.AUTH_SUCCEEDED.message)


# ---------------------------------------------------------------- IMAP


def imap(server: ServerThread) -> imaplib.IMAP4:
    return imaplib.IMAP4(client_host(), server.imap_port, timeout=10)


def test_imaplib_cram_md5(server: ServerThread) -> None:
    client = imap(server)
    try:
        assert "AUTH=CRAM-MD5" in client.capabilities
        assert client.login_cram_md5("alice", "wonderland")[0] == "OK"
        assert client.select("INBOX")[0] == "OK"
    finally:
        client.logout()
    client = imap(server)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login_cram_md5("alice", "wrong")
    finally:
        client.logout()


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_imaplib_bearer_good_and_bad(server: ServerThread, mechanism: str) -> None:
    client = imap(server)
    try:
        assert f"AUTH={mechanism}" in client.capabilities
        assert client.authenticate(mechanism, lambda _: BEARERS[mechanism]("user", "pass").encode())[0] == "OK"
        assert client.select("INBOX")[0] == "OK"
    finally:
        client.logout()
    challenges: list[bytes] = []

    def refused(challenge: bytes) -> bytes:
        challenges.append(challenge)
        return BEARERS[mechanism]("user", "stale").encode() if len(challenges) == 1 else b"\x01"

    client = imap(server)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.authenticate(mechanism, refused)
        assert json.loads(challenges[1])["status"] == ERROR_STATUS[mechanism]
        assert client.login("user", "pass")[0] == "OK"  # the connection is still usable
    finally:
        client.logout()


def test_imap_plain_refuses_acting_as_another_user(server: ServerThread) -> None:
    client = imap(server)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHORIZATIONFAILED"):
            client.authenticate("PLAIN", lambda _: b"alice\0user\0pass")
    finally:
        client.logout()
