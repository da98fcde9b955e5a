"""Header fields of a message or MIME part: offsets of each field, unfolded values, RFC 2047 decoding, dates.

Fields keep their byte offsets so HEADER.FIELDS can return them exactly as sent; values are unfolded
(RFC 5322 2.2.3: CRLF before whitespace removed) for ENVELOPE, BODYSTRUCTURE and SEARCH.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import sys
from datetime import date, datetime

_FIELD_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(rb"[ \t\r\n]+")
_QP_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_LEAP_SECOND = re.compile(r"(\d\d:\d\d):60\b")
_FOLD = re.compile(rb"[ \t]*\r?\n[ \t]*")


class HeaderField:
    """One field: ``start``/``end`` delimit it in the message bytes including its final CRLF."""

    __slots__ = ("name", "start", "end", "value")

    def __init__(self, name: str, start: int, end: int, value: bytes) -> None:
        self.name = name  # lower case
        self.start = start
        self.end = end
        self.value = value  # unfolded, leading and trailing whitespace removed

    def __repr__(self) -> str:
        return f"HeaderField({self.name!r}, {self.value!r})"


class Headers:
    """The fields of one header block, in order, with lookup by case-insensitive name.

    ``lines`` is every line group of the block as (lower-case name, start, end), a field with its
    continuation lines, and lines that are no field (an mbox ``From `` line, garbage) with the name "";
    ``blank`` is the empty line that ends the block, or None when the block runs to its end. HEADER.FIELDS
    and HEADER.FIELDS.NOT are served from these offsets: what the sender sent is what is returned.

    Every stored message keeps its headers, so they stay small: the line groups are kept only when some
    line is no field (otherwise they are the fields'), and lookups scan the few fields a block has
    rather than keep an index that would weigh more than the fields.
    """

    __slots__ = ("fields", "_lines", "blank")

    def __init__(
        self,
        fields: list[HeaderField],
        lines: list[tuple[str, int, int]] | None = None,
        blank: tuple[int, int] | None = None,
    ) -> None:
        self.fields = fields
        self._lines = None if lines is None or len(lines) == len(fields) else lines
        self.blank = blank

    @property
    def lines(self) -> list[tuple[str, int, int]]:
        if self._lines is not None:
            return self._lines
        return [(field.name, field.start, field.end) for field in self.fields]

    def get(self, name: str) -> bytes | None:
        for field in self.fields:
            if field.name == name:
                return field.value
        return None

    def get_last(self, name: str) -> bytes | None:
        """The value of the last field of that name (ENVELOPE reads Subject, Date and IDs so, as Dovecot)."""
        for field in reversed(self.fields):
            if field.name == name:
                return field.value
        return None

    def get_all(self, name: str) -> list[bytes]:
        return [field.value for field in self.fields if field.name == name]

    def __contains__(self, name: str) -> bool:
        return any(field.name == name for field in self.fields)


def parse_headers(raw: bytes, start: int, end: int) -> Headers:
    """Split ``raw[start:end]`` (a header block, CRLF line ends) into fields and line groups.

    Continuation lines join the group above; lines that are neither a field nor a continuation (garbage,
    an mbox ``From `` line) are no field but stay in ``lines``.
    """
    fields: list[HeaderField] = []
    lines: list[tuple[str, int, int]] = []
    blank: tuple[int, int] | None = None
    pos = start
    current: tuple[str, int, int] | None = None  # name ("" for no field), group start, value start
    while pos < end:
        eol = raw.find(b"\n", pos, end)
        line_end = end if eol < 0 else eol + 1
        first = raw[pos : pos + 1]
        if first in (b" ", b"\t") and (current is not None or raw[pos:line_end].strip()):
            if current is None:
                current = ("", pos, pos)
            pos = line_end
            continue
        if current is not None:
            _close(raw, current, pos, fields, lines)
            current = None
        if raw[pos:line_end].strip() == b"":
            blank = (pos, line_end)
            break  # the blank line ending the header block
        match = _FIELD_NAME.match(raw, pos, line_end)
        # Names are interned: every message repeats the same few.
        name = "" if match is None else sys.intern(match.group(1).decode("ascii").lower())
        current = (name, pos, pos if match is None else match.end())
        pos = line_end
    if current is not None:
        _close(raw, current, pos, fields, lines)
    return Headers(fields, lines, blank)


def _close(
    raw: bytes, current: tuple[str, int, int], end: int, fields: list[HeaderField], lines: list[tuple[str, int, int]]
) -> None:
    name, start, _ = current
    lines.append((name, start, end))
    if name:
        fields.append(_make_field(raw, current, end))


def _make_field(raw: bytes, current: tuple[str, int, int], end: int) -> HeaderField:
    name, start, value_start = current
    return HeaderField(name, start, end, unfold(raw[value_start:end]))


def unfold(value: bytes) -> bytes:
    """A field's value as it reads: its lines joined, surrounding white space removed."""
    if b"\n" in value:
        # A fold and the white space around it read as one space, as Dovecot presents it (RFC 5322 2.2.3
        # keeps the WSP itself).
        value = _FOLD.sub(b" ", value)
    return value.strip(b" \t\r\n")


def _charset_codec(charset: bytes) -> str:
    name = charset.split(b"*", 1)[0].decode("ascii", "replace")  # RFC 2231 5: charset*language
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "latin-1"


def _decode_word(charset: bytes, encoding: bytes, text: bytes) -> str | None:
    try:
        if encoding in (b"b", b"B"):
            data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
        else:
            data = _QP_Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.replace(b"_", b" "))
    except (binascii.Error, ValueError):
        return None
    return decode_text(data, _charset_codec(charset), "latin-1")


def decode_text(data: bytes, codec: str, fallback: str) -> str:
    """``data`` decoded with invalid bytes replaced, never an exception.

    A charset label may name a codec that is not a text encoding (base64, rot13) or that refuses the
    ``replace`` handler (idna, punycode): such labels decode as ``fallback``.
    """
    try:
        return data.decode(codec, "replace")
    except (LookupError, UnicodeError):
        return data.decode(fallback, "replace")


def decode_words(value: bytes) -> str:
    """RFC 2047 decoding for SEARCH; whitespace between adjacent encoded words is dropped (RFC 2047 6.2).

    Text outside encoded words is UTF-8 (RFC 6532) with invalid bytes replaced.
    """
    if b"=?" not in value:
        return value.decode("utf-8", "replace")
    out: list[str] = []
    pos = 0
    previous_was_word = False
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        if decoded is None:
            continue
        if not (previous_was_word and _BETWEEN_WORDS.fullmatch(between)):
            out.append(between.decode("utf-8", "replace"))
        out.append(decoded)
        pos = match.end()
        previous_was_word = True
    out.append(value[pos:].decode("utf-8", "replace"))
    return "".join(out)


def parse_date(value: bytes | None) -> datetime | None:
    """The Date field as an aware or naive datetime, or None if absent or unparseable."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime  # here: the email package loads when a date is first read

    text = _LEAP_SECOND.sub(r"\1:59", value.decode("ascii", "replace"))  # 23:59:60 reads as :59
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed


def sent_date(value: bytes | None) -> date | None:
    """The calendar date of the Date field in its own zone (RFC 9051 6.4.4: SENTON ignores time and zone)."""
    parsed = parse_date(value)
    return None if parsed is None else parsed.date()
