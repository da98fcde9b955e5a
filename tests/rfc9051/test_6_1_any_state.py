"""RFC 9051 6.1: commands valid in any state (CAPABILITY, NOOP, LOGOUT) and ID (RFC 2971)."""

from __future__ import annotations

import pytest

from tests.rfc9051.capabilities import REV2_INCORPORATED, optional, require
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import Connect
from tests.rfc9051.target import Target


def test_greeting_is_untagged_ok_or_preauth_rfc9051_7_1(connect: Connect) -> None:
    """RFC 9051 7.1.1/7.1.4: the greeting is an untagged OK (or PREAUTH)."""
    client = connect()
    assert client.greeting.tag == "*"
    assert client.greeting.status in {"OK", "PREAUTH"}


def test_capability_returns_one_untagged_capability_rfc9051_6_1_1(connect: Connect) -> None:
    """RFC 9051 6.1.1: CAPABILITY answers with exactly one untagged CAPABILITY response, then OK."""
    result = connect().ok("CAPABILITY")
    assert len(result.of_kind("CAPABILITY")) == 1


def test_capability_lists_imap4rev2_rfc9051_6_1_1(connect: Connect) -> None:
    """RFC 9051 6.1.1: "IMAP4rev2" must be in the capability list."""
    result = connect().ok("CAPABILITY")
    names = {str(item).upper() for item in result.one("CAPABILITY").data}
    assert "IMAP4REV2" in names


def test_capability_offers_plain_or_starttls_rfc9051_6_1_1(connect: Connect) -> None:
    """RFC 9051 6.1.1/11.1: AUTH=PLAIN is offered, or LOGINDISABLED with STARTTLS to reach it."""
    client = connect()
    client.refresh_capabilities()
    caps = client.capabilities
    assert "AUTH=PLAIN" in caps or ("LOGINDISABLED" in caps and "STARTTLS" in caps)


def test_capability_after_login_still_lists_imap4rev2_rfc9051_6_1_1(imap: ImapClient) -> None:
    """RFC 9051 6.1.1: CAPABILITY works in the authenticated state and still lists IMAP4rev2."""
    names = {str(item).upper() for item in imap.ok("CAPABILITY").one("CAPABILITY").data}
    assert "IMAP4REV2" in names


def test_capability_in_selected_state_rfc9051_6_1_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.1.1: CAPABILITY is valid in the selected state."""
    imap.ok("SELECT", quote(mailbox))
    assert len(imap.ok("CAPABILITY").of_kind("CAPABILITY")) == 1


@pytest.mark.parametrize("extension", REV2_INCORPORATED)
def test_incorporated_extension_available_rfc9051_appendix_e(imap: ImapClient, extension: str) -> None:
    """RFC 9051 Appendix E: each extension folded into IMAP4rev2 is available after login."""
    require(imap, extension)


def test_capability_names_are_atoms_rfc9051_6_1_1(connect: Connect) -> None:
    """RFC 9051 9 (capability = atom): every capability is an atom, none is a string or list."""
    data = connect().ok("CAPABILITY").one("CAPABILITY").data
    assert data
    assert all(isinstance(item, str) for item in data)


def test_noop_not_authenticated_rfc9051_6_1_2(connect: Connect) -> None:
    """RFC 9051 6.1.2: NOOP always succeeds, also before login."""
    connect().ok("NOOP")


def test_noop_authenticated_rfc9051_6_1_2(imap: ImapClient) -> None:
    """RFC 9051 6.1.2: NOOP succeeds in the authenticated state."""
    imap.ok("NOOP")


def test_noop_selected_rfc9051_6_1_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.1.2: NOOP succeeds in the selected state."""
    imap.ok("SELECT", quote(mailbox))
    imap.ok("NOOP")


def test_commands_are_case_insensitive_rfc9051_9(connect: Connect) -> None:
    """RFC 9051 9 (case-insensitive keywords): "noop" and "NoOp" work like "NOOP"."""
    client = connect()
    client.ok("noop")
    client.ok("NoOp")


def test_tag_may_hold_any_atom_characters_rfc9051_2_2_1(connect: Connect) -> None:
    """RFC 9051 2.2.1: the tag is an alphanumeric string chosen by the client; the reply echoes it."""
    client = connect()
    result = client.command("NOOP", tag="A.b-7_x")
    assert result.tagged.tag == "A.b-7_x"
    assert result.status == "OK"


def test_unknown_command_is_bad_rfc9051_7_1_3(connect: Connect) -> None:
    """RFC 9051 7.1.3: an unrecognised command gets a tagged BAD, and the connection stays usable."""
    client = connect()
    assert client.command("XYZZYNOSUCHCOMMAND").status == "BAD"
    client.ok("NOOP")


def test_logout_sends_bye_then_ok_rfc9051_6_1_3(connect: Connect) -> None:
    """RFC 9051 6.1.3: LOGOUT answers an untagged BYE before the tagged OK, then closes."""
    client = connect()
    result = client.ok("LOGOUT")
    assert [response.status for response in result.untagged if response.status] == ["BYE"]
    assert not client.has_pending(1.0) or client.sock.recv(1) == b""


def test_logout_authenticated_rfc9051_6_1_3(imap: ImapClient) -> None:
    """RFC 9051 6.1.3: LOGOUT is valid in the authenticated state."""
    result = imap.ok("LOGOUT")
    assert any(response.status == "BYE" for response in result.untagged)


def test_logout_selected_rfc9051_6_1_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.1.3: LOGOUT is valid in the selected state."""
    imap.ok("SELECT", quote(mailbox))
    result = imap.ok("LOGOUT")
    assert any(response.status == "BYE" for response in result.untagged)


def test_logout_closes_connection_rfc9051_6_1_3(connect: Connect) -> None:
    """RFC 9051 6.1.3: after the tagged OK of LOGOUT the server closes the connection."""
    client = connect()
    client.ok("LOGOUT")
    client.sock.settimeout(3.0)
    data = b""
    for _ in range(10):
        chunk = client.sock.recv(4096)
        if not chunk:
            break
        data += chunk
    assert b"\r\n" not in data.rstrip(b"\r\n") or data == b""


def test_id_nil_rfc2971_3_1(connect: Connect) -> None:
    """RFC 2971 3.1 (ID, listed with the any-state commands of RFC 9051 6.1): "ID NIL" gets one ID reply."""
    client = connect()
    client.refresh_capabilities()
    optional(client, "ID")
    result = client.ok("ID", "NIL")
    response = result.one("ID")
    assert response.data == [None] or isinstance(response.data[0], list)


def test_id_with_parameters_rfc2971_3_1(connect: Connect) -> None:
    """RFC 2971 3.1: the client's field/value list is accepted; the server's list has an even length."""
    client = connect()
    client.refresh_capabilities()
    optional(client, "ID")
    result = client.ok("ID", '("name" "rfc9051-harness" "version" "1.0")')
    data = result.one("ID").data
    assert data[0] is None or len(data[0]) % 2 == 0  # type: ignore[arg-type]


def test_id_after_login_rfc2971_3_1(imap: ImapClient) -> None:
    """RFC 2971 3.1: ID is valid in the authenticated state too."""
    optional(imap, "ID")
    imap.ok("ID", "NIL")


def test_target_is_reachable(target: Target) -> None:
    """RFC 9051 7.1: connecting to the target yields a greeting (sanity check for the harness itself)."""
    client = ImapClient(target.host, target.port, tls=target.tls, timeout=target.timeout)
    try:
        assert client.greeting.status in {"OK", "PREAUTH"}
    finally:
        client.close()
