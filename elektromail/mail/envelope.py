"""ENVELOPE (RFC 9051 7.5.2) encoded once per message as IMAP bytes."""

from __future__ import annotations

import re
from collections.abc import Callable

from elektromail.interning import bounded_interner
from elektromail.mail.addresses import Address, parse_address_list
from elektromail.mail.headers import Headers, parse_headers
from elektromail.mail.imapstr import NIL, nstring
from elektromail.mail.message import ParsedMessage


def message_headers(parsed: ParsedMessage) -> Headers:
    """The top-level header fields (cached)."""
    headers: Headers | None = parsed.cache.get("headers")
    if headers is None:
        headers = parse_headers(parsed.raw, 0, parsed.header_end)
        parsed.cache["headers"] = headers
    return headers


def encode_addresses(addresses: list[Address]) -> bytes:
    if not addresses:
        return NIL
    parts = [
        b"(%b %b %b %b)" % (nstring(a.name), nstring(a.route), nstring(a.mailbox), nstring(a.host)) for a in addresses
    ]
    return b"(" + b"".join(parts) + b")"


def _address_field(headers: Headers, name: str) -> bytes | None:
    values = headers.get_all(name)
    if not values:
        return None
    addresses: list[Address] = []
    for value in values:
        addresses.extend(parse_address_list(value))
    return encode_addresses(addresses) if addresses else None


_SPACES = re.compile(rb"[ \t]{2,}")


def collapse_spaces(value: bytes | None) -> bytes | None:
    """A run of spaces in the subject reads as one, as Dovecot presents it."""
    if value is None or (b"  " not in value and b"\t" not in value):
        return value
    return _SPACES.sub(b" ", value)


def envelope_pieces(headers: Headers) -> tuple[bytes, bytes]:
    """ENVELOPE in two pieces that join into its encoding: the fields up to In-Reply-To, then the
    Message-ID. The first repeats across the messages of a test run (one sender, one recipient, a second's
    worth of dates) and is shared; only the Message-ID is the message's own.

    Date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id (RFC 9051 7.5.2). Sender
    and Reply-To default to From when absent; strings are sent as written.
    """
    from_ = _address_field(headers, "from") or NIL
    sender = _address_field(headers, "sender") or from_
    reply_to = _address_field(headers, "reply-to") or from_
    shared = b"(%b %b %b %b %b %b %b %b %b " % (
        nstring(headers.get_last("date")),
        nstring(collapse_spaces(headers.get_last("subject"))),
        from_,
        sender,
        reply_to,
        _address_field(headers, "to") or NIL,
        _address_field(headers, "cc") or NIL,
        _address_field(headers, "bcc") or NIL,
        nstring(headers.get_last("in-reply-to")),
    )
    return _shared(shared), nstring(headers.get_last("message-id")) + b")"


def encode_envelope(headers: Headers) -> bytes:
    return b"".join(envelope_pieces(headers))


# The pieces many messages' ENVELOPEs share, each kept once.
SHARED_PIECES_MAX = 4096
_pieces: dict[bytes, bytes] = {}
_shared: Callable[[bytes], bytes] = bounded_interner(_pieces, SHARED_PIECES_MAX)


def envelope(parsed: ParsedMessage, prefix: bytes = b"") -> bytes:
    """The message's ENVELOPE after ``prefix`` (worked out once, then kept for the message's lifetime: see
    ParsedMessage)."""
    shared, own = parsed.envelope_shared, parsed.envelope_own
    if shared is None or own is None:
        # The header fields it is built from are parsed for it alone unless another reader has them: the
        # encoding is a fraction of their size, and FETCH ENVELOPE is what reads the most messages.
        headers: Headers | None = parsed.cache.get("headers")
        if headers is None:
            headers = parse_headers(parsed.raw, 0, parsed.header_end)
        shared, own = envelope_pieces(headers)
        parsed.envelope_shared, parsed.envelope_own = shared, own
    return b"".join((prefix, shared, own))
