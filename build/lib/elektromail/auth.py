"""Checking credentials, shared by SMTP and IMAP, and the SASL mechanisms both speak.

SASL PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) carry base64 text; decoding errors raise
:class:`SaslError` so each protocol can answer with its own code (SMTP 501 5.5.2, IMAP BAD).
"""

from __future__ import annotations

import binascii
from base64 import b64decode

from elektromail.context import ServerContext
from elektromail.store.model import Account

MECHANISMS = ("PLAIN", "LOGIN")


class SaslError(Exception):
    """The client's SASL data is malformed."""


async def authenticate(context: ServerContext, username: str, password: str) -> Account | None:
    """The account for these credentials, or None. With auth disabled any credentials log in."""
    if context.config.auth_disabled:
        if not username:
            return None
        return await context.store.ensure_account(username)
    return context.store.check_password(username, password)


def decode_base64(data: bytes | str) -> bytes:
    """Strict base64: anything but the alphabet and correct padding is an error."""
    try:
        return b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SaslError("invalid base64") from None


def parse_plain(data: bytes | str) -> tuple[str, str, str]:
    """RFC 4616: ``[authzid] NUL authcid NUL passwd`` -> (authzid, username, password)."""
    decoded = decode_base64(data)
    parts = decoded.split(b"\x00")
    if len(parts) != 3:
        raise SaslError("PLAIN response must be authzid NUL authcid NUL passwd")
    try:
        authzid, username, password = (part.decode("utf-8") for part in parts)
    except UnicodeDecodeError:
        raise SaslError("PLAIN response is not UTF-8") from None
    if not username:
        raise SaslError("PLAIN response has an empty user name")
    return authzid, username, password


def decode_text(data: bytes | str) -> str:
    """One base64 step of SASL LOGIN (user name or password)."""
    try:
        return decode_base64(data).decode("utf-8")
    except UnicodeDecodeError:
        raise SaslError("not UTF-8") from None
