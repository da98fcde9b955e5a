"""THREAD and UID THREAD (RFC 5256 4 and 5) with the ORDEREDSUBJECT and REFERENCES algorithms.

``THREAD algorithm charset search-keys`` selects messages as SEARCH does and answers ``* THREAD`` with
their sequence numbers (UIDs for UID THREAD) as thread lists; the algorithms are in
:mod:`elektromail.mail.threads`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from elektromail.imap.commands.order_keys import sent_date, subject_key
from elektromail.imap.commands.selection import Selection, parse_selection, select
from elektromail.imap.engine.command_table import Ok, capability, command_with_uid_form
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session
from elektromail.mail.envelope import message_headers
from elektromail.mail.threads import Thread, ThreadMessage, ordered_subject, references, thread_text
from elektromail.store.model import Message

ALGORITHMS: dict[str, Callable[[list[ThreadMessage]], list[Thread]]] = {
    "ORDEREDSUBJECT": ordered_subject,
    "REFERENCES": references,
}
capability(*(f"THREAD={name}" for name in ALGORITHMS))


class ThreadArguments(NamedTuple):
    algorithm: str
    selection: Selection


def parse_thread(reader: Reader) -> ThreadArguments:
    reader.sp()
    algorithm = reader.atom().upper()
    if algorithm not in ALGORITHMS:
        raise reader.error(f"unknown threading algorithm {algorithm}")
    return ThreadArguments(algorithm, parse_selection(reader))


def _field(message: Message, name: str) -> str | None:
    value = message_headers(message.parsed).get(name)
    return None if value is None else value.decode("utf-8", "replace")


def thread_message(number: int, message: Message) -> ThreadMessage:
    subject, reply = subject_key(message)
    return ThreadMessage(
        number,
        _field(message, "message-id"),
        _field(message, "references"),
        _field(message, "in-reply-to"),
        subject,
        reply,
        sent_date(message),
    )


@command_with_uid_form("THREAD", parse=parse_thread, expunge_ok=False)
async def thread(session: Session, tag: str, arguments: ThreadArguments, by_uid: bool) -> Ok | None:
    matches = select(session, arguments.selection)
    messages = [thread_message(message.uid if by_uid else seq, message) for seq, message in matches]
    threads = ALGORITHMS[arguments.algorithm](messages)
    session.untagged(b"THREAD " + thread_text(threads).encode("ascii") if threads else b"THREAD")
    return None
