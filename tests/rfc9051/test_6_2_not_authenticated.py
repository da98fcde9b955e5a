"""RFC 9051 6.2: the not-authenticated state (LOGIN, AUTHENTICATE with SASL-IR and cancel, STARTTLS)."""

from __future__ import annotations

from base64 import b64encode

import pytest

from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, Literal, quote, starttls
from tests.rfc9051.conftest import Connect
from tests.rfc9051.target import Target


def plain(user: str, password: str, authzid: str = "") -> str:
    return b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


def authenticated(client: ImapClient) -> bool:
    """Whether the session is authenticated: LIST is only valid there (RFC 9051 6.3.9)."""
    return client.command("LIST", '""', '""').status == "OK"


def test_login_succeeds_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3: LOGIN with the right credentials answers OK and enters the authenticated state."""
    client = connect()
    client.login(target.user, target.password)
    assert authenticated(client)


def test_login_wrong_password_is_no_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3: wrong credentials get NO."""
    result = connect().command("LOGIN", quote(target.user), quote(target.password + "-wrong"))
    assert result.status == "NO"


def test_login_failure_code_rfc9051_7_1(connect: Connect, target: Target) -> None:
    """RFC 9051 7.1 (AUTHENTICATIONFAILED): a failed login carries AUTHENTICATIONFAILED or no code at all."""
    result = connect().command("LOGIN", quote(target.user), quote(target.password + "-wrong"))
    assert result.status == "NO"
    assert result.tagged.code in {None, "AUTHENTICATIONFAILED", "UNAVAILABLE"}


def test_login_unknown_user_is_no_rfc9051_6_2_3(connect: Connect) -> None:
    """RFC 9051 6.2.3: an unknown user gets NO."""
    assert connect().command("LOGIN", quote("no-such-user-rfc9051"), quote("x")).status == "NO"


def test_failed_login_stays_not_authenticated_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3: after a failed LOGIN the session is still not authenticated."""
    client = connect()
    client.command("LOGIN", quote(target.user), quote(target.password + "-wrong"))
    assert not authenticated(client)


def test_login_retry_after_failure_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3: a client may try again after a failed LOGIN on the same connection."""
    client = connect()
    client.command("LOGIN", quote(target.user), quote(target.password + "-wrong"))
    client.login(target.user, target.password)
    assert authenticated(client)


def test_login_with_literal_arguments_rfc9051_4_3(connect: Connect, target: Target) -> None:
    """RFC 9051 4.3/6.2.3: LOGIN's astring arguments may be literals."""
    client = connect()
    client.command("LOGIN", Literal(target.user.encode()), Literal(target.password.encode())).check()
    assert authenticated(client)


def test_login_with_atom_arguments_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3 (astring): plain atoms are accepted for user name and password."""
    if not all(char.isalnum() for char in target.user + target.password):
        pytest.skip("credentials are not plain atoms")
    client = connect()
    client.command("LOGIN", target.user, target.password).check()


def test_login_missing_password_is_bad_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3: LOGIN needs two arguments; one is a syntax error (BAD), and the session goes on."""
    client = connect()
    assert client.command("LOGIN", quote(target.user)).status == "BAD"
    client.ok("NOOP")


def test_login_ok_capability_code_lists_imap4rev2_rfc9051_6_2_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.3/7.1: a CAPABILITY code in LOGIN's OK, if sent, lists IMAP4rev2."""
    result = connect().login(target.user, target.password)
    response = result.code_response("CAPABILITY")
    if response is not None:
        assert "IMAP4REV2" in {str(item).upper() for item in response.code_args}
    else:
        assert result.status == "OK"


def test_login_in_authenticated_state_is_rejected_rfc9051_6_2_3(imap: ImapClient, target: Target) -> None:
    """RFC 9051 6.2.3: LOGIN is only valid before authentication; afterwards it is BAD (or NO)."""
    assert imap.command("LOGIN", quote(target.user), quote(target.password)).status in {"BAD", "NO"}


def test_select_before_login_is_rejected_rfc9051_6_2(connect: Connect) -> None:
    """RFC 9051 6.2/3.1: SELECT is not valid in the not-authenticated state."""
    assert connect().command("SELECT", "INBOX").status in {"BAD", "NO"}


def test_list_before_login_is_rejected_rfc9051_6_2(connect: Connect) -> None:
    """RFC 9051 6.2: LIST needs authentication."""
    assert connect().command("LIST", '""', '"*"').status in {"BAD", "NO"}


def test_authenticate_plain_with_continuation_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2: AUTHENTICATE PLAIN; the server sends "+", the client answers in base64."""
    client = connect()
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE PLAIN\r\n".encode())
    continuation = client.read_response()
    assert continuation.tag == "+"
    client.send(plain(target.user, target.password).encode() + b"\r\n")
    assert client.complete(tag).status == "OK"
    assert authenticated(client)


def test_authenticate_plain_sasl_ir_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2 (SASL-IR, RFC 4959): the initial response may follow the mechanism name."""
    client = connect()
    client.refresh_capabilities()
    require(client, "SASL-IR")
    client.ok("AUTHENTICATE", "PLAIN", plain(target.user, target.password))
    assert authenticated(client)


