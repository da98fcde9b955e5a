"""The IMAP command grammar (RFC 9051 9) as a pure parser over bytes: no I/O, no session.

The connection assembles one command (its line, and for each literal the ``{n}`` octets and the line that
follows) and hands the bytes to :class:`Reader`; command modules pull typed values from it. Literal sizes
were already checked by the connection before it buffered them; :func:`literal_at_end` is the check it
uses to see that a line ends in a literal announcement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple

from elektromail.imap.engine import mutf7
from elektromail.imap.engine.limits import MAX_NUMBER, MAX_NUMBER64
from elektromail.imap.engine.sequence import SeqRange, SequenceSet
from elektromail.store.model import SYSTEM_FLAGS, canonical_flag, canonical_mailbox_name


class ParseError(Exception):
    """A command that does not match the grammar; the session answers ``tag BAD reason``."""

    def __init__(self, reason: str, tag: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tag = tag


# RFC 9051 9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
_ATOM_SPECIALS = frozenset(b'(){ %*"\\]') | frozenset(range(0x20)) | {0x7F}
ATOM_CHARS = frozenset(range(1, 0x80)) - _ATOM_SPECIALS
ASTRING_CHARS = ATOM_CHARS | {ord("]")}
TAG_CHARS = ASTRING_CHARS - {ord("+")}
LIST_CHARS = ATOM_CHARS | frozenset(b"%*]")
_DIGITS = frozenset(b"0123456789")

# RFC 9051 2.3.2 system flags, plus \Recent which rev1 clients may still send (ignored where set).
KNOWN_SYSTEM_FLAGS = frozenset({*SYSTEM_FLAGS, "\\Recent"})

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name.lower(): number for number, name in enumerate(MONTHS, 1)}


class LiteralAnnouncement(NamedTuple):
    size: int  # above MAX_NUMBER64 when the digits are no number64 at all
    synchronizing: bool


def literal_at_end(line: bytes) -> LiteralAnnouncement | None:
    """``{n}`` / ``{n+}`` (and ``~{n}`` literal8) closing a line: the client will send n octets next."""
    if not line.endswith(b"}"):
        return None
    start = line.rfind(b"{")
    if start < 0:
        return None
    inside = line[start + 1 : -1]
    synchronizing = not inside.endswith(b"+")
    digits = inside if synchronizing else inside[:-1]
    if not digits or not digits.isdigit():
        return None
    # More digits than any number64 has: say so without converting an arbitrarily long number.
    size = int(digits) if len(digits) <= len(str(MAX_NUMBER64)) else MAX_NUMBER64 + 1
    return LiteralAnnouncement(size, synchronizing)


def tag_of(line: bytes) -> str | None:
    """The tag a response to this line should carry, or None when the line has no valid tag."""
    end = line.find(b" ")
    candidate = line if end < 0 else line[:end]
    if candidate and all(byte in TAG_CHARS for byte in candidate):
        return candidate.decode("ascii")
    return None


class UndecodableName(str):
    """A mailbox name (or LIST pattern) from a client without UTF-8 that is not valid modified UTF-7
    (RFC 3501 5.1.3). The grammar takes it, since a mailbox name is an astring, so it is no syntax error:
    it names no mailbox, matches none, and none can be made with it (NO, as Dovecot answers)."""


class Reader:
    """A cursor over one command's bytes with one method per grammar element.

    ``utf8`` is true once the client enabled IMAP4rev2 or UTF8=ACCEPT: mailbox names are then UTF-8
    rather than modified UTF-7 (RFC 9051 5.1, RFC 6855 3).
    """

    __slots__ = ("data", "pos", "utf8")

    def __init__(self, data: bytes, pos: int = 0, utf8: bool = False) -> None:
        self.data = data
        self.pos = pos
        self.utf8 = utf8

    # ------------------------------------------------------------------ basics

    def error(self, reason: str) -> ParseError:
        return ParseError(reason)

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> int | None:
        return self.data[self.pos] if self.pos < len(self.data) else None

    def peek_is(self, token: bytes) -> bool:
        return self.data.startswith(token, self.pos)

    def peek_word(self, word: bytes) -> bool:
        """Case-insensitive keyword lookahead."""
        return self.data[self.pos : self.pos + len(word)].upper() == word.upper()

    def expect(self, token: bytes, what: str | None = None) -> None:
        if not self.data.startswith(token, self.pos):
            raise self.error(f"expected {what or token.decode('ascii')!s}")
        self.pos += len(token)

    def take(self, token: bytes) -> bool:
        """Consume ``token`` (case-insensitive) if it comes next."""
        if self.peek_word(token):
            self.pos += len(token)
            return True
        return False

    def sp(self) -> None:
        if self.peek() != 0x20:
            raise self.error("expected a space")
        self.pos += 1

    def end(self) -> None:
        if not self.at_end():
            raise self.error("unexpected characters at end of command")

    def _run(self, allowed: frozenset[int]) -> bytes:
        start = self.pos
        data = self.data
        end = len(data)
        pos = start
        while pos < end and data[pos] in allowed:
            pos += 1
        self.pos = pos
        return data[start:pos]

    # ------------------------------------------------------------------ atoms and numbers

    def tag(self) -> str:
        raw = self._run(TAG_CHARS)
        if not raw:
            raise self.error("missing or invalid tag")
        return raw.decode("ascii")

    def atom(self) -> str:
        raw = self._run(ATOM_CHARS)
        if not raw:
            raise self.error("expected an atom")
        return raw.decode("ascii")

    def atom_before(self, stops: bytes) -> str:
        """An atom that ends early at any of ``stops`` (FETCH ``BODY[``, ``BINARY.PEEK[``, ``<``)."""
        raw = self._run(ATOM_CHARS - frozenset(stops))
        if not raw:
            raise self.error("expected an atom")
        return raw.decode("ascii")

    def keyword(self) -> str:
        """An atom compared case-insensitively (command names, FETCH items, options)."""
        return self.atom().upper()

    def number(self) -> int:
        """RFC 9051 9 number: unsigned 32-bit."""
        return self._digits(MAX_NUMBER, "number")

    def nz_number(self) -> int:
        """RFC 9051 9 nz-number = digit-nz *DIGIT: no zero, and no leading zero either."""
        if self.peek() == 0x30:
            raise self.error("non-zero number expected (no leading zeros)")
        return self._digits(MAX_NUMBER, "non-zero number")

    def number64(self) -> int:
        return self._digits(MAX_NUMBER64, "number")

    def _digits(self, limit: int, what: str) -> int:
        raw = self._run(_DIGITS)
        if not raw:
            raise self.error(f"expected a {what}")
        if len(raw) > 20 or int(raw) > limit:
            raise self.error(f"{what} out of range")
        return int(raw)

    # ------------------------------------------------------------------ strings

    def quoted(self) -> bytes:
        """RFC 9051 9 quoted: DQUOTE *QUOTED-CHAR DQUOTE, with \\\\ and \\" escapes; no CR, LF or NUL."""
        self.expect(b'"', "a quoted string")
        data = self.data
        out = bytearray()
        pos = self.pos
        while True:
            if pos >= len(data):
                raise self.error("unterminated quoted string")
            byte = data[pos]
            if byte == 0x22:
                self.pos = pos + 1
                return bytes(out)
            if byte == 0x5C:
                if pos + 1 >= len(data) or data[pos + 1] not in (0x22, 0x5C):
                    raise self.error("invalid escape in quoted string")
                out.append(data[pos + 1])
                pos += 2
                continue
            if byte in (0x00, 0x0A, 0x0D):
                raise self.error("quoted string contains NUL, CR or LF")
            out.append(byte)
            pos += 1

    def literal(self) -> bytes:
        """RFC 9051 9 literal: ``{n}`` or ``{n+}`` (RFC 7888), CRLF, then exactly n CHAR8 (no NUL)."""
        return self._literal(binary=False)

    def literal8(self) -> bytes:
        """RFC 3516 literal8: ``~{n}`` (or ``~{n+}``), CRLF, then exactly n octets; only APPEND takes one."""
        self.expect(b"~", "a literal8")
        return self._literal(binary=True)

    def literal_or_literal8(self) -> bytes:
        return self.literal8() if self.peek() == 0x7E else self.literal()

    def _literal(self, binary: bool) -> bytes:
        # The connection put the n octets after the CRLF, having checked the size before reading them.
        self.expect(b"{", "a literal")
        size = self.number64()
        self.take(b"+")
        self.expect(b"}\r\n", "}CRLF after literal size")
        end = self.pos + size
        if end > len(self.data):
            raise self.error("literal shorter than announced")
        value = self.data[self.pos : end]
        self.pos = end
        if not binary and b"\x00" in value:
            raise self.error("NUL in literal (use literal8)")
        return value

    def string(self) -> bytes:
        """RFC 9051 9 string = quoted / literal (a literal8 is no string: ``~`` starts an atom)."""
        byte = self.peek()
        if byte == 0x22:
            return self.quoted()
        if byte == 0x7B:
            return self.literal()
        raise self.error("expected a string")

    def astring(self) -> bytes:
        """RFC 9051 9 astring = 1*ASTRING-CHAR / string."""
        if self.peek() in (0x22, 0x7B):
            return self.string()
        raw = self._run(ASTRING_CHARS)
        if not raw:
            raise self.error("expected an atom or string")
        return raw

    def nstring(self) -> bytes | None:
        if self.take(b"NIL"):
            return None
        return self.string()

    def text_astring(self) -> str:
        """An astring that must be UTF-8 text (user names, passwords, ID values)."""
        raw = self.astring()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("string is not UTF-8") from None

    # ------------------------------------------------------------------ mailboxes

    def mailbox(self) -> str:
        """A mailbox name as Unicode, INBOX case-folded (RFC 9051 5.1)."""
        return self._mailbox_text(self.astring())

    def reference(self) -> str:
        """LIST's and LSUB's reference name: a ``mailbox`` in RFC 9051 9, so an astring without wildcards,
        taken as it is (no INBOX case-folding: it is a prefix for the pattern)."""
        return self._decode_name(self.astring())

    def list_mailbox(self) -> str:
        """RFC 9051 9 list-mailbox: 1*list-char / string (the only place % and * may appear unquoted)."""
        if self.peek() in (0x22, 0x7B):
            return self._decode_name(self.string())
        raw = self._run(LIST_CHARS)
        if not raw:
            raise self.error("expected a mailbox pattern")
        return self._decode_name(raw)

    def _mailbox_text(self, raw: bytes) -> str:
        name = self._decode_name(raw)
        return name if isinstance(name, UndecodableName) else canonical_mailbox_name(name)

    def _decode_name(self, raw: bytes) -> str:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("mailbox name is not UTF-8") from None
        if self.utf8:
            if any(ch < " " or ch == "\x7f" for ch in text):
                raise self.error("mailbox name contains control characters")
            return text
        if not text.isascii():
            raise self.error("8-bit mailbox name without UTF-8")  # RFC 3501 9: a quoted CHAR is 7-bit
        try:
            return mutf7.decode(text)
        except mutf7.MailboxNameError:
            return UndecodableName(text)

    # ------------------------------------------------------------------ lists, flags, sets

    def paren_list(self) -> bool:
        """Consume "(" and say so; callers then loop until :meth:`close_paren`."""
        return self.take(b"(")

    def close_paren(self) -> bool:
        return self.take(b")")

    def flag(self) -> str:
        """RFC 9051 9 flag: a system flag, ``\\``-extension or keyword atom; system flags case-folded."""
        if self.peek() == 0x5C:
            self.pos += 1
            flag = canonical_flag("\\" + self.atom())
            if flag.lower() == "\\recent":
                flag = "\\Recent"
            if flag not in KNOWN_SYSTEM_FLAGS:
                # RFC 9051 2.3.2: "\" names are reserved for flags defined by RFCs; clients cannot invent them.
                raise self.error(f"unknown system flag {flag}")
            return flag
        return self.atom()

    def flag_list(self) -> list[str]:
        """``(flag *(SP flag))`` or ``()``."""
        self.expect(b"(", "a flag list")
        flags: list[str] = []
        if self.close_paren():
            return flags
        while True:
            flags.append(self.flag())
            if self.close_paren():
                return flags
            if self.peek() != 0x20:
                raise self.error("a flag is an atom: expected a space or ')' after it")
            self.pos += 1

    def sequence_set(self) -> SequenceSet:
        """RFC 9051 9 sequence-set: numbers, ``*``, ranges in either order, comma lists, or ``$``."""
        if self.take(b"$"):
            return SequenceSet((), saved=True)
        ranges: list[SeqRange] = []
        while True:
            start = self._seq_number()
            end = start
            if self.take(b":"):
                end = self._seq_number()
            ranges.append(SeqRange(start, end))
            if not self.take(b","):
                return SequenceSet(tuple(ranges))

    def _seq_number(self) -> int | None:
        if self.take(b"*"):
            return None
        return self.nz_number()

    # ------------------------------------------------------------------ dates

    def date(self) -> date:
        """RFC 9051 9 date: date-text or DQUOTE date-text DQUOTE; date-text = d[d]-Mon-yyyy."""
        quoted = self.take(b'"')
        day = self._fixed_digits(1, 2, "day")
        self.expect(b"-", "'-' in date")
        month = self._month()
        self.expect(b"-", "'-' in date")
        year = self._fixed_digits(4, 4, "year")
        if quoted:
            self.expect(b'"', "closing quote of date")
        try:
            return date(year, month, day)
        except ValueError:
            raise self.error("no such date") from None

    def date_time(self) -> datetime:
        """RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded)."""
        self.expect(b'"', "a date-time")
        day = self._fixed_digits(1, 1, "day") if self.take(b" ") else self._fixed_digits(2, 2, "day")
        self.expect(b"-", "'-' in date-time")
        month = self._month()
        self.expect(b"-", "'-' in date-time")
        year = self._fixed_digits(4, 4, "year")
        self.sp()
        hour = self._fixed_digits(2, 2, "hour")
        self.expect(b":", "':' in time")
        minute = self._fixed_digits(2, 2, "minute")
        self.expect(b":", "':' in time")
        second = self._fixed_digits(2, 2, "second")
        self.sp()
        sign = self.peek()
        if sign not in (0x2B, 0x2D):
            raise self.error("zone must start with + or -")
        self.pos += 1
        zone = self._fixed_digits(4, 4, "zone")
        self.expect(b'"', "closing quote of date-time")
        zone_hours, zone_minutes = divmod(zone, 100)
        if zone_minutes >= 60:
            raise self.error("zone minutes out of range")
        offset = timedelta(hours=zone_hours, minutes=zone_minutes)
        try:
            tz = timezone(-offset if sign == 0x2D else offset) if offset else UTC
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            raise self.error("no such date-time") from None

    def _month(self) -> int:
        raw = self.data[self.pos : self.pos + 3]
        month = _MONTH_NUMBER.get(raw.decode("ascii", "replace").lower())
        if month is None:
            raise self.error("invalid month")
        self.pos += 3
        return month

    def _fixed_digits(self, least: int, most: int, what: str) -> int:
        start = self.pos
        while self.pos < len(self.data) and self.pos - start < most and self.data[self.pos] in _DIGITS:
            self.pos += 1
        if self.pos - start < least:
            raise self.error(f"invalid {what}")
        return int(self.data[start : self.pos])


def no_arguments(reader: Reader) -> None:
    """Argument parser for commands that take none (CAPABILITY, NOOP, LOGOUT, ...)."""
    reader.end()
