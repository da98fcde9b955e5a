"""A received message as a test sees it: parsed fields, headers, links and the code a mail carries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cached_property

from elektromail.http.schemas import Attachment, Detail

_parser = BytesParser(policy=policy.default)
# A one-time code: 4 to 8 digits, or 4 to 8 capital letters and digits with at least one digit
# ("481516", "X7K2PQ"), standing alone as a word.
CODE = re.compile(r"(?<![\w-])(?=[A-Z]*\d)[A-Z\d]{4,8}(?![\w-])")
_TAG = re.compile(r"<[^>]*>")


class NotFound(AssertionError):
    """The message has no link or code of the kind asked for; the message says what it has."""


class Headers:
    """A message's header fields in order; names are case-insensitive (RFC 5322 1.2.2)."""

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.fields = list(fields)

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        return next((value for field, value in self.fields if field.lower() == wanted), default)

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for field, value in self.fields if field.lower() == wanted]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(field for field, _ in self.fields))

    def __repr__(self) -> str:
        return f"Headers({self.fields!r})"


class ReceivedMessage:
    """One stored message, parsed: what a test asserts on. ``detail`` is the server's full answer."""

    def __init__(self, detail: Detail, raw: bytes) -> None:
        self.detail = detail
        self.raw = raw  # exactly as the server received it
        self.id = detail.id
        self.subject = detail.subject
        self.sender = detail.from_  # the address in From
        self.to = detail.to
        self.text = detail.text
        self.html = detail.html
        self.links = detail.links
        self.attachments: list[Attachment] = detail.attachments
        self.envelope = detail.envelope  # MAIL FROM and every RCPT TO this copy was for (Bcc included)
        self.delivery = detail.delivery  # protocol, session, client, EHLO name, TLS, AUTH

    @cached_property
    def headers(self) -> Headers:
        return Headers([(header.name, header.value) for header in self.detail.headers])

    @cached_property
    def email(self) -> EmailMessage:
        """The whole message as the standard library parses it (attachment contents and all)."""
        parsed = _parser.parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def link(self, contains: str = "") -> str:
        """The first link (text part first, then HTML) that contains ``contains``; raises :class:`NotFound`
        listing the links there are."""
        __tracebackhide__ = True
        found = next((link for link in self.links if contains in link), None)
        if found is None:
            wanted = f" containing {contains!r}" if contains else ""
            raise NotFound(f"no link{wanted} in {self!r}; its links: {self.links or 'none'}")
        return found

    def code(self, pattern: str | re.Pattern[str] | None = None) -> str:
        """The first one-time code of the text part (else of the HTML's text): 4 to 8 digits, or 4 to 8
        capital letters and digits with a digit among them. ``pattern`` (a regular expression; its first
        group if it has one) finds another kind. Raises :class:`NotFound` with the start of the text."""
        __tracebackhide__ = True
        text = self.text if self.text is not None else _TAG.sub(" ", self.html or "")
        regex = CODE if pattern is None else re.compile(pattern)
        match = regex.search(text)
        if match is None:
            start = " ".join(text.split())[:200]
            raise NotFound(f"no code matching {regex.pattern!r} in {self!r}; its text begins: {start!r}")
        return match.group(1) if regex.groups else match.group(0)

    def __repr__(self) -> str:
        return f"ReceivedMessage(id={self.id!r}, subject={self.subject!r}, from={self.sender!r})"
