"""AUTH PLAIN and LOGIN (RFC 4954, RFC 4616), and the AUTH-required and auth-disabled settings."""

from __future__ import annotations

import smtplib
from base64 import b64encode

import aiosmtplib
import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored, user_names
from tests.servers import client_host


def b64(text: str) -> str:
    return b64encode(text.encode()).decode()


def plain(user: str, password: str) -> str:
    return b64(f"\0{user}\0{password}")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtplib_login_with_each_mechanism(server: ServerThread, mechanism: str) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.ehlo("c.example")
        client.user, client.password = "alice", "wonderland"
        auth = client.auth_plain if mechanism == "PLAIN" else client.auth_login
        assert client.auth(mechanism, auth, initial_response_ok=False) == (235, b"2.7.0 Authentication successful")
        # RFC 4954 4: a second AUTH in the same session is refused.
        assert client.docmd("AUTH", f"PLAIN {plain('alice', 'wonderland')}")[0] == 503


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_wrong_password_is_535(server: ServerThread, mechanism: str) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.ehlo("c.example")
        client.user, client.password = "alice", "wrong"
        auth = client.auth_plain if mechanism == "PLAIN" else client.auth_login
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.auth(mechanism, auth)
        assert caught.value.smtp_code == 535
        assert caught.value.smtp_error == replies.AUTH_FAILED.message.encode()
        assert client.noop()[0] == 250


def test_plain_with_initial_response_and_with_challenge(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"AUTH PLAIN {plain('user', 'pass')}") == (235, replies.AUTH_SUCCEEDED.message)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command("auth plain") == (334, "")
        assert wire.command(plain("user", "pass")) == (235, replies.AUTH_SUCCEEDED.message)


def test_login_with_initial_user_name(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"AUTH LOGIN {b64('user')}") == (334, b64("Password:"))
        assert wire.command(b64("pass")) == (235, replies.AUTH_SUCCEEDED.message)


def test_login_step_by_step(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command("AUTH LOGIN") == (334, b64("Username:"))
        assert wire.command(b64("user")) == (334, b64("Password:"))
        assert wire.command(b64("nope")) == (535, replies.AUTH_FAILED.message)


@pytest.mark.parametrize("opening", ["AUTH PLAIN", "AUTH LOGIN"])
def test_cancelled_exchange_is_501_and_session_goes_on(server: ServerThread, opening: str) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(opening)[0] == 334
        assert wire.command("*") == (501, replies.AUTH_CANCELLED.message)
        assert wire.command(f"AUTH PLAIN {plain('user', 'pass')}")[0] == 235


def test_login_cancelled_at_the_password(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("AUTH LOGIN")
        wire.command(b64("user"))
        assert wire.command("*") == (501, replies.AUTH_CANCELLED.message)
        assert wire.code("NOOP") == 250


@pytest.mark.parametrize(
    "exchange",
    [
        ["AUTH PLAIN not*base64"],
        ["AUTH PLAIN", "%%%"],
        ["AUTH PLAIN", b64("no separators")],
        ["AUTH PLAIN dXNlcg"],  # missing padding
        ["AUTH LOGIN", "@@@"],
        ["AUTH LOGIN", b64("user"), "!!"],
        ["AUTH LOGIN ===="],
    ],
)
def test_malformed_base64_is_501(server: ServerThread, exchange: list[str]) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        for line in exchange[:-1]:
            assert wire.command(line)[0] == 334
        assert wire.command(exchange[-1]) == (501, replies.BAD_BASE64.message)
        assert wire.command(f"AUTH PLAIN {plain('user', 'pass')}")[0] == 235


def test_unknown_mechanism_is_504(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command("AUTH GSSAPI") == (504, replies.UNKNOWN_MECHANISM.message)
        assert wire.command("AUTH") == (504, replies.UNKNOWN_MECHANISM.message)


def test_auth_required_refuses_mail_until_authenticated(make_server: ServerFactory) -> None:
    server = make_server(smtp_auth_required=True)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command("MAIL FROM:<a@b.example>") == (530, replies.AUTH_REQUIRED.message)
        assert wire.code(f"AUTH PLAIN {plain('user', 'wrong')}") == 535
        assert wire.code("MAIL FROM:<a@b.example>") == 530
        assert wire.code(f"AUTH PLAIN {plain('user', 'pass')}") == 235
        assert wire.code("MAIL FROM:<a@b.example>") == 250


async def test_aiosmtplib_sends_with_login(make_server: ServerFactory) -> None:
    server = make_server(smtp_auth_required=True)
    message = b"Subject: async\r\n\r\nsent by aiosmtplib\r\n"
    errors, response = await aiosmtplib.send(
        message,
        sender="alice@example.com",
        recipients=["user@example.com"],
        hostname=client_host(),
        port=server.smtp_port,
        username="alice",
        password="wonderland",
        start_tls=False,
        use_tls=False,
        timeout=5,
    )
    assert errors == {}
    assert response.startswith("2.0.0")
    assert stored(server, "user") == [message]


def test_auth_disabled_accepts_any_credentials_and_creates_the_user(make_server: ServerFactory) -> None:
    server = make_server(auth_disabled=True)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.code(f"AUTH PLAIN {plain('stranger', 'anything')}") == 235
    assert "stranger" in user_names(server)


def test_unauthenticated_mail_is_accepted_by_default(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        assert client.sendmail("a@b.example", ["user@example.com"], b"\r\nno auth\r\n") == {}
