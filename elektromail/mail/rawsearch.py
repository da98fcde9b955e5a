"""Whether a needle can be in a message's searchable text at all, read from its raw octets alone.

Searching decoded text (:mod:`elektromail.mail.text`) needs the header fields and the MIME tree, which
cost far more than the search itself. Most messages need no decoding to be searched: their octets are
ASCII, hold no RFC 2047 encoded word, no base64 or quoted-printable part and no charset that reads ASCII
octets as other characters. Such a message is *plain*: every text SEARCH and the query language read in
it (header values, text parts, header blocks) is a stretch of its octets with folds read as one space,
case-folded, which for ASCII is lower-casing. A needle found there then has each of its words (the runs
between white space) in the octets as they are, in any case; where a word is missing, the message cannot
match, and nothing needs parsing. Where every word is present the decoded text still decides (the word
may sit in a header or part that is not searched).

Where the octets show more (the message is one text part; its header block has nothing the header
parser reads differently from its lines), a text test is answered from them exactly, without a parse.
What the octets show is worked out once per message and kept on it as a few bits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from elektromail.mail.headers import unfold
from elektromail.mail.message import ParsedMessage
from elektromail.mail.text import ascii_compatible

# A field that changes how text is decoded, anywhere in the message (top, part or encapsulated header):
# the MIME parser reads a field name from the start of a line, in any case, up to optional blanks and ":".
_MIME_FIELD = re.compile(rb"^content-(type|transfer-encoding)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.I | re.M)
_IDENTITY_ENCODING = re.compile(rb"[ \t\r\n]*(?:7bit|8bit|binary)[ \t\r\n]*", re.I)
# ``charset=value`` as a token or a quoted string without escapes, ending where the parameter ends.
_CHARSET = re.compile(rb'charset[ \t\r\n]*=[ \t\r\n]*("?)([!#-\'+\-.0-9A-Z^_`a-z{|}~]*)\1(?=[ \t\r\n]*(?:;|\Z))', re.I)
# What could hide or build a parameter name from pieces: comments, quoted pieces of names, escapes,
# RFC 2231 sections (``charset*0=``). A quoted value after "=" is none of these.
_QUOTED_VALUE = re.compile(rb'=[ \t\r\n]*"[^"\\]*"')
_OBSCURING = re.compile(rb'[("\\*]')


def _plain_content_type(value: bytes) -> bool:
    """Every charset the value can name reads ASCII as itself, and nothing in it can disguise one."""
    if _OBSCURING.search(_QUOTED_VALUE.sub(b"=", value)):
        return False
    charsets = list(_CHARSET.finditer(value))
    if len(charsets) != value.lower().count(b"charset"):
        return False  # a "charset" that is not a plain parameter of that name
    return all(ascii_compatible(match.group(2)) for match in charsets)


# Facts about a message's octets, one bit each; each later one holds only with PLAIN.
PLAIN = 1
# The message is one text part: the body is its text and the header block is the only other text.
ONE_TEXT_PART = 2
# The header block's fields are its lines as they read: nothing ends the block before its blank line.
SIMPLE_HEADER = 4

_TEXT_TYPE = re.compile(rb"[ \t\r\n]*text/[!#$%&'+\-.0-9A-Z^_`a-z{|}~]+[ \t\r\n]*(?:;|\Z)", re.I)
# What the header parser reads as the end of the block, or as no field: a first line that is a
# continuation, and lines that are white space of other kinds than blanks and CRLF.
_IRREGULAR_HEADER = re.compile(rb"\A[ \t]|[\x0b\x0c]|\r(?!\n)")
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
_NO_BLANKS = re.compile(r"[^ \t\r\n]*")


def octet_facts(raw: bytes, header_end: int) -> int:
    """The facts above that hold for the message ``raw`` (CRLF form) whose body starts at ``header_end``.
    A fact is left out whenever in doubt; that only costs a full decode."""
    if not raw.isascii() or b"=?" in raw:
        return 0
    one_text_part = True
    fields = _MIME_FIELD.finditer(raw) if b"content-" in raw.lower() else ()
    for field in fields:
        value = field.group(2)
        if field.group(1).lower() == b"type":
            if not _plain_content_type(value):
                return 0
            one_text_part = one_text_part and _TEXT_TYPE.match(value) is not None
        elif not _IDENTITY_ENCODING.fullmatch(value):
            return 0
    facts = PLAIN | (ONE_TEXT_PART if one_text_part else 0)
    if _IRREGULAR_HEADER.search(raw, 0, header_end) is None:
        facts |= SIMPLE_HEADER
    return facts


def is_plain(raw: bytes) -> bool:
    """Whether the searchable text of the message ``raw`` (CRLF form) is its octets as they are."""
    return bool(octet_facts(raw, 0) & PLAIN)


def facts(parsed: ParsedMessage) -> int:
    """:func:`octet_facts` of the message, worked out once."""
    known = parsed.octet_facts
    if known < 0:
        known = parsed.octet_facts = octet_facts(parsed.raw, parsed.header_end)
    return known


@lru_cache(maxsize=256)
def _word_patterns(needle: str) -> tuple[re.Pattern[bytes], ...] | None:
    """The needle's words as case-insensitive patterns over octets, longest (most selective) first; None
    for a needle that is not ASCII, which case-folded ASCII text never holds."""
    if not needle.isascii():
        return None
    words = sorted(set(needle.split()), key=len, reverse=True)
    return tuple(re.compile(re.escape(word.encode("ascii")), re.I) for word in words)


def may_contain(parsed: ParsedMessage, needle: str) -> bool:
    """False only when no searchable text of the message (decoded header value, header block, text part)
    can contain ``needle`` (case-folded): the message is plain and lacks a word of the needle."""
    known = parsed.octet_facts
    if not (known if known >= 0 else facts(parsed)) & PLAIN:
        return True
    patterns = _word_patterns(needle)
    if patterns is None:
        return False
    raw = parsed.raw
    return all(pattern.search(raw) is not None for pattern in patterns)


# ------------------------------------------------------------------ exact answers from the octets


@lru_cache(maxsize=256)
def _needle_pattern(needle: str) -> re.Pattern[bytes] | None:
    """The needle over octets in any case; None unless it is ASCII and case-folded, as needles are."""
    if not needle.isascii() or needle != needle.lower():
        return None
    return re.compile(re.escape(needle.encode("ascii")), re.I)


@lru_cache(maxsize=64)
def _field_pattern(name: str) -> re.Pattern[bytes] | None:
    """A field named ``name`` (lower case) at the start of a line, its value and continuation lines."""
    if _FIELD_NAME.fullmatch(name) is None or name != name.lower():
        return None
    return re.compile(rb"^" + re.escape(name.encode("ascii")) + rb"[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*\n?)", re.I | re.M)


def body_has(parsed: ParsedMessage, needle: str) -> bool | None:
    """Whether the text parts contain ``needle``, when the octets tell (None when they do not)."""
    known = facts(parsed)
    if known & ONE_TEXT_PART:
        pattern = _needle_pattern(needle)
        if pattern is not None:
            return pattern.search(parsed.raw, parsed.header_end) is not None
    return None


def text_has(parsed: ParsedMessage, needle: str) -> bool | None:
    """Whether the header block or the text contain ``needle``, when the octets tell (else None)."""
    known = facts(parsed)
    if known & ONE_TEXT_PART:
        pattern = _needle_pattern(needle)
        if pattern is not None:
            raw, header_end = parsed.raw, parsed.header_end
            return pattern.search(raw, 0, header_end) is not None or pattern.search(raw, header_end) is not None
    return None


def header_has(parsed: ParsedMessage, name: str, needle: str) -> bool | None:
    """Whether a top-level field ``name`` (lower case) reads as containing ``needle``, when the octets
    tell (else None)."""
    return header_matcher(name, needle)(parsed)


def _unknown(parsed: ParsedMessage) -> bool | None:
    return None


@lru_cache(maxsize=256)
def header_matcher(name: str, needle: str) -> Callable[[ParsedMessage], bool | None]:
    """:func:`header_has` for one field name and needle, with what depends on them alone worked out once
    (a SEARCH asks it of every message)."""
    field = _field_pattern(name)
    if field is None or not needle.isascii():
        return _unknown
    pattern = _needle_pattern(needle)
    # Unfolding only turns runs of blanks and line ends into one space and trims them: a needle without
    # such characters is in the value exactly where it is in the value's octets.
    exact = pattern if pattern is not None and _NO_BLANKS.fullmatch(needle) else None

    def matches(parsed: ParsedMessage) -> bool | None:
        known = parsed.octet_facts
        if known < 0:
            known = facts(parsed)
        if known & (PLAIN | SIMPLE_HEADER) != PLAIN | SIMPLE_HEADER:
            return None
        raw = parsed.raw
        fields = field.finditer(raw, 0, parsed.header_end)
        if exact is not None:
            return any(exact.search(raw, match.start(1), match.end(1)) is not None for match in fields)
        return any(needle in unfold(match.group(1)).decode("ascii").lower() for match in fields)

    return matches
