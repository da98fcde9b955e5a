"""Mailbox listing and status (RFC 9051 6.3.9-6.3.11): LIST with the LIST-EXTENDED selection and return
options (RFC 5258, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE), LSUB (rev1), NAMESPACE and STATUS (with
HIGHESTMODSEQ, RFC 7162 3.1.2)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from elektromail.imap.commands.condstore import enable_condstore
from elektromail.imap.commands.mailboxes import find_mailbox
from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.codes import HIGHESTMODSEQ
from elektromail.imap.engine.command_table import AUTHENTICATED, Ok, capability, command, no
from elektromail.imap.engine.parser import Reader, UndecodableName
from elektromail.imap.engine.session import Session
from elektromail.store.model import HIERARCHY_SEPARATOR, INBOX, Account, Mailbox, canonical_mailbox_name

# STATUS=SIZE is part of IMAP4rev2 and named for IMAP4rev1 clients (RFC 9051 Appendix E, RFC 8438).
capability("SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "CHILDREN", "STATUS=SIZE")

SELECT_OPTIONS = frozenset({"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"})
STATUS_ITEMS = (
    "MESSAGES",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "DELETED",
    "SIZE",
    "RECENT",
    "APPENDLIMIT",
    HIGHESTMODSEQ,
)
_SEPARATOR = responses.quoted(HIERARCHY_SEPARATOR.encode("ascii"))


class ListArguments(NamedTuple):
    select: frozenset[str]
    reference: str
    patterns: tuple[str, ...]
    returns: frozenset[str]
    status_items: tuple[str, ...]


def _options(reader: Reader) -> list[str]:
    reader.expect(b"(", "an option list")
    options: list[str] = []
    if reader.close_paren():
        return options
    while True:
        options.append(reader.keyword())
        if reader.close_paren():
            return options
        reader.sp()


def parse_status_items(reader: Reader) -> tuple[str, ...]:
    reader.expect(b"(", "a list of status items")
    items: list[str] = []
    while True:
        item = reader.keyword()
        if item not in STATUS_ITEMS:
            raise reader.error(f"unknown status item {item}")
        items.append(item)
        if reader.close_paren():
            return tuple(dict.fromkeys(items))
        reader.sp()


def parse_list(reader: Reader) -> ListArguments:
    """``LIST [SP (select-opts)] SP reference SP (pattern / (patterns)) [SP RETURN (return-opts)]``."""
    reader.sp()
    select: set[str] = set()
    if reader.peek() == ord("("):
        select = set(_options(reader))
        unknown = select - SELECT_OPTIONS
        if unknown:
            raise reader.error(f"unknown selection option {sorted(unknown)[0]}")
        if "RECURSIVEMATCH" in select and select <= {"RECURSIVEMATCH", "REMOTE"}:
            raise reader.error("RECURSIVEMATCH needs another selection option")  # RFC 5258 3
        reader.sp()
    reference = reader.reference()
    reader.sp()
    patterns: list[str] = []
    if reader.take(b"("):
        while True:
            patterns.append(reader.list_mailbox())
            if reader.close_paren():
                break
            reader.sp()
    else:
        patterns.append(reader.list_mailbox())
    returns: set[str] = set()
    status_items: tuple[str, ...] = ()
    if not reader.at_end():
        reader.sp()
        if not reader.take(b"RETURN "):
            raise reader.error("expected RETURN")
        reader.expect(b"(", "a return option list")
        if not reader.close_paren():
            while True:
                option = reader.keyword()
                if option == "STATUS":
                    reader.sp()
                    status_items = parse_status_items(reader)
                elif option not in {"SUBSCRIBED", "CHILDREN", "SPECIAL-USE"}:
                    raise reader.error(f"unknown return option {option}")
                returns.add(option)
                if reader.close_paren():
                    break
                reader.sp()
    reader.end()
    return ListArguments(frozenset(select), reference, tuple(patterns), frozenset(returns), status_items)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """``*`` matches anything, ``%`` anything but the separator (RFC 9051 6.3.9)."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "%":
            parts.append("[^" + re.escape(HIERARCHY_SEPARATOR) + "]*")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def _matches(name: str, regexes: list[re.Pattern[str]]) -> bool:
    return any(regex.fullmatch(name) for regex in regexes)


def _canonical_pattern(reference: str, pattern: str) -> str:
    if pattern.startswith(HIERARCHY_SEPARATOR) and reference.endswith(HIERARCHY_SEPARATOR):
        pattern = pattern[1:]
    return canonical_mailbox_name(reference + pattern)


def _listing_order(name: str) -> tuple[bool, str]:
    return (name != INBOX, name)


def _sorted_mailboxes(account: Account) -> list[Mailbox]:
    return sorted(account.mailboxes.values(), key=lambda m: _listing_order(m.name))


