"""Accounts, mailboxes and messages as they live in memory, and the events their changes publish.

Both backends keep this model in memory and serve every read from it; the SQLite backend also records
each change in its journal. Objects here are mutated only by :class:`~elektromail.store.store.Store`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import Enum
from itertools import compress, count, islice, repeat
from operator import attrgetter, contains, is_not, not_
from typing import NamedTuple, TypeVar

from elektromail.mail.message import ParsedMessage
from elektromail.store.provenance import Provenance

INBOX = "INBOX"
HIERARCHY_SEPARATOR = "/"

# RFC 9051 2.3.2: system flags. \Recent (rev1) is per-session and kept by the IMAP layer.
SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")
_SYSTEM_FLAGS_BY_LOWER = {flag.lower(): flag for flag in SYSTEM_FLAGS}

# Mailbox names that carry an RFC 6154 SPECIAL-USE attribute.
SPECIAL_USE = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk", "Archive": "\\Archive"}


class FlagMode(Enum):
    """How STORE changes a message's flags."""

    REPLACE = "replace"
    ADD = "add"
    REMOVE = "remove"


class _Clock:
    """Internal dates in whole seconds: the messages of one second share one datetime object."""

    __slots__ = ("second", "date")

    def __init__(self) -> None:
        self.second = -1
        self.date = datetime.fromtimestamp(0, UTC)

    def now(self) -> datetime:
        second = int(time.time())
        if second != self.second:
            self.second, self.date = second, datetime.fromtimestamp(second, UTC)
        return self.date


_clock = _Clock()

# An internal date: whole seconds, UTC. The clock's bound method itself, so that a message stored makes one
# call for its date, not two.
now = _clock.now


def canonical_flag(flag: str) -> str:
    """System flags are case-insensitive (RFC 9051 2.3.2); keep one spelling for them."""
    if flag.startswith("\\"):
        return _SYSTEM_FLAGS_BY_LOWER.get(flag.lower(), flag)
    return flag


# Distinct flag sets are few (most messages have none, or \Seen): messages share one frozenset per set
# instead of holding a copy each. Bounded, so that hostile keywords cannot grow it without end.
FLAG_SETS_MAX = 4096
_flag_sets: dict[frozenset[str], frozenset[str]] = {}


def shared_flags(flags: frozenset[str]) -> frozenset[str]:
    """The one shared frozenset equal to ``flags`` (``flags`` itself when it is new, or too many are kept)."""
    shared = _flag_sets.get(flags)
    if shared is None:
        if len(_flag_sets) < FLAG_SETS_MAX:
            _flag_sets[flags] = flags
        return flags
    return shared


def flag_set(flags: Iterable[str]) -> frozenset[str]:
    """Flags in their canonical spelling, as a shared frozenset."""
    return shared_flags(frozenset(canonical_flag(flag) for flag in flags))


NO_FLAGS = flag_set(())  # what nearly every new message has


def canonical_mailbox_name(name: str) -> str:
    """INBOX is case-insensitive, including as the first level of a hierarchy (RFC 9051 5.1)."""
    head, sep, rest = name.partition(HIERARCHY_SEPARATOR)
    if head.upper() == INBOX:
        return INBOX + sep + rest
    return name


