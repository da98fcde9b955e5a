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


def _whole_message(item: LiteralItem) -> bool:
    """The item is the whole message (RFC822, BODY[] or BODY.PEEK[] without a partial range)."""
    section = item.section
    return item.partial is None and (section is None or (not section.part and section.text == ""))


def literal_answer(
    messages: list[Message], spans: list[range], item: LiteralItem, with_uid: bool, altered_out: list[int]
) -> Iterator[list[bytes]]:
    """The responses in batches of buffers; the sequence numbers of messages whose octets had to be
    altered on the way (see :mod:`elektromail.mail.served`) are added to ``altered_out``."""
    # Each head carries the previous response's closing ")" CRLF; the first one's is cut off below.
    opening = (b")\r\n* %d FETCH (UID %d " if with_uid else b")\r\n* %d FETCH (") + item.label.replace(b"%", b"%%")
    with_size = opening + b" {%d}\r\n"
    whole = _whole_message(item)
    buffers: list[bytes] = []
    first = True
    for span in spans:
        for index in span:
            message = messages[index]
            parsed = message.parsed
            numbers = (index + 1, message.uid) if with_uid else (index + 1,)
            data = parsed.served if whole else None
            if data is not None and data is parsed.raw and data:
                # The whole message, served as stored (no NUL to re-encode): nearly every message.
                buffers.append(with_size % (*numbers, len(data)))
                buffers.append(data)
            else:
                data = _octets(message, item)
                if data is None:
                    buffers.append(opening % numbers + b" NIL")
                else:
                    buffers.append(with_size % (*numbers, len(data)))
                    if data:
                        buffers.append(data)
                    if altered(parsed):
                        altered_out.append(index + 1)
            if first:
                buffers[0] = buffers[0][3:]
                first = False
            if len(buffers) >= 2 * BATCH_MESSAGES:
                yield buffers
                buffers = []
    if not first:
        buffers.append(b")\r\n")
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
