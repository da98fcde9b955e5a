"""Decoded text for SEARCH (RFC 9051 6.4.4) and the HTTP filters: header values with RFC 2047 words
decoded, and text bodies with their transfer encoding and charset removed, case-folded.

What is cached stays small beside the message: a text part that is plain ASCII as stored is searched in
the message's own bytes (only its offsets are kept); only parts that need decoding keep decoded text.
Header values are decoded when a search asks for that field.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import overload

from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import Headers, decode_text, decode_words
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree
from elektromail.mail.sections import UnknownTransferEncoding, decode_transfer_encoding


def _codec(charset: bytes | None) -> str:
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset.decode("ascii", "replace")).name
    except LookupError:
        return "utf-8"


# Codecs that read ASCII bytes as the same characters, so an ASCII part needs no decoding.
_ASCII_COMPATIBLE = ("utf-8", "ascii", "iso8859", "latin", "cp125")
_IDENTITY_ENCODINGS = (b"7bit", b"8bit", b"binary")


class BodyText:
    """The searchable text of a message's text parts: ``needle in body_text(parsed)`` for a case-folded
    needle. ASCII parts are (start, end) offsets into ``raw``, the rest decoded and case-folded."""

    __slots__ = ("raw", "spans", "texts")

    def __init__(self, raw: bytes, spans: list[tuple[int, int]], texts: list[str]) -> None:
        self.raw = raw
        self.spans = tuple(spans)
        self.texts = tuple(texts)

    def __contains__(self, needle: str) -> bool:
        if any(needle in text for text in self.texts):
            return True
        if not self.spans or not needle.isascii():
            return False  # a case-folded ASCII text holds no other characters
        pattern = _ascii_pattern(needle)
        return any(pattern.search(self.raw, start, end) is not None for start, end in self.spans)


@lru_cache(maxsize=64)
def _ascii_pattern(needle: str) -> re.Pattern[bytes]:
    # Case-folding ASCII is lower-casing, which IGNORECASE on bytes matches.
    return re.compile(re.escape(needle.encode("ascii")), re.IGNORECASE)


def _collect(part: MimePart, raw: bytes, spans: list[tuple[int, int]], texts: list[str]) -> None:
    if part.message is not None:
        texts.append(decode_words(raw[part.message.header_start : part.message.body_start]).casefold())
        _collect(part.message, raw, spans, texts)
        return
    if part.children:
        for child in part.children:
            _collect(child, raw, spans, texts)
        return
    if part.type.lower() != b"text":
        return
    if (
        part.encoding.lower() in _IDENTITY_ENCODINGS
        and _codec(part.param(b"charset")).startswith(_ASCII_COMPATIBLE)
        and raw[part.body_start : part.end].isascii()
    ):
        spans.append((part.body_start, part.end))
    else:
        texts.append(part_text(part, raw).casefold())


def part_text(part: MimePart, raw: bytes) -> str:
    """A text part's content as text: transfer encoding and charset removed (unknown ones tolerated)."""
    data = raw[part.body_start : part.end]
    with contextlib.suppress(UnknownTransferEncoding):  # the encoded text rather than nothing
        data = decode_transfer_encoding(part.encoding, data)
    return decode_text(data, _codec(part.param(b"charset")), "utf-8")


def body_text(parsed: ParsedMessage) -> BodyText:
    """The decoded text parts of the message, case-folded for SEARCH BODY (cached)."""
    cached: BodyText | None = parsed.cache.get("body_text")
    if cached is None:
        spans: list[tuple[int, int]] = []
        texts: list[str] = []
        _collect(mime_tree(parsed), parsed.raw, spans, texts)
        cached = BodyText(parsed.raw, spans, texts)
        parsed.cache["body_text"] = cached
    return cached


class DecodedHeaders:
    """Header values by lower-case name, RFC 2047-decoded and case-folded when asked for."""

    __slots__ = ("headers",)

    def __init__(self, headers: Headers) -> None:
        self.headers = headers

    @overload
    def get(self, name: str) -> Sequence[str] | None: ...

    @overload
    def get(self, name: str, default: Sequence[str]) -> Sequence[str]: ...

    def get(self, name: str, default: Sequence[str] | None = None) -> Sequence[str] | None:
        values = [decode_words(field.value).casefold() for field in self.headers.fields if field.name == name]
        return values or default


def decoded_headers(parsed: ParsedMessage) -> DecodedHeaders:
    """Header values by lower-case name, RFC 2047-decoded and case-folded."""
    return DecodedHeaders(message_headers(parsed))


def header_text(parsed: ParsedMessage) -> str:
    """The whole header block decoded and case-folded, for SEARCH TEXT."""
    cached: str | None = parsed.cache.get("header_text")
    if cached is None:
        cached = decode_words(parsed.raw[: parsed.header_end]).casefold()
        parsed.cache["header_text"] = cached
    return cached