def test_authenticate_plain_with_own_authzid_rfc4616_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2 with RFC 4616 2: an authorization identity equal to the user is accepted."""
    client = connect()
    client.ok("AUTHENTICATE", "PLAIN", plain(target.user, target.password, authzid=target.user))


def test_authenticate_wrong_password_is_no_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2: failed authentication gets NO."""
    client = connect()
    assert client.command("AUTHENTICATE", "PLAIN", plain(target.user, "wrong-" + target.password)).status == "NO"
    assert not authenticated(client)


def test_authenticate_cancel_is_bad_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2: a "*" line cancels; the server MUST answer the AUTHENTICATE with a tagged BAD."""
    client = connect()
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE PLAIN\r\n".encode())
    assert client.read_response().tag == "+"
    client.send(b"*\r\n")
    assert client.complete(tag).status == "BAD"


def test_session_usable_after_cancel_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2: after a cancelled exchange the client can still log in."""
    client = connect()
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE PLAIN\r\n".encode())
    client.read_response()
    client.send(b"*\r\n")
    client.complete(tag)
    client.login(target.user, target.password)
    assert authenticated(client)


def test_authenticate_invalid_base64_is_bad_rfc9051_6_2_2(connect: Connect) -> None:
    """RFC 9051 6.2.2: a response that is not valid base64 MUST be rejected with a tagged BAD."""
    client = connect()
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE PLAIN\r\n".encode())
    assert client.read_response().tag == "+"
    client.send(b"!!!not-base64!!!\r\n")
    assert client.complete(tag).status == "BAD"


def test_authenticate_unknown_mechanism_is_no_rfc9051_6_2_2(connect: Connect) -> None:
    """RFC 9051 6.2.2: an unsupported mechanism SHOULD get NO (BAD is what some servers send)."""
    client = connect()
    assert client.command("AUTHENTICATE", "X-NO-SUCH-MECHANISM").status in {"NO", "BAD"}
    client.ok("NOOP")


def test_authenticate_login_mechanism_rfc9051_6_2_2(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2: AUTH=LOGIN, where advertised, asks for user name and password in two steps."""
    client = connect()
    client.refresh_capabilities()
    if "AUTH=LOGIN" not in client.capabilities:
        pytest.skip("server does not advertise AUTH=LOGIN")
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE LOGIN\r\n".encode())
    assert client.read_response().tag == "+"
    client.send(b64encode(target.user.encode()) + b"\r\n")
    assert client.read_response().tag == "+"
    client.send(b64encode(target.password.encode()) + b"\r\n")
    assert client.complete(tag).status == "OK"


def test_authenticate_after_login_is_rejected_rfc9051_6_2_2(imap: ImapClient, target: Target) -> None:
    """RFC 9051 6.2.2: AUTHENTICATE is only valid in the not-authenticated state."""
    result = imap.command("AUTHENTICATE", "PLAIN", plain(target.user, target.password))
    assert result.status in {"BAD", "NO"}


def test_authenticate_empty_initial_response_rfc4959_3(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.2 (SASL-IR): "=" sends an empty initial response; PLAIN then cannot succeed."""
    client = connect()
    tag = client.next_tag()
    client.send(f"{tag} AUTHENTICATE PLAIN =\r\n".encode())
    response = client.read_response()
    if response.tag == "+":
        client.send(b"*\r\n")
        response = client.complete(tag).tagged
    assert response.tag == tag
    assert response.status in {"NO", "BAD"}


def test_starttls_upgrades_connection_rfc9051_6_2_1(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.1: where STARTTLS is advertised, OK is followed by a TLS handshake and a fresh CAPABILITY."""
    client = connect()
    client.refresh_capabilities()
    if target.tls or "STARTTLS" not in client.capabilities:
        pytest.skip("server does not advertise STARTTLS on this connection")
    client.ok("STARTTLS")
    starttls(client)
    caps = client.refresh_capabilities()
    assert "STARTTLS" not in caps
    client.login(target.user, target.password)


def test_starttls_twice_is_rejected_rfc9051_6_2_1(connect: Connect, target: Target) -> None:
    """RFC 9051 6.2.1: once TLS is active, STARTTLS is no longer valid."""
    client = connect()
    client.refresh_capabilities()
    if target.tls or "STARTTLS" not in client.capabilities:
        pytest.skip("server does not advertise STARTTLS on this connection")
    client.ok("STARTTLS")
    starttls(client)
    assert client.command("STARTTLS").status in {"BAD", "NO"}


def test_preauth_or_ok_greeting_capability_code_rfc9051_7_1(connect: Connect) -> None:
    """RFC 9051 7.1: a CAPABILITY code in the greeting, if sent, lists IMAP4rev2."""
    client = connect()
    if client.greeting.code == "CAPABILITY":
        assert "IMAP4REV2" in {str(item).upper() for item in client.greeting.code_args}
    else:
        assert client.greeting.status in {"OK", "PREAUTH"}
