"""SORT and UID SORT (RFC 5256), with the DISPLAYFROM and DISPLAYTO keys of RFC 5957 (SORT=DISPLAY).

``SORT (criteria) charset search-keys`` selects messages as SEARCH does and answers ``* SORT`` with their
numbers in order. Messages that compare equal on every criterion keep their mailbox order. Strings
compare with i;ascii-casemap (RFC 5256 2.2). The keys of a message are computed once and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from elektromail.imap import codes
from elektromail.imap.commands import SELECTED, Ok, capability, command, no
from elektromail.imap.condstore import enable_condstore
from elektromail.imap.parser import Reader
from elektromail.imap.search import CHARSETS
from elektromail.imap.search_keys import MODSEQ, Predicate, SearchContext, parse_keys, search_all
from elektromail.imap.session import Session
from elektromail.mail.addresses import Address, parse_address_list
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_words, parse_date
from elektromail.mail.message import ParsedMessage
from elektromail.mail.subject import base_subject
from elektromail.store.model import Message

capability("SORT", "SORT=DISPLAY")

SortValue = str | int | float
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def casemap(text: str) -> str:
    """i;ascii-casemap: only a-z fold; other characters compare as they are."""
    return text.translate(_ASCII_UPPER)


def _first_address(parsed: ParsedMessage, field: str) -> Address | None:
    """The first mailbox of a field (group markers skipped), or None."""
    for value in message_headers(parsed).get_all(field):
        for address in parse_address_list(value):
            if address.mailbox is not None and address.host is not None:
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
        name = decode_words((address.mailbox or b"") + b"@" + (address.host or b""))
    return casemap(name)


def _sent(message: Message) -> float:
    """RFC 5256 3: the Date field in UTC, or the internal date when it is missing or unparseable."""
    sent = parse_date(message_headers(message.parsed).get("date"))
    if sent is None:
        return message.internal_date.timestamp()
    if sent.tzinfo is None:  # a Date without a zone is read as UTC
        sent = sent.replace(tzinfo=UTC)
    return sent.timestamp()


def _subject(message: Message) -> str:
    raw = message_headers(message.parsed).get("subject")
    return casemap(base_subject(decode_words(raw))) if raw else ""


def _arrival(message: Message) -> float:
    internal: datetime = message.internal_date
    return internal.timestamp()


KEYS: dict[str, Callable[[Message], SortValue]] = {
    "ARRIVAL": _arrival,
    "CC": lambda message: _mailbox(message.parsed, "cc"),
    "DATE": _sent,
    "FROM": lambda message: _mailbox(message.parsed, "from"),
    "SIZE": lambda message: message.size,
    "SUBJECT": _subject,
    "TO": lambda message: _mailbox(message.parsed, "to"),
    "DISPLAYFROM": lambda message: _display(message.parsed, "from"),
    "DISPLAYTO": lambda message: _display(message.parsed, "to"),
}
_CACHE_KEY = "sort_keys"


def sort_value(message: Message, key: str) -> SortValue:
    """One key of one message. ARRIVAL is not cached: it is the internal date itself."""
    cache: dict[str, SortValue] = message.parsed.cache.setdefault(_CACHE_KEY, {})
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
    charset: str
    predicate: Predicate
    modseq: bool = False  # the MODSEQ search key is used (RFC 7162 3.1.5)


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
    reader.sp()
    charset = reader.astring().decode("ascii", "replace").upper()  # RFC 5256 3: the charset is required
    reader.sp()
    used: set[str] = set()
    predicate = search_all(parse_keys(reader, used=used))
    return SortArguments(tuple(criteria), charset, predicate, MODSEQ in used)


def _sort(session: Session, arguments: SortArguments, by_uid: bool) -> None:
    view = session.require_selected()
    if arguments.modseq:
        enable_condstore(session)  # RFC 7162 3.1: a search with MODSEQ enables CONDSTORE
    if arguments.charset not in CHARSETS:
        raise no(f"unsupported charset {arguments.charset}", codes.BADCHARSET + " (" + " ".join(CHARSETS) + ")")
    context = SearchContext(view.exists, view.uids[-1] if view.uids else 0, view.recent, view.saved)
    predicate = arguments.predicate
    matches = [(seq, message) for seq, message in enumerate(view.messages, 1) if predicate(context, seq, message)]
    # Stable sorts from the last criterion to the first; ties keep mailbox order (reverse keeps it too).
    for key, reverse in reversed(arguments.criteria):
        matches.sort(key=lambda match: sort_value(match[1], key), reverse=reverse)
    numbers = [message.uid if by_uid else seq for seq, message in matches]
    line = b"SORT" + b"".join(b" %d" % number for number in numbers)
    if arguments.modseq and matches:  # RFC 7162 3.1.5: the highest MODSEQ of the messages found
        line += b" (MODSEQ %d)" % max(message.modseq for _, message in matches)
    session.untagged(line)


@command("SORT", states=SELECTED, parse=parse_sort, expunge_ok=False)
async def sort(session: Session, tag: str, arguments: SortArguments) -> Ok | None:
    _sort(session, arguments, by_uid=False)
    return None


@command("UID SORT", states=SELECTED, parse=parse_sort, expunge_ok=False)
async def uid_sort(session: Session, tag: str, arguments: SortArguments) -> Ok | None:
    _sort(session, arguments, by_uid=True)
    return None
