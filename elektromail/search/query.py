"""The query language of ``GET /messages?q=``, parsed into a typed tree (pure: tested on strings).

Terms are separated by spaces and must all hold; ``-`` before a term negates it. A term is a free word
(matched in the subject and the body), a ``"quoted phrase"``, or ``operator:value`` where the value may be
quoted (``subject:"quarterly report"``)::

    from: to: cc: bcc: rcpt: subject: body: header:Name:value user: mailbox: is:seen|unseen|read|unread|
    flagged|unflagged|answered|unanswered|draft|undraft|deleted|undeleted keyword: has:attachment
    larger: smaller: (octets, or with K or M) before: after: on: (YYYY-MM-DD) session: tls:yes|no

A word whose part before ``:`` is all letters must be a known operator (quote it to search for it as
text); anything malformed raises :class:`QueryError` naming the term.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

import msgspec

from elektromail.search.matching import BEFORE, ON, SINCE
from elektromail.store.model import canonical_flag, canonical_mailbox_name

TextField = Literal["text", "subject", "body", "from", "to", "cc", "bcc", "rcpt"]
# A query longer than this is refused: a test never needs it, and parsing cost stays bounded.
MAX_QUERY_LENGTH = 4096
MAX_TERMS = 64


class QueryError(ValueError):
    """A malformed query; ``term`` is the culprit as written."""

    def __init__(self, term: str, reason: str) -> None:
        super().__init__(f"{term!r}: {reason}" if term else reason)
        self.term = term
        self.reason = reason


class TextTerm(msgspec.Struct, frozen=True, tag="text"):
    """``field`` contains ``value`` (case-folded). ``text``: the subject or the body."""

    field: TextField
    value: str


class HeaderTerm(msgspec.Struct, frozen=True, tag="header"):
    name: str  # lower case
    value: str  # case-folded; empty: the field is present


class UserTerm(msgspec.Struct, frozen=True, tag="user"):
    user: str  # lower case


class MailboxTerm(msgspec.Struct, frozen=True, tag="mailbox"):
    mailbox: str  # canonical


class FlagTerm(msgspec.Struct, frozen=True, tag="flag"):
    flag: str
    present: bool


class AttachmentTerm(msgspec.Struct, frozen=True, tag="attachment"):
    pass


class SizeTerm(msgspec.Struct, frozen=True, tag="size"):
    larger: bool  # else smaller
    octets: int


class DateTerm(msgspec.Struct, frozen=True, tag="date"):
    comparison: str  # BEFORE, ON or SINCE, as IMAP SEARCH compares the internal date
    day: date


class SessionTerm(msgspec.Struct, frozen=True, tag="session"):
    session_id: str


class TlsTerm(msgspec.Struct, frozen=True, tag="tls"):
    used: bool


class NotTerm(msgspec.Struct, frozen=True, tag="not"):
    term: Term


Term = (
    TextTerm
    | HeaderTerm
    | UserTerm
    | MailboxTerm
    | FlagTerm
    | AttachmentTerm
    | SizeTerm
    | DateTerm
    | SessionTerm
    | TlsTerm
    | NotTerm
)


class Query(msgspec.Struct, frozen=True):
    """Every term must hold; no terms match every message."""

    terms: tuple[Term, ...]


_IS = {
    "seen": ("\\Seen", True),
    "read": ("\\Seen", True),
    "unseen": ("\\Seen", False),
    "unread": ("\\Seen", False),
    "flagged": ("\\Flagged", True),
    "unflagged": ("\\Flagged", False),
    "answered": ("\\Answered", True),
    "unanswered": ("\\Answered", False),
    "draft": ("\\Draft", True),
    "undraft": ("\\Draft", False),
    "deleted": ("\\Deleted", True),
    "undeleted": ("\\Deleted", False),
}
_TEXT_OPERATORS: dict[str, TextField] = {
    "from": "from",
    "to": "to",
    "cc": "cc",
    "bcc": "bcc",
    "rcpt": "rcpt",
    "subject": "subject",
    "body": "body",
}
_DATES = {"before": BEFORE, "after": SINCE, "on": ON}
_OPERATOR = re.compile(r"[A-Za-z]+")
_SIZE = re.compile(r"(\d{1,15})([KkMm]?)[Bb]?")
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}
# RFC 9051 9: a flag is an atom (no spaces, parentheses, wildcards, quotes), or \ and an atom.
_KEYWORD = re.compile(r"\\?[^\s(){%*\"\\\]]+")
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 3.6.8 ftext: printable ASCII except colon


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def at_end(self) -> bool:
        return self.position >= len(self.text)

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def quoted(self, start: int) -> str:
        """A ``"..."`` string at the position; ``\\"`` and ``\\\\`` escape."""
        self.position += 1
        out: list[str] = []
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\" and self.position + 1 < len(self.text):
                out.append(self.text[self.position + 1])
                self.position += 2
                continue
            if char == '"':
                self.position += 1
                return "".join(out)
            out.append(char)
            self.position += 1
        raise QueryError(self.text[start:], "unclosed quote")

    def bare(self) -> str:
        """Up to the next space."""
        start = self.position
        while self.position < len(self.text) and not self.text[self.position].isspace():
            self.position += 1
        return self.text[start : self.position]

    def value(self, start: int) -> str:
        return self.quoted(start) if self.peek() == '"' else self.bare()