class Message(ParsedMessage):
    """One message in one mailbox: its octets and what is derived from them (it is its own
    :class:`ParsedMessage`, one record rather than two), with what the mailbox keeps of it.

    ``flags`` is replaced, never mutated, so snapshots stay valid. ``modseq`` is the mailbox's
    mod-sequence of the message's last change (RFC 7162 CONDSTORE), kept as its distance from the UID:
    both grow together as mail arrives, so the distance is nearly always a small number, which Python
    shares instead of allocating. ``provenance`` is how it arrived (envelope and delivery), None where
    nothing is known: the record the delivery made, shared by the copies of one transaction. A copy in
    another mailbox is another record holding the same octets.
    """

    __slots__ = ("uid", "flags", "internal_date", "_modseq_over_uid", "provenance")

    def __init__(
        self,
        uid: int,
        flags: frozenset[str],
        internal_date: datetime,
        content: bytes | ParsedMessage,
        modseq: int = 1,
        provenance: Provenance | None = None,
    ) -> None:
        if isinstance(content, ParsedMessage):
            self.adopt(content)
        else:
            ParsedMessage.__init__(self, content)
        self.uid = uid
        self.flags = flags
        self.internal_date = internal_date
        self._modseq_over_uid = modseq - uid
        self.provenance = provenance

    @property
    def modseq(self) -> int:
        return self.uid + self._modseq_over_uid

    @modseq.setter
    def modseq(self, modseq: int) -> None:
        self._modseq_over_uid = modseq - self.uid

    @property
    def parsed(self) -> ParsedMessage:
        """The message's octets and derived views: the message itself."""
        return self

    def __repr__(self) -> str:
        return f"Message(uid={self.uid}, flags={sorted(self.flags)}, size={self.size})"


_UID = attrgetter("uid")
_FLAGS = attrgetter("flags")


def first_without(messages: list[Message], flag: str) -> int | None:
    """The 1-based position of the first of ``messages`` without ``flag``, in one pass in C."""
    return next(compress(count(1), map(not_, map(contains, map(_FLAGS, messages), repeat(flag)))), None)


_Run = TypeVar("_Run")


class FlagRuns(NamedTuple):
    """Messages in runs that share a flag set: where each run starts (positions, ascending, the first 0)
    and its set."""

    starts: list[int]
    sets: list[frozenset[str]]


def runs_of(values: list[_Run]) -> tuple[list[int], list[_Run]]:
    """Where a new object starts in ``values`` (positions, the first 0) and the object of each run, found
    in C passes. Runs end where the object changes, not where the value does."""
    if not values:
        return [], []
    starts = [0, *compress(count(1), map(is_not, islice(values, 1, None), values))]
    return starts, [values[start] for start in starts]


def flag_runs(messages: list[Message]) -> FlagRuns:
    """The runs of ``messages``. The store gives equal flag sets one shared object, so a run ends where the
    object changes; equal sets that are distinct objects would only split a run, which changes nothing a
    reader of the runs sees."""
    return FlagRuns(*runs_of(list(map(_FLAGS, messages))))


# --- events published to listeners of a mailbox (IMAP selected views, HTTP waiters) ---


class MailboxEvent:
    __slots__ = ("mailbox", "origin")

    def __init__(self, mailbox: Mailbox, origin: object | None) -> None:
        self.mailbox = mailbox
        self.origin = origin  # the session that caused the change, so it can skip its own echo


class MessagesAdded(MailboxEvent):
    __slots__ = ("messages",)

    def __init__(self, mailbox: Mailbox, messages: list[Message], origin: object | None = None) -> None:
        # Set here rather than through super(), which costs more than the event: one per message stored.
        self.mailbox = mailbox
        self.origin = origin
        self.messages = messages


class FlagsChanged(MailboxEvent):
    __slots__ = ("messages",)

    def __init__(self, mailbox: Mailbox, messages: list[Message], origin: object | None = None) -> None:
        super().__init__(mailbox, origin)
        self.messages = messages


class MessagesExpunged(MailboxEvent):
    __slots__ = ("uids",)

    def __init__(self, mailbox: Mailbox, uids: list[int], origin: object | None = None) -> None:
        super().__init__(mailbox, origin)
        self.uids = uids


class MailboxRemoved(MailboxEvent):
    """The mailbox was deleted or renamed away: selected views must end (BYE or NO on next command)."""


Listener = Callable[[MailboxEvent], None]


