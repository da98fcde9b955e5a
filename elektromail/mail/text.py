"""Decoded text for SEARCH (RFC 9051 6.4.4) and the HTTP filters: header values with RFC 2047 words
decoded, and text bodies with their transfer encoding and charset removed, case-folded.

What is cached stays small beside the message: text that is plain ASCII as stored (most parts and header
blocks) is searched in the message's own bytes, only its offsets kept; only text that needs decoding is
kept decoded. Header values are decoded when a search asks for that field.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from typing import overload

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


# Codecs that read ASCII bytes as the same characters, so an ASCII part needs no decoding.
_ASCII_COMPATIBLE = ("utf-8", "ascii", "iso8859", "latin", "cp125")


def ascii_compatible(charset: bytes | None) -> bool:
    """Whether text labelled ``charset`` is read with a codec that reads ASCII octets as themselves."""
    return _codec(charset).startswith(_ASCII_COMPATIBLE)


class SearchText:
    """Searchable text: ``needle in text`` for a case-folded needle. ASCII pieces are (start, end)
    offsets into ``raw``, searched in place; the others are kept decoded and case-folded."""

    __slots__ = ("raw", "spans", "texts")

    def __init__(self, raw: bytes, spans: list[tuple[int, int]], texts: list[str]) -> None:
        self.raw = raw
        self.spans = tuple(spans)
        self.texts = tuple(texts)

    def __contains__(self, needle: str) -> bool:
        if self.texts and any(needle in text for text in self.texts):  # most messages have none
            return True
        if not self.spans or not needle.isascii():
            return False  # case-folded ASCII text holds no other characters
        raw = self.raw
        wanted = needle.encode("ascii")
        # The needle as written is found with a plain search, the cheapest test, and where text is mostly
        # lower case it usually is; otherwise the span lowered (case-folding ASCII is lower-casing) is
        # searched, which costs a copy but runs several times faster than a case-insensitive pattern.
        for start, end in self.spans:
            if raw.find(wanted, start, end) >= 0:
                return True
        return any(raw[start:end].lower().find(wanted) >= 0 for start, end in self.spans)


# The pieces of text as _collect finds them: offsets of ASCII text in the message, and decoded text.
_Pieces = tuple[list[tuple[int, int]], list[str]]


def _add_header_block(raw: bytes, start: int, end: int, out: _Pieces) -> None:
    block = raw[start:end]
    if block.isascii() and b"=?" not in block:
        out[0].append((start, end))
    else:
        out[1].append(decode_words(block).casefold())


def _collect(part: MimePart, raw: bytes, out: _Pieces, headers: bool) -> None:
    """The searchable text of ``part``: its text and message/* leaves, decoded; with ``headers`` also
    every header inside (MIME part headers and encapsulated messages' headers), for TEXT."""
    if headers and part.header_start < part.body_start:
        _add_header_block(raw, part.header_start, part.body_start, out)
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
    if _stored_as_ascii(part, raw):
        out[0].append((part.body_start, part.end))
        return
    text = part_text(part, raw)
    if text is not None:
        out[1].append(text.casefold())


def _stored_as_ascii(part: MimePart, raw: bytes) -> bool:
    """True when the part's text is its stored bytes, all ASCII: no transfer encoding to undo, and a
    charset that reads ASCII as itself."""
    encoding = part.headers.get("content-transfer-encoding")
    token = b"7bit" if encoding is None else split_parameters(encoding)[0]
    return (
        token.lower() in _IDENTITY
        and ascii_compatible(part.param(b"charset"))
        and raw[part.body_start : part.end].isascii()
    )


def _search_text(parsed: ParsedMessage, key: str, headers: bool) -> SearchText:
    cached: SearchText | None = parsed.cache.get(key)
    if cached is None:
        out: _Pieces = ([], [])
        _collect(mime_tree(parsed), parsed.raw, out, headers)
        cached = parsed.cache[key] = SearchText(parsed.raw, *out)
    return cached


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


def body_text(parsed: ParsedMessage) -> SearchText:
    """The decoded text parts of the message, case-folded for SEARCH BODY (RFC 9051 6.4.4: the body only;
    headers of encapsulated messages are not body text, as Dovecot searches). Cached."""
    return _search_text(parsed, "body_text", headers=False)


class DecodedHeaders:
    """Header values by lower-case name, RFC 2047-decoded and case-folded (see :func:`header_values`)."""

    __slots__ = ("parsed",)

    def __init__(self, parsed: ParsedMessage) -> None:
        self.parsed = parsed

    @overload
    def get(self, name: str) -> Sequence[str] | None: ...

    @overload
    def get(self, name: str, default: Sequence[str]) -> Sequence[str]: ...

    def get(self, name: str, default: Sequence[str] | None = None) -> Sequence[str] | None:
        return header_values(self.parsed, name) or default


def decoded_headers(parsed: ParsedMessage) -> DecodedHeaders:
    """Header values by lower-case name, RFC 2047-decoded and case-folded."""
    return DecodedHeaders(parsed)


def header_values(parsed: ParsedMessage, name: str) -> list[str]:
    """The decoded, case-folded values of the fields named ``name`` (lower case), empty if none. Decoded
    when a field is first asked for, then kept on the message: a SEARCH tests the same field of every
    message, command after command, and decoding was most of its cost. Only fields asked for are kept."""
    cache = parsed.cache
    decoded: dict[str, list[str]] | None = cache.get("decoded_fields")
    if decoded is None:
        decoded = cache["decoded_fields"] = {}
    values = decoded.get(name)
    if values is None:
        fields = message_headers(parsed).fields
        values = decoded[name] = [decode_words(field.value).casefold() for field in fields if field.name == name]
    return values


def full_text(parsed: ParsedMessage) -> SearchText:
    """Every header and every text of the message, decoded and case-folded, for SEARCH TEXT (cached)."""
    return _search_text(parsed, "full_text", headers=True)


def address_text(parsed: ParsedMessage, name: str) -> str:
    """An address field as its ENVELOPE structures read (RFC 9051 6.4.4: FROM, TO, CC and BCC match the
    envelope's field): ``name <@route:mailbox@host>`` per address, ``group:`` and ``;`` for groups, names
    RFC 2047-decoded, Dovecot's MISSING_* placeholders included; case-folded (cached)."""
    texts = parsed.address_texts
    if texts is None:
        texts = parsed.address_texts = {}
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
