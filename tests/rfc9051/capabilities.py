"""What a server must offer: IMAP4rev2 folds many former extensions into the base protocol.

RFC 9051 Appendix E lists the extensions IMAP4rev2 incorporates; a server advertising IMAP4rev2 need not
name them separately, and a server without IMAP4rev2 must name each one it implements.
"""

from __future__ import annotations

import pytest

from tests.rfc9051.client import ImapClient

# RFC 9051 Appendix E: extensions that are part of IMAP4rev2.
REV2_INCORPORATED = (
    "NAMESPACE",
    "UNSELECT",
    "UIDPLUS",
    "ESEARCH",
    "SEARCHRES",
    "ENABLE",
    "IDLE",
    "SASL-IR",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "MOVE",
    "LITERAL-",
    "BINARY",
    "SPECIAL-USE",
    "STATUS=SIZE",
)

# A capability that implies another (RFC 7888: LITERAL+ is a superset of LITERAL-).
_IMPLIED_BY = {"LITERAL-": "LITERAL+"}


def supports(client: ImapClient, extension: str) -> bool:
    capabilities = client.capabilities
    extension = extension.upper()
    if extension in capabilities:
        return True
    if extension in _IMPLIED_BY and _IMPLIED_BY[extension] in capabilities:
        return True
    return "IMAP4REV2" in capabilities and extension in REV2_INCORPORATED


def require(client: ImapClient, extension: str) -> None:
    """Fail (not skip) when an extension that IMAP4rev2 makes mandatory is missing."""
    assert supports(client, extension), f"IMAP4rev2 requires {extension} (RFC 9051 Appendix E); not offered"


def optional(client: ImapClient, extension: str) -> None:
    """Skip, with the reason shown, when an optional extension is not advertised."""
    if not supports(client, extension):
        pytest.skip(f"server does not advertise the optional {extension} extension")
