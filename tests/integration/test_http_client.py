"""elektromail.client against a real server: every operation, the token, errors, and the async twin."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from elektromail.client import ApiError, AsyncClient, BadUrl, Client, WaitTimeout
from elektromail.delivery.rules import DsnRule, Reject, Tempfail
from tests.conftest import ServerFactory
from tests.servers import client_host

pytestmark = pytest.mark.timeout(30)
TOKEN = "client-token"


@pytest.fixture
def http_server(make_server: ServerFactory) -> ServerThread:
    return make_server(http_port=0, http_token=TOKEN)


@pytest.fixture
def url(http_server: ServerThread) -> str:
    return f"http://{client_host()}:{http_server.http_port}"


@pytest.fixture
def client(url: str) -> Iterator[Client]:
    with Client(url, TOKEN) as client:
        yield client


def test_users_messages_and_ids_round_trip(client: Client, http_server: ServerThread) -> None:
    created = client.create_user("carol", "secret", "carol@example.org")
    assert (created.name, created.email) == ("carol", "carol@example.org")
    assert "carol" in [user.name for user in client.users()]
    (ref,) = client.inject("carol@example.org", subject="Hello", text="see https://x.example/a", sender="a@b.example")
    assert (ref.user, ref.mailbox, ref.uid) == ("carol", "INBOX", 1)

    (summary,) = client.messages(user="carol", sender="a@b.example", subject="hello")
    assert summary.id == ref.id
    assert summary.links == ["https://x.example/a"]
    detail = client.message(ref.id)
    assert (detail.subject, detail.from_, detail.text) == ("Hello", "a@b.example", "see https://x.example/a\r\n")
    assert b"Subject: Hello" in client.raw(ref.id)
    assert client.messages(user="carol", subject="nothing like it") == []

    with smtplib.SMTP(client_host(), http_server.smtp_port) as smtp:
        smtp.sendmail("x@y.example", ["carol@example.org"], b"Subject: second\r\n\r\n")
    assert [m.subject for m in client.wait(user="carol", count=2, timeout=5)] == ["Hello", "second"]
    with pytest.raises(WaitTimeout) as timed_out:
        client.wait(user="carol", count=3, timeout=0.2)
    assert timed_out.value.status == 408

    client.delete_message(ref.id)
    with pytest.raises(ApiError) as missing:
        client.message(ref.id)
    assert missing.value.status == 404
    assert client.delete_messages("carol") == 1
    client.delete_user("carol")
    assert "carol" not in [user.name for user in client.users()]


def test_rules_are_read_and_replaced_as_typed_structs(client: Client) -> None:
    rules: list[DsnRule] = [Tempfail(recipient="slow@*", code=452), Reject(recipient="gone@*")]
    client.set_rules(rules)
    assert client.rules() == rules
    # Struct constructors do not check value ranges; the server does, with the same decoder.
    with pytest.raises(ApiError) as invalid:
        client.set_rules([Tempfail(code=200)])
    assert invalid.value.status == 422
    assert "code" in invalid.value.message
    assert client.rules() == rules
    client.reset()
    assert client.rules() == []


def test_a_missing_or_wrong_token_is_an_api_error(url: str) -> None:
    for token in (None, "wrong"):
        with Client(url, token) as client, pytest.raises(ApiError) as refused:
            client.users()
        assert refused.value.status == 401
        assert refused.value.message == "missing or wrong bearer token"


async def test_the_async_client_does_the_same(url: str) -> None:
    async with AsyncClient(url, TOKEN) as client:
        health = await client.health()
        assert health.status == "ok"
        assert set(health.listeners) == {"SMTP", "IMAP", "HTTP"}
        (ref,) = await client.inject("dora", subject="async", html="<a href='https://d.example/'>d</a>")
        (found,) = await client.wait(user="dora", subject="async", timeout=5)
        assert found.id == ref.id
        assert (await client.message(ref.id)).links == ["https://d.example/"]
        with pytest.raises(WaitTimeout):
            await client.wait(user="dora", subject="other", timeout=0.2)
        await client.delete_user("dora")
        with pytest.raises(ApiError):
            await client.messages(user="dora")


def refused_codes(host: str, port: int, recipients: list[str]) -> dict[str, int]:
    """Send one message to each recipient on its own; the RCPT code of each refused one."""
    codes: dict[str, int] = {}
    for recipient in recipients:
        with smtplib.SMTP(host, port) as smtp:
            try:
                smtp.sendmail("app@example.com", [recipient], b"Subject: x\r\n\r\nx\r\n")
            except smtplib.SMTPRecipientsRefused as refused:
                codes[recipient] = refused.recipients[recipient][0]
    return codes


def test_rules_added_and_removed_one_by_one_keep_the_others_state(client: Client, http_server: ServerThread) -> None:
    host, port = client_host(), http_server.smtp_port
    first = client.add_rule(Tempfail(user="ann", times=1))
    assert refused_codes(host, port, ["ann@example.com"]) == {"ann@example.com": 451}  # its one use
    # Another client adds and removes its own rule, and replaces the list with the same rules.
    other = client.add_rule(Reject(user="ben"))
    assert [type(rule).__name__ for rule in client.rules()] == ["Reject", "Tempfail"]
    assert refused_codes(host, port, ["ben+tag@elsewhere.example", "ann@example.com"]) == {
        "ben+tag@elsewhere.example": 550
    }
    client.remove_rule(other)
    client.set_rules(client.rules())
    # Ann's rule is still used up: it was neither restarted nor dropped.
    assert refused_codes(host, port, ["ann@example.com", "ben@example.com"]) == {}
    assert client.rules() == [Tempfail(user="ann", times=1)]
    client.remove_rule(first)
    assert client.rules() == []
    with pytest.raises(ApiError) as gone:
        client.remove_rule(first)
    assert gone.value.status == 404
    with pytest.raises(ApiError) as bad:
        client.add_rule(Tempfail(code=200))
    assert bad.value.status == 422
    assert "code" in bad.value.message


def test_the_token_comes_from_the_environment_when_not_given(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELEKTROMAIL_HTTP_TOKEN", TOKEN)
    with Client(url) as client:
        assert client.users() != []
    monkeypatch.setenv("ELEKTROMAIL_HTTP_TOKEN", "wrong")
    with Client(url) as client, pytest.raises(ApiError) as refused:
        client.users()
    assert refused.value.status == 401


@pytest.mark.parametrize("url", ["mail:8080", "localhost:8025", "http://", "ftp://mail/", "mail"])
def test_a_url_that_is_not_http_is_refused_at_once(url: str) -> None:
    with pytest.raises(BadUrl) as refused:
        Client(url)
    assert repr(url) in str(refused.value)
    assert "http://" in str(refused.value)


def test_the_certificate_makes_starttls_trusted(client: Client, http_server: ServerThread) -> None:
    pem = client.tls_certificate()
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    context = ssl.create_default_context(cadata=pem)
    with smtplib.SMTP("127.0.0.1", http_server.smtp_port) as smtp:
        smtp.starttls(context=context)  # verifies the chain and the name
        smtp.sendmail("app@example.com", ["carl@example.com"], b"Subject: over TLS\r\n\r\nx\r\n")
    assert [m.subject for m in client.wait(user="carl", timeout=5)] == ["over TLS"]
