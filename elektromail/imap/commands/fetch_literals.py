"""``FETCH <set> BODY.PEEK[]`` and the like: one literal per message (BODY[section], RFC822), with or
without its UID, answered in one pass.

Each message's answer is a short prefix (``* n FETCH (BODY[] {size}`` CRLF) and the served octets as they
are kept: the octets are queued as their own buffer, never copied into a line or formatted, and the
closing ``)`` CRLF of one response travels with the prefix of the next, so a message costs two buffers
and one formatting step. Buffers go to the connection in batches, which hand them to the kernel in a few
vectored writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from elektromail.imap.engine.responses import sequence_text
from elektromail.mail.sections import Section, section_bytes
from elektromail.mail.served import altered, served_message
from elektromail.store.model import Message

# Messages per batch handed to the connection: about 4 MB of 4 KB messages, few enough vectored writes.
BATCH_MESSAGES = 1024


class LiteralItem(NamedTuple):
    """The one literal item asked for: its label in the answer, which octets and which part of them."""

    label: bytes
    section: Section | None  # None: the whole message as RFC822 sends it
    partial: tuple[int, int] | None


def _octets(message: Message, item: LiteralItem) -> bytes | None:
    if item.section is None:
        return served_message(message.parsed).served
    data = section_bytes(message.parsed, item.section)
    if data is None or item.partial is None:
        return data
    origin, length = item.partial
    return data[origin : origin + length]


def literal_answer(
    messages: list[Message], spans: list[range], item: LiteralItem, with_uid: bool, altered_out: list[int]
) -> Iterator[list[bytes]]:
    """The responses in batches of buffers; the sequence numbers of messages whose octets had to be
    altered on the way (see :mod:`elektromail.mail.served`) are added to ``altered_out``."""
    label = item.label
    buffers: list[bytes] = []
    closing = b""
    for span in spans:
        for index in span:
            message = messages[index]
            data = _octets(message, item)
            head = b"%b* %d FETCH (UID %d %b" % (closing, index + 1, message.uid, label) if with_uid else None
            if head is None:
                head = b"%b* %d FETCH (%b" % (closing, index + 1, label)
            if data is None:
                buffers.append(head + b" NIL")
            else:
                buffers.append(head + b" {%d}\r\n" % len(data))
                if data:
                    buffers.append(data)
                if altered(message.parsed):
                    altered_out.append(index + 1)
            closing = b")\r\n"
            if len(buffers) >= 2 * BATCH_MESSAGES:
                yield buffers
                buffers = []
    if closing:
        buffers.append(closing)
    if buffers:
        yield buffers


def altered_warning(numbers: list[int]) -> bytes | None:
    """The untagged NO (RFC 9051 7.1.2: a warning; the command still succeeds) that says which messages
    were sent with a NUL as 0x80, and where the octets are as stored."""
    if not numbers:
        return None
    return (
        b"NO messages "
        + sequence_text(numbers)
        + b" hold NUL octets, which no literal can carry (RFC 9051 4.3.1): BODY[] sent each as 0x80; "
        b"BINARY[] returns them as stored"
    )
