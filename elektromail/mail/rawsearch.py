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

Whether a message is plain is worked out once, from its octets, and kept on it as one flag.
"""

from __future__ import annotations

import re
from functools import lru_cache

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


def is_plain(raw: bytes) -> bool:
    """Whether the searchable text of the message ``raw`` (CRLF form) is its octets as they are: see the
    module's description. False whenever in doubt; that only costs a full decode."""
    if not raw.isascii() or b"=?" in raw:
        return False
    for field in _MIME_FIELD.finditer(raw):
        value = field.group(2)
        if field.group(1).lower() == b"type":
            if not _plain_content_type(value):
                return False
        elif not _IDENTITY_ENCODING.fullmatch(value):
            return False
    return True


def plain(parsed: ParsedMessage) -> bool:
    """:func:`is_plain` of the message, worked out once."""
    known = parsed.plain
    if known is None:
        known = parsed.plain = is_plain(parsed.raw)
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
    if not plain(parsed):
        return True
    patterns = _word_patterns(needle)
    if patterns is None:
        return False
    raw = parsed.raw
    return all(pattern.search(raw) is not None for pattern in patterns)