def _name_attributes(account: Account, name: str, mailbox: Mailbox | None) -> list[str]:
    """Attributes of a listed name; ``mailbox`` is None for a subscribed name that has no mailbox."""
    attributes: list[str] = []
    if mailbox is None:
        attributes.append("\\NonExistent")  # RFC 5258 3.4: implies \Noselect
    elif not mailbox.selectable:
        attributes.append("\\Noselect")
    has_children = bool(account.children(name))
    attributes.append("\\HasChildren" if has_children else "\\HasNoChildren")
    return attributes


def name_line(session: Session, name: str, attributes: list[str], verb: bytes = b"LIST", extra: bytes = b"") -> bytes:
    encoded = responses.mailbox_name(name, session.utf8)
    flags = " ".join(attributes).encode("ascii")
    return b"* " + verb + b" (" + flags + b") " + _SEPARATOR + b" " + encoded + extra + b"\r\n"


def list_line(
    session: Session, mailbox: Mailbox, subscribed_flag: bool, verb: bytes = b"LIST", extra: bytes = b""
) -> bytes:
    attributes = _name_attributes(mailbox.account, mailbox.name, mailbox)
    if subscribed_flag and mailbox.subscribed:
        attributes.append("\\Subscribed")
    if mailbox.special_use:
        attributes.append(mailbox.special_use)
    return name_line(session, mailbox.name, attributes, verb, extra)


_NOT_SELECTABLE = ("\\NonExistent", "\\Noselect")


def _ancestors(names: Iterable[str]) -> set[str]:
    """Every parent name of ``names`` (``a`` and ``a/b`` for ``a/b/c``)."""
    parents: set[str] = set()
    for name in names:
        parts = name.split(HIERARCHY_SEPARATOR)
        parents.update(HIERARCHY_SEPARATOR.join(parts[:end]) for end in range(1, len(parts)))
    return parents


def _has_unlisted_subscribed_child(name: str, subscriptions: Iterable[str], regexes: list[re.Pattern[str]]) -> bool:
    """RFC 5258 3.5: a name that is not itself listed carries CHILDINFO only for a subscribed descendant
    the patterns do not list anyway ("servers SHOULD suppress redundant CHILDINFO responses")."""
    prefix = name + HIERARCHY_SEPARATOR
    return any(other.startswith(prefix) and not _matches(other, regexes) for other in subscriptions)


def _list_subscribed(
    session: Session, account: Account, regexes: list[re.Pattern[str]], arguments: ListArguments
) -> None:
    """LIST (SUBSCRIBED ...): subscribed names, including those whose mailbox is gone (RFC 5258 3.1, 3.4);
    with RECURSIVEMATCH also the parents of subscribed names, existing or not (RFC 5258 3.5)."""
    recursive = "RECURSIVEMATCH" in arguments.select
    special_only = "SPECIAL-USE" in arguments.select
    subscriptions = account.subscriptions
    candidates = set(subscriptions)
    if recursive:
        candidates |= _ancestors(subscriptions)
    for name in sorted(candidates, key=_listing_order):
        if not _matches(name, regexes):
            continue
        mailbox = account.mailboxes.get(name)
        if special_only and (mailbox is None or mailbox.special_use is None):
            continue
        extra = b""
        attributes = _name_attributes(account, name, mailbox)
        if name in subscriptions:
            attributes.append("\\Subscribed")
        if recursive and _has_unlisted_subscribed_child(name, subscriptions, regexes):
            extra = b' ("CHILDINFO" ("SUBSCRIBED"))'
        elif name not in subscriptions:
            continue
        if mailbox is not None and mailbox.special_use:
            attributes.append(mailbox.special_use)
        session.raw(name_line(session, name, attributes, extra=extra))
        if arguments.status_items and mailbox is not None and mailbox.selectable and name in subscriptions:
            session.untagged(status_line(session, mailbox, arguments.status_items))


@command("LIST", states=AUTHENTICATED, parse=parse_list)
async def list_command(session: Session, tag: str, arguments: ListArguments) -> Ok | None:
    account = session.require_account()
    if arguments.patterns == ("",):
        # RFC 9051 6.3.9: an empty pattern asks for the hierarchy delimiter and root.
        session.untagged(b"LIST (\\Noselect) " + _SEPARATOR + b' ""')
        return None
    regexes = _regexes(arguments.reference, arguments.patterns)
    if "SUBSCRIBED" in arguments.select:
        _list_subscribed(session, account, regexes, arguments)
        return None
    special_only = "SPECIAL-USE" in arguments.select
    show_subscribed = "SUBSCRIBED" in arguments.returns
    for mailbox in _sorted_mailboxes(account):
        if not _matches(mailbox.name, regexes):
            continue
        if special_only and mailbox.special_use is None:
            continue
        session.raw(list_line(session, mailbox, show_subscribed))
        if arguments.status_items and mailbox.selectable:
            session.untagged(status_line(session, mailbox, arguments.status_items))
    return None