def parse_query(text: str) -> Query:
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError("", f"the query is longer than {MAX_QUERY_LENGTH} characters")
    scanner = _Scanner(text)
    terms: list[Term] = []
    while True:
        scanner.skip_spaces()
        if scanner.at_end():
            return Query(tuple(terms))
        if len(terms) == MAX_TERMS:
            raise QueryError("", f"more than {MAX_TERMS} terms")
        terms.append(_term(scanner))


def _term(scanner: _Scanner) -> Term:
    start = scanner.position
    negated = scanner.peek() == "-"
    if negated:
        scanner.position += 1
        if scanner.at_end() or scanner.peek().isspace():
            raise QueryError("-", "nothing to negate")
    term = _positive_term(scanner, start)
    return NotTerm(term) if negated else term


def _positive_term(scanner: _Scanner, start: int) -> Term:
    if scanner.peek() == '"':
        phrase = scanner.quoted(start)
        return TextTerm("text", _needle(phrase, scanner.text[start : scanner.position]))
    word_start = scanner.position
    colon = scanner.text.find(":", word_start)
    space = next((i for i in range(word_start, len(scanner.text)) if scanner.text[i].isspace()), len(scanner.text))
    if colon < 0 or colon > space or _OPERATOR.fullmatch(scanner.text[word_start:colon]) is None:
        word = scanner.bare()
        return TextTerm("text", _needle(word, word))
    operator = scanner.text[word_start:colon].lower()
    scanner.position = colon + 1
    if operator == "header":
        return _header(scanner, start)
    value = scanner.value(start)
    written = scanner.text[start : scanner.position]
    return _operator_term(operator, value, written)


def _needle(value: str, written: str) -> str:
    if not value:
        raise QueryError(written, "empty text")
    return value.casefold()


def _header(scanner: _Scanner, start: int) -> HeaderTerm:
    rest = scanner.text[scanner.position :]
    name, colon, _ = rest.partition(":")
    name_end = scanner.position + len(name)
    if not colon or _HEADER_NAME.fullmatch(name) is None:
        scanner.bare()
        raise QueryError(scanner.text[start : scanner.position], "expected header:Name:value")
    scanner.position = name_end + 1
    value = scanner.value(start) if not scanner.at_end() and not scanner.peek().isspace() else ""
    return HeaderTerm(name.lower(), value.casefold())


def _operator_term(operator: str, value: str, written: str) -> Term:
    if not value:
        raise QueryError(written, f"{operator}: needs a value")
    if operator in _TEXT_OPERATORS:
        return TextTerm(_TEXT_OPERATORS[operator], value.casefold())
    if operator == "user":
        return UserTerm(value.lower())
    if operator == "mailbox":
        return MailboxTerm(canonical_mailbox_name(value))
    if operator == "is":
        flag = _IS.get(value.lower())
        if flag is None:
            raise QueryError(written, f"is: takes one of {', '.join(_IS)}")
        return FlagTerm(*flag)
    if operator == "keyword":
        if _KEYWORD.fullmatch(value) is None:
            raise QueryError(written, "not a keyword")
        return FlagTerm(canonical_flag(value), True)
    if operator == "has":
        if value.lower() != "attachment":
            raise QueryError(written, "has: takes attachment")
        return AttachmentTerm()
    if operator in ("larger", "smaller"):
        return SizeTerm(operator == "larger", _size(value, written))
    if operator in _DATES:
        return DateTerm(_DATES[operator], _date(value, written))
    if operator == "session":
        return SessionTerm(value)
    if operator == "tls":
        if value.lower() not in ("yes", "no"):
            raise QueryError(written, "tls: takes yes or no")
        return TlsTerm(value.lower() == "yes")
    raise QueryError(written, f"unknown operator {operator}: (quote the word to search for it as text)")


def _size(value: str, written: str) -> int:
    found = _SIZE.fullmatch(value)
    if found is None:
        raise QueryError(written, "a size is a number of octets, optionally with K or M")
    return int(found.group(1)) * _UNITS[found.group(2).lower()]


def _date(value: str, written: str) -> date:
    found = _DATE.fullmatch(value)
    if found is not None:
        try:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            pass
    raise QueryError(written, "a date is YYYY-MM-DD")
