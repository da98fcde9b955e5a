"""SORT and UID SORT (RFC 5256), with the DISPLAYFROM and DISPLAYTO keys of RFC 5957 (SORT=DISPLAY).

``SORT (criteria) charset search-keys`` selects messages as SEARCH does and answers ``* SORT`` with their
numbers in order. Messages that compare equal on every criterion keep their mailbox order. Strings
compare with i;ascii-casemap (RFC 5256 2.2). The keys of a message are computed once and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from elektromail.imap.commands.order_keys import casemap, sent_date, subject_key
from elektromail.imap.commands.selection import Selection, parse_selection, select
from elektromail.imap.engine.command_table import Ok, capability, command_with_uid_form
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session
from elektromail.mail.addresses import Address, parse_address_list
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_words
from elektromail.mail.message import ParsedMessage
from elektromail.store.model import Message

capability("SORT", "SORT=DISPLAY")

SortValue = str | int | float


def _first_address(parsed: ParsedMessage, field: str) -> Address | None:
    """The first address structure of a field as ENVELOPE lists it (a group's start counts, whose
    mailbox is the group's name, as Dovecot sorts), or None."""
    for value in message_headers(parsed).get_all(field):
        for address in parse_address_list(value):
            return address
    return None


def _mailbox(parsed: ParsedMessage, field: str) -> str:
    """RFC 5256 3: the local part (addr-mailbox) of the first address; empty when there is none."""
    address = _first_address(parsed, field)
    return "" if address is None or address.mailbox is None else casemap(decode_words(address.mailbox))


def _display(parsed: ParsedMessage, field: str) -> str:
    """RFC 5957 3: the decoded display name of the first address, else its addr-spec."""
    address = _first_address(parsed, field)
    if address is None:
        return ""
    name = decode_words(address.name).strip() if address.name else ""
    if not name:
        spec = address.mailbox or b""
        if address.host is not None:
            spec += b"@" + address.host
        name = decode_words(spec)
    return casemap(name)


def _arrival(message: Message) -> float:
    internal: datetime = message.internal_date
    return internal.timestamp()


KEYS: dict[str, Callable[[Message], SortValue]] = {
    "ARRIVAL": _arrival,
    "CC": lambda message: _mailbox(message.parsed, "cc"),
    "DATE": sent_date,
    "FROM": lambda message: _mailbox(message.parsed, "from"),
    "SIZE": lambda message: message.size,
    "SUBJECT": lambda message: subject_key(message)[0],
    "TO": lambda message: _mailbox(message.parsed, "to"),
    "DISPLAYFROM": lambda message: _display(message.parsed, "from"),
    "DISPLAYTO": lambda message: _display(message.parsed, "to"),
}


def sort_value(message: Message, key: str) -> SortValue:
    """One key of one message. ARRIVAL is not cached: it is the internal date itself."""
    parsed = message.parsed
    cache: dict[str, SortValue] | None = parsed.sort_keys
    if cache is None:
        cache = parsed.sort_keys = {}
    value = cache.get(key)
    if value is None:
        value = KEYS[key](message)
        if key != "ARRIVAL":  # the parsed message may be shared by copies with other internal dates
            cache[key] = value
    return value


class SortCriterion(NamedTuple):
    key: str
    reverse: bool


class SortArguments(NamedTuple):
    criteria: tuple[SortCriterion, ...]
    selection: Selection


def parse_sort(reader: Reader) -> SortArguments:
    reader.sp()
    reader.expect(b"(", "( before the sort criteria")
    criteria: list[SortCriterion] = []
    while not reader.close_paren():
        if criteria:
            reader.sp()
        reverse = reader.take(b"REVERSE ")
        key = reader.atom().upper()
        if key not in KEYS:
            raise reader.error(f"unknown sort key {key}")
        criteria.append(SortCriterion(key, reverse))
    if not criteria:
        raise reader.error("at least one sort criterion is needed")
    return SortArguments(tuple(criteria), parse_selection(reader))


@command_with_uid_form("SORT", parse=parse_sort, expunge_ok=False)
async def sort(session: Session, tag: str, arguments: SortArguments, by_uid: bool) -> Ok | None:
    matches = select(session, arguments.selection)
    # Stable sorts from the last criterion to the first; ties keep mailbox order (reverse keeps it too).
    for key, reverse in reversed(arguments.criteria):
        matches.sort(key=lambda match: sort_value(match[1], key), reverse=reverse)
    numbers = [message.uid if by_uid else seq for seq, message in matches]
    line = b"SORT" + b"".join(b" %d" % number for number in numbers)
    if arguments.selection.modseq and matches:  # RFC 7162 3.1.5: the highest MODSEQ of the messages found
        line += b" (MODSEQ %d)" % max(message.modseq for _, message in matches)
    session.untagged(line)
    return None
