"""Which client lines carry secrets, and what readers see instead (pure: tested on bytes).

Transcripts never show a password or a token: the SMTP ``AUTH`` initial response, IMAP ``LOGIN``'s
password, ``AUTHENTICATE``'s initial response and every continuation line the client sends during a SASL
exchange (PLAIN and LOGIN payloads, XOAUTH2 and OAUTHBEARER tokens) are replaced by :data:`SECRET`.
Recording keeps lines as they were said, since deciding on every line costs the server on every
command; :class:`Masker` follows the dialogue in order when a transcript is read, and every reader goes
through it.
"""

from __future__ import annotations

from typing import NamedTuple

SECRET = b"<secret masked>"


def mask_smtp_command(line: bytes) -> tuple[bytes, bool]:
    """The SMTP command line to record, and whether it starts a SASL exchange (RFC 4954 4: ``AUTH
    mechanism [initial-response]``, after which client lines are responses until a non-334 reply)."""
    if line[:1] not in b"Aa" or line[:5].upper() != b"AUTH ":  # the first test is the cheap one
        return line, False
    words = line.split(None, 2)
    if len(words) <= 2:
        return line, True
    return words[0] + b" " + words[1] + b" " + SECRET, True


def _token_end(line: bytes, start: int) -> int:
    """Where the IMAP astring starting at ``start`` ends: a quoted string with its escapes, a literal
    announcement (the rest of the line), or an atom up to the next space."""
    if start >= len(line):
        return start
    if line[start : start + 1] == b'"':
        index = start + 1
        while index < len(line):
            char = line[index]
            if char == 0x5C:  # backslash escapes the next octet
                index += 2
                continue
            if char == 0x22:
                return index + 1
            index += 1
        return len(line)
    space = line.find(b" ", start)
    return len(line) if space < 0 else space


class ImapMasking(NamedTuple):
    line: bytes  # what to record
    exchange: bool  # an AUTHENTICATE exchange starts: client lines are secret until the tagged reply
    hide_rest: bool  # LOGIN: what follows a literal in this command may be the password


def mask_imap_command(line: bytes) -> ImapMasking:
    """The first line of an IMAP command (up to a literal, if any), masked (RFC 9051 6.2.2, 6.2.3)."""
    first = line.find(b" ")
    if first < 0:
        return ImapMasking(line, False, False)
    second = line.find(b" ", first + 1)
    name = (line[first + 1 :] if second < 0 else line[first + 1 : second]).upper()
    if name == b"LOGIN":
        if second < 0:
            return ImapMasking(line, False, True)
        # tag LOGIN user password: keep the user, mask the rest (a literal user ends the line here).
        user_end = _token_end(line, second + 1)
        if user_end >= len(line):
            return ImapMasking(line, False, True)
        return ImapMasking(line[:user_end] + b" " + SECRET, False, False)
    if name == b"AUTHENTICATE":
        third = -1 if second < 0 else line.find(b" ", second + 1)
        if third < 0:
            return ImapMasking(line, True, False)
        return ImapMasking(line[:third] + b" " + SECRET, True, False)
    return ImapMasking(line, False, False)


def is_smtp_continuation(reply: bytes) -> bool:
    """A 334 reply keeps an SMTP SASL exchange going (RFC 4954 4)."""
    return reply.startswith(b"334")


def is_imap_continuation(response: bytes) -> bool:
    """A ``+`` continuation request keeps an IMAP AUTHENTICATE exchange going (RFC 9051 7.5)."""
    return response.startswith(b"+")


class Masker:
    """Follows one session's lines in order and says what each client line may show (the state that
    decides is what came before: an ``AUTH``/``AUTHENTICATE`` exchange runs until the server's first
    reply that is no continuation; what follows a literal in ``LOGIN`` may be the password)."""

    __slots__ = ("smtp", "exchange", "hide_rest")

    def __init__(self, smtp: bool) -> None:
        self.smtp = smtp
        self.exchange = False  # inside a SASL exchange: client lines are secret
        self.hide_rest = False  # IMAP LOGIN continued after a literal: the rest may be the password

    def client(self, line: bytes) -> bytes:
        """A command line (for IMAP, up to its first literal), masked."""
        if self.exchange:
            return SECRET
        if self.smtp:
            line, self.exchange = mask_smtp_command(line)
            return line
        line, self.exchange, self.hide_rest = mask_imap_command(line)
        return line

    def continued(self, line: bytes) -> bytes:
        """The part of an IMAP command after one of its literals, masked."""
        return SECRET if self.hide_rest or self.exchange else line

    def authenticated(self) -> None:
        """The server accepted the credentials: the exchange is over, also when the client pipelined
        commands after it that were read before the reply was written."""
        self.exchange = False

    def server(self, output: bytes) -> None:
        """Output the server wrote: a reply that is no continuation ends a SASL exchange."""
        if self.exchange and not (is_smtp_continuation(output) if self.smtp else is_imap_continuation(output)):
            self.exchange = False
