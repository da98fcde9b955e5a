"""Decoded text for SEARCH (RFC 9051 6.4.4) and the HTTP filters: header values with RFC 2047 words
decoded, and text bodies with their transfer encoding and charset removed, case-folded once and cached."""

from __future__ import annotations

import codecs

from elektromail.mail.addresses import Address, parse_address_list
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_text, decode_words
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree, split_parameters
from elektromail.mail.transfer import UnknownTransferEncoding, decode_transfer_encoding


def _codec(charset: bytes | None) -> str:
    if not charset:
        return "utf-8"
    try:
        name = codecs.lookup(charset.decode("ascii", "replace")).name
    except LookupError:
        return "utf-8"
    return "utf-8" if name == "ascii" else name  # 8-bit text labelled US-ASCII is UTF-8, as Dovecot reads it


def _collect(part: MimePart, raw: bytes, out: list[str], headers: bool) -> None:
    """The searchable text of ``part``: its text and message/* leaves, decoded; with ``headers`` also
    every header inside (MIME part headers and encapsulated messages' headers), for TEXT."""
    if headers and part.header_start < part.body_start:
        out.append(decode_words(raw[part.header_start : part.body_start]))
    if part.message is not None:
        # An encoded message/rfc822 (RFC 2046 5.2.1 forbids it) holds no searchable text, as in Dovecot.
        if part.encoding.lower() in _IDENTITY:
            _collect(part.message, raw, out, headers)
        return
    if part.children:
        for child in part.children:
            _collect(child, raw, out, headers)
        return
    if part.type.lower() not in (b"text", b"message") or not part.subtype:  # "text" alone is no text type
        return
    text = part_text(part, raw)
    if text is not None:
        out.append(text)


_IDENTITY = (b"7bit", b"8bit", b"binary")


def part_text(part: MimePart, raw: bytes) -> str | None:
    """A leaf's content as text: transfer encoding (its first word, as Dovecot reads it) and charset
    removed; None when the encoding is unknown, which SEARCH skips as Dovecot does."""
    data = raw[part.body_start : part.end]
    encoding = part.headers.get("content-transfer-encoding")
    token = b"7bit" if encoding is None else split_parameters(encoding)[0]
    if not token:
        return None  # a field with no value names no encoding Dovecot knows
    try:
        data = decode_transfer_encoding(token, data)
    except UnknownTransferEncoding:
        return None
    return decode_text(data, _codec(part.param(b"charset")), "utf-8")


def body_text(parsed: ParsedMessage) -> str:
    """The decoded text parts of the message, case-folded for SEARCH BODY (RFC 9051 6.4.4: the body only;
    headers of encapsulated messages are not body text, as Dovecot searches)."""
    cached: str | None = parsed.cache.get("body_text")
    if cached is None:
        out: list[str] = []
        _collect(mime_tree(parsed), parsed.raw, out, headers=False)
        cached = "\n".join(out).casefold()
        parsed.cache["body_text"] = cached
    return cached


def decoded_headers(parsed: ParsedMessage) -> dict[str, list[str]]:
    """Header values by lower-case name, RFC 2047-decoded and case-folded (cached)."""
    cached: dict[str, list[str]] | None = parsed.cache.get("search_headers")
    if cached is None:
        cached = {}
        for field in message_headers(parsed).fields:
            cached.setdefault(field.name, []).append(decode_words(field.value).casefold())
        parsed.cache["search_headers"] = cached
    return cached


def full_text(parsed: ParsedMessage) -> str:
    """Every header and every text of the message, decoded and case-folded, for SEARCH TEXT."""
    cached: str | None = parsed.cache.get("full_text")
    if cached is None:
        out: list[str] = []
        _collect(mime_tree(parsed), parsed.raw, out, headers=True)
        cached = "\n".join(out).casefold()
        parsed.cache["full_text"] = cached
    return cached


def address_text(parsed: ParsedMessage, name: str) -> str:
    """An address field as its ENVELOPE structures read (RFC 9051 6.4.4: FROM, TO, CC and BCC match the
    envelope's field): ``name <@route:mailbox@host>`` per address, ``group:`` and ``;`` for groups, names
    RFC 2047-decoded, Dovecot's MISSING_* placeholders included; case-folded (cached)."""
    texts: dict[str, str] | None = parsed.cache.get("address_text")
    if texts is None:
        texts = parsed.cache["address_text"] = {}
    cached = texts.get(name)
    if cached is None:
        pieces: list[str] = []
        for value in message_headers(parsed).get_all(name):
            for address in parse_address_list(value):
                pieces.append(_address_words(address))
        cached = texts[name] = ", ".join(pieces).casefold()
    return cached


def _address_words(address: Address) -> str:
    if address.host is None:
        return ";" if address.mailbox is None else decode_words(address.mailbox) + ":"
    spec = decode_words((address.mailbox or b"") + b"@" + address.host)
    if address.route:
        spec = decode_words(address.route) + ":" + spec
    if address.name:
        return decode_words(address.name) + " <" + spec + ">"
    return spec