def _regexes(reference: str, patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    """One regex a pattern; a reference or pattern that is not valid modified UTF-7 matches nothing
    (the answer is OK with no names, as Dovecot gives)."""
    if isinstance(reference, UndecodableName):
        return []
    return [
        pattern_regex(_canonical_pattern(reference, pattern))
        for pattern in patterns
        if not isinstance(pattern, UndecodableName)
    ]


def parse_lsub(reader: Reader) -> tuple[str, str]:
    reader.sp()
    reference = reader.reference()
    reader.sp()
    pattern = reader.list_mailbox()
    reader.end()
    return reference, pattern


@command("LSUB", states=AUTHENTICATED, parse=parse_lsub)
async def lsub(session: Session, tag: str, arguments: tuple[str, str]) -> Ok | None:
    """RFC 3501 6.3.9: subscribed names only (kept for rev1 clients)."""
    account = session.require_account()
    reference, pattern = arguments
    if pattern == "":
        session.untagged(b"LSUB (\\Noselect) " + _SEPARATOR + b' ""')
        return None
    regexes = _regexes(reference, (pattern,))
    subscriptions = account.subscriptions
    for name in sorted(subscriptions | _ancestors(subscriptions), key=_listing_order):
        if not _matches(name, regexes):
            continue
        subscribed = name in subscriptions
        # RFC 3501 6.3.9: "foo/bar" subscribed and "foo" not: "%" lists "foo", as \Noselect.
        if not subscribed and not _has_unlisted_subscribed_child(name, subscriptions, regexes):
            continue
        mailbox = account.mailboxes.get(name)
        # \NonExistent is LIST-EXTENDED; LSUB predates it: a subscribed name without a mailbox is still
        # listed (RFC 3501 6.3.6), as \Noselect.
        attributes = [a for a in _name_attributes(account, name, mailbox) if a not in _NOT_SELECTABLE]
        if not subscribed or mailbox is None or not mailbox.selectable:
            attributes.insert(0, "\\Noselect")
        session.raw(name_line(session, name, attributes, verb=b"LSUB"))
    return None


@command("NAMESPACE", states=AUTHENTICATED, parse=lambda reader: reader.end())
async def namespace(session: Session, tag: str, arguments: None) -> Ok | None:
    """RFC 9051 6.3.10: one personal namespace with no prefix; no other users' or shared ones."""
    session.untagged(b'NAMESPACE (("" ' + _SEPARATOR + b")) NIL NIL")
    return None


def status_values(session: Session, mailbox: Mailbox, items: tuple[str, ...]) -> list[tuple[str, int]]:
    values: list[tuple[str, int]] = []
    for item in items:
        if item == "MESSAGES":
            values.append((item, len(mailbox.messages)))
        elif item == "UIDNEXT":
            values.append((item, mailbox.uid_next))
        elif item == "UIDVALIDITY":
            values.append((item, mailbox.uid_validity))
        elif item == "UNSEEN":
            values.append((item, mailbox.count_without("\\Seen")))
        elif item == "DELETED":
            values.append((item, mailbox.count_with("\\Deleted")))
        elif item == "SIZE":
            values.append((item, mailbox.total_size))
        elif item == "RECENT":
            values.append((item, session.shared.recent.count_unclaimed(mailbox)))
        elif item == "APPENDLIMIT":
            values.append((item, session.context.config.max_message_size))
        elif item == HIGHESTMODSEQ:
            values.append((item, mailbox.highest_modseq))
    return values


def status_line(session: Session, mailbox: Mailbox, items: tuple[str, ...]) -> bytes:
    pairs = " ".join(f"{name} {value}" for name, value in status_values(session, mailbox, items))
    return b"STATUS " + responses.mailbox_name(mailbox.name, session.utf8) + b" (" + pairs.encode("ascii") + b")"


def parse_status(reader: Reader) -> tuple[str, tuple[str, ...]]:
    reader.sp()
    name = reader.mailbox()
    reader.sp()
    items = parse_status_items(reader)
    reader.end()
    return name, items


@command("STATUS", states=AUTHENTICATED, parse=parse_status)
async def status(session: Session, tag: str, arguments: tuple[str, tuple[str, ...]]) -> Ok | None:
    name, items = arguments
    mailbox = find_mailbox(session, name)
    if mailbox is None or not mailbox.selectable:
        raise no("no such mailbox", codes.NONEXISTENT)
    if HIGHESTMODSEQ in items:
        enable_condstore(session)  # RFC 7162 3.1: STATUS HIGHESTMODSEQ is a CONDSTORE enabling command
    session.untagged(status_line(session, mailbox, items))
    return None