class Mailbox:
    """A mailbox: messages ordered by UID, and the counters IMAP exposes."""

    __slots__ = (
        "id",
        "account",
        "name",
        "uid_validity",
        "uid_next",
        "highest_modseq",
        "expunged",
        "expunges_known_from",
        "selectable",
        "messages",
        "by_uid",
        "listeners",
        "messages_shared",
        "_uids",
        "_uids_of",
        "_keywords_memo",
        "_unseen_memo",
        "_runs_memo",
    )

    def __init__(self, mailbox_id: int, account: Account, name: str, uid_validity: int) -> None:
        self.id = mailbox_id
        self.account = account
        self.name = name
        self.uid_validity = uid_validity
        self.uid_next = 1
        # RFC 7162: mod-sequences are positive, so an empty mailbox starts at 1 and its first change gets 2.
        self.highest_modseq = 1
        # RFC 7162 3.2 (QRESYNC): the mod-sequence of each expunge, by UID, for VANISHED (EARLIER). Every
        # expunged UID is kept: a test server's mailboxes are small, and forgetting would make clients
        # that resynchronise from an old mod-sequence hear of every missing UID again.
        self.expunged: dict[int, int] = {}
        # Expunges at or above this mod-sequence are all in ``expunged``; a mailbox older than that record
        # (a database from before schema version 4) may have lost UIDs no one wrote down.
        self.expunges_known_from = 0
        self.selectable = True  # False: a \Noselect name kept because it still has children
        self.messages: list[Message] = []
        self.by_uid: dict[int, Message] = {}
        self.listeners: set[Listener] = set()
        # True while selected views hold ``messages`` as their snapshot: the next append then gives the
        # mailbox a new list instead of growing the shared one (expunges always build a new list).
        self.messages_shared = False
        # Derived from ``messages`` for SELECT, kept until the messages change (see uid_list, keywords).
        self._uids: list[int] = []
        self._uids_of: list[Message] | None = None
        self._keywords_memo: tuple[int, int, tuple[str, ...]] | None = None
        self._unseen_memo: tuple[int, int, int | None] | None = None
        self._runs_memo: tuple[int, int, FlagRuns] | None = None

    @property
    def subscribed(self) -> bool:
        """Subscriptions belong to the account's names, not to the mailbox (see Account.subscriptions)."""
        return self.name in self.account.subscriptions

    @property
    def special_use(self) -> str | None:
        return SPECIAL_USE.get(self.name)

    @property
    def total_size(self) -> int:
        return sum(message.size for message in self.messages)

    def append(self, message: Message) -> None:
        """Add ``message`` (its UID above every other) without changing a list a selected view holds."""
        if self.messages_shared:
            self.messages = list(self.messages)
            self.messages_shared = False
        self.messages.append(message)
        self.by_uid[message.uid] = message

    def uid_list(self) -> list[int]:
        """The UIDs of ``messages`` in order. Kept for the current list object and grown with it; a new
        list (an expunge, or an append while views hold the old one) starts a new one, so a list once
        handed out never changes while a view may hold it."""
        messages, uids = self.messages, self._uids
        if self._uids_of is not messages or len(uids) > len(messages):
            uids = self._uids = []
            self._uids_of = messages
        if len(uids) < len(messages):
            uids.extend(map(_UID, islice(messages, len(uids), None)))
        return uids

    def keywords(self) -> tuple[str, ...]:
        """The keywords (flags without a backslash) set on some message, sorted. Remembered until the
        mailbox changes: every change moves ``highest_modseq`` on."""
        key = (self.highest_modseq, len(self.messages))
        memo = self._keywords_memo
        if memo is None or memo[:2] != key:
            distinct = set(map(_FLAGS, self.messages))  # a handful of shared sets, even for 100,000
            found = {flag for flags in distinct for flag in flags if not flag.startswith("\\")}
            memo = self._keywords_memo = (*key, tuple(sorted(found)))
        return memo[2]

    def first_without(self, flag: str) -> int | None:
        """The 1-based position of the first message without ``flag``. ``\\Seen`` (SELECT's UNSEEN) is
        remembered until the mailbox changes."""
        if flag != "\\Seen":
            return first_without(self.messages, flag)
        key = (self.highest_modseq, len(self.messages))
        memo = self._unseen_memo
        if memo is None or memo[:2] != key:
            memo = self._unseen_memo = (*key, first_without(self.messages, flag))
        return memo[2]

    def flag_runs(self) -> FlagRuns:
        """The runs of ``messages`` with the same flags (FETCH FLAGS answers a run at a time), remembered
        until the mailbox changes: every change moves ``highest_modseq`` on."""
        key = (self.highest_modseq, len(self.messages))
        memo = self._runs_memo
        if memo is None or memo[:2] != key:
            memo = self._runs_memo = (*key, flag_runs(self.messages))
        return memo[2]

    def count_without(self, flag: str) -> int:
        return sum(1 for message in self.messages if flag not in message.flags)

    def count_with(self, flag: str) -> int:
        return sum(1 for message in self.messages if flag in message.flags)

    def next_modseq(self) -> int:
        """A new mod-sequence for a change in this mailbox (a message added or changed, or an expunge)."""
        self.highest_modseq += 1
        return self.highest_modseq

    def vanished_since(self, modseq: int, known: Callable[[int], bool]) -> list[int]:
        """The UIDs ``known`` accepts that were expunged after ``modseq``, ascending (RFC 7162 3.2.5.1).

        Before the record began every UID below UIDNEXT that is not here any more counts as expunged."""
        if modseq < self.expunges_known_from:
            return [uid for uid in range(1, self.uid_next) if uid not in self.by_uid and known(uid)]
        return sorted(uid for uid, when in self.expunged.items() if when > modseq and known(uid))

    def release_messages(self) -> None:
        """The mailbox was removed from the store: drop what it holds (readers already took their copies)."""
        self.messages = []
        self.messages_shared = False
        self.by_uid = {}
        self.expunged = {}
        self._runs_memo = None

    def publish(self, event: MailboxEvent) -> None:
        if not self.listeners:
            return
        for listener in tuple(self.listeners):
            listener(event)

    def message_id(self, uid: int) -> str:
        """A handle for one message that is unique across the server: mailbox ids are never reused, and
        neither are UIDs within a mailbox."""
        return f"{self.id}-{uid}"

    def __repr__(self) -> str:
        return f"Mailbox({self.account.name!r}, {self.name!r}, messages={len(self.messages)})"


