"""Decoded text for SEARCH (RFC 9051 6.4.4) and the HTTP filters: header values with RFC 2047 words
decoded, and text bodies with their transfer encoding and charset removed, case-folded once and cached."""

from __future__ import annotations

import codecs
import contextlib

from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_text, decode_words
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree
from elektromail.mail.transfer import UnknownTransferEncoding, decode_transfer_encoding


def _codec(charset: bytes | None) -> str:
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset.decode("ascii", "replace")).name
    except LookupError:
        return "utf-8"


def _collect(part: MimePart, raw: bytes, out: list[str]) -> None:
    if part.message is not None:
        out.append(decode_words(raw[part.message.header_start : part.message.body_start]))
        _collect(part.message, raw, out)
        return
    if part.children:
        for child in part.children:
            _collect(child, raw, out)
        return
    if part.type.lower() != b"text":
        return
    out.append(part_text(part, raw))


def part_text(part: MimePart, raw: bytes) -> str:
    """A text part's content as text: transfer encoding and charset removed (unknown ones tolerated)."""
    data = raw[part.body_start : part.end]
    with contextlib.suppress(UnknownTransferEncoding):  # the encoded text rather than nothing
        data = decode_transfer_encoding(part.encoding, data)
    return decode_text(data, _codec(part.param(b"charset")), "utf-8")


def body_text(parsed: ParsedMessage) -> str:
    """The decoded text parts of the message, case-folded for SEARCH BODY."""
    cached: str | None = parsed.cache.get("body_text")
    if cached is None:
        out: list[str] = []
        _collect(mime_tree(parsed), parsed.raw, out)
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


def header_text(parsed: ParsedMessage) -> str:
    """The whole header block decoded and case-folded, for SEARCH TEXT."""
    cached: str | None = parsed.cache.get("header_text")
    if cached is None:
        cached = decode_words(parsed.raw[: parsed.header_end]).casefold()
        parsed.cache["header_text"] = cached
    return cached
