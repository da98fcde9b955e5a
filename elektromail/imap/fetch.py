"""FETCH and UID FETCH (RFC 9051 6.4.5), minimal: FLAGS, UID, RFC822.SIZE, INTERNALDATE, BODY[],
BODY.PEEK[] and RFC822 — enough to read back whole messages. Sections, ENVELOPE and BODYSTRUCTURE
come with the message model."""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap import responses
from elektromail.imap.commands import SELECTED, Ok, bad, command
from elektromail.imap.parser import Reader, SequenceSet
from elektromail.imap.session import Session
from elektromail.store.memory import FlagMode
from elektromail.store.model import Message

SEEN = "\\Seen"
MACROS = {
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
}
SIMPLE_ITEMS = frozenset({"FLAGS", "UID", "RFC822.SIZE", "INTERNALDATE", "RFC822"})


class FetchArguments(NamedTuple):
    sequence: SequenceSet
    items: tuple[str, ...]


def _item(reader: Reader) -> str:
    name = reader.atom_before(b"[<").upper()
    if name in ("BODY", "BODY.PEEK") and reader.take(b"[]"):
        return name + "[]"
    if name in SIMPLE_ITEMS:
        return name
    raise reader.error(f"unsupported FETCH item {name}")


def parse_fetch(reader: Reader) -> FetchArguments:
    reader.sp()
    sequence = reader.sequence_set()
    reader.sp()
    items: list[str] = []
    if reader.take(b"("):
        while True:
            items.append(_item(reader))
            if reader.close_paren():
                break
            reader.sp()
    else:
        word = reader.data[reader.pos :].upper().decode("ascii", "replace")
        if word in MACROS:
            reader.pos = len(reader.data)
            items.extend(MACROS[word])
        else:
            items.append(_item(reader))
    reader.end()
    return FetchArguments(sequence, tuple(dict.fromkeys(items)))


def _beyond(sequence: SequenceSet, exists: int) -> bool:
    """A sequence number larger than the mailbox's message count (RFC 9051 9 seq-number)."""
    return any(
        (r.start is not None and r.start > exists) or (r.end is not None and r.end > exists) for r in sequence.ranges
    )


async def _fetch(session: Session, arguments: FetchArguments, by_uid: bool) -> None:
    view = session.require_selected()
    items = arguments.items
    if by_uid:
        largest = view.uids[-1] if view.uids else 0
        wanted = [
            (seq, message)
            for seq, message in enumerate(view.messages, 1)
            if arguments.sequence.contains(message.uid, largest)
        ]
        if "UID" not in items:
            items = ("UID", *items)
    else:
        numbers = arguments.sequence.resolve(view.exists)
        if not numbers or _beyond(arguments.sequence, view.exists):
            raise bad("invalid message sequence number")
        wanted = [(seq, view.messages[seq - 1]) for seq in numbers]
    marks_seen = not view.read_only and any(item in ("BODY[]", "RFC822") for item in items)
    if marks_seen:
        unseen = [message for _, message in wanted if SEEN not in message.flags]
        if unseen:
            await session.context.store.set_flags(view.mailbox, unseen, [SEEN], FlagMode.ADD, origin=session)
            if "FLAGS" not in items:
                items = (*items, "FLAGS")
    rev1 = not session.rev2
    for seq, message in wanted:
        session.raw(_fetch_response(session, seq, message, items, rev1))


def _fetch_response(session: Session, seq: int, message: Message, items: tuple[str, ...], rev1: bool) -> bytes:
    view = session.require_selected()
    parts: list[bytes] = []
    for item in items:
        if item == "FLAGS":
            parts.append(b"FLAGS " + responses.flag_list(view.flags_of(message, rev1)))
        elif item == "UID":
            parts.append(b"UID %d" % message.uid)
        elif item == "RFC822.SIZE":
            parts.append(b"RFC822.SIZE %d" % message.size)
        elif item == "INTERNALDATE":
            parts.append(b"INTERNALDATE " + responses.date_time(message.internal_date))
        elif item in ("BODY[]", "BODY.PEEK[]"):
            parts.append(b"BODY[] " + responses.literal(message.raw))
        elif item == "RFC822":
            parts.append(b"RFC822 " + responses.literal(message.raw))
    return b"* %d FETCH (" % seq + b" ".join(parts) + b")\r\n"


@command("FETCH", states=SELECTED, parse=parse_fetch, expunge_ok=False)
async def fetch(session: Session, tag: str, arguments: FetchArguments) -> Ok | None:
    await _fetch(session, arguments, by_uid=False)
    return None


@command("UID FETCH", states=SELECTED, parse=parse_fetch)
async def uid_fetch(session: Session, tag: str, arguments: FetchArguments) -> Ok | None:
    await _fetch(session, arguments, by_uid=True)
    return None