class Account:
    """A user: credentials, mailboxes keyed by canonical name, and subscribed names.

    Subscriptions are names, not mailboxes (RFC 9051 6.3.7): a name stays subscribed when its mailbox is
    deleted or renamed away, and a name may be subscribed before its mailbox exists.
    """

    __slots__ = ("id", "name", "password", "email", "mailboxes", "subscriptions", "removed")

    def __init__(self, account_id: int, name: str, password: str, email: str | None) -> None:
        self.id = account_id
        self.name = name
        self.password = password
        self.email = email
        self.mailboxes: dict[str, Mailbox] = {}
        self.subscriptions: set[str] = set()  # canonical mailbox names
        # Set when the user is deleted or the store reset: a session still holding the account must not
        # write rows for it (a persistent store would then hold mail of no user).
        self.removed = False

    @property
    def inbox(self) -> Mailbox:
        return self.mailboxes[INBOX]

    def mailbox(self, name: str) -> Mailbox | None:
        return self.mailboxes.get(canonical_mailbox_name(name))

    def children(self, name: str) -> Iterable[Mailbox]:
        prefix = canonical_mailbox_name(name) + HIERARCHY_SEPARATOR
        return [mailbox for key, mailbox in self.mailboxes.items() if key.startswith(prefix)]

    def __repr__(self) -> str:
        return f"Account({self.name!r})"
