"""The selected view: one session's picture of its selected mailbox.

The view keeps the messages in the order the client knows them (sequence number = index + 1) and
collects the store's events for the mailbox as pending updates. The session delivers them at command
boundaries (RFC 9051 7.5.1: EXPUNGE never during FETCH, STORE or SEARCH) and immediately during IDLE, so
the client's sequence numbers change only when it is told.

\\Recent (rev1) lives here too: a message is recent in the first session that learns of it
(RFC 3501 2.3.2), tracked per mailbox in :class:`RecentClaims`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from operator import attrgetter

from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.store.model import (
    SYSTEM_FLAGS,
    FlagRuns,
    FlagsChanged,
    Mailbox,
    MailboxEvent,
    MailboxRemoved,
    Message,
    MessagesAdded,
    MessagesExpunged,
    first_without,
    flag_runs,
)

RECENT = "\\Recent"
# "FLAGS (...)" by (flag set, \\Recent shown): messages share a handful of sets, which the store replaces
# and never mutates, so the encoding of each is made once. Keywords can make many sets: stay bounded.
_FLAGS_ITEMS: dict[tuple[frozenset[str], bool], bytes] = {}
_FLAGS_ITEMS_MAX = 4096


def flags_item(flags: frozenset[str], recent: bool) -> bytes:
    """``FLAGS (...)`` of a message, \\Recent last when ``recent`` (as flags_of orders them)."""
    key = (flags, recent)
    item = _FLAGS_ITEMS.get(key)
    if item is None:
        if len(_FLAGS_ITEMS) >= _FLAGS_ITEMS_MAX:
            _FLAGS_ITEMS.clear()
        names = sorted(flags)
        if recent:
            names.append(RECENT)
        item = _FLAGS_ITEMS[key] = b"FLAGS " + responses.flag_list(names)
    return item


_FLAGS = attrgetter("flags")
_UID = attrgetter("uid")


@lru_cache(maxsize=64)  # bounded: a mailbox's keyword list can be long
def flags_lines(keywords: tuple[str, ...], read_only: bool) -> bytes:
    """``* FLAGS`` with the system flags and ``keywords``, and the ``PERMANENTFLAGS`` that goes with it
    (none for a read-only selection): mailboxes share a few keyword lists, so each is encoded once."""
    flags = [*SYSTEM_FLAGS, *keywords]
    permanent = b"()" if read_only else responses.flag_list([*flags, "\\*"])
    return (
        b"* FLAGS "
        + responses.flag_list(flags)
        + b"\r\n* OK ["
        + codes.PERMANENTFLAGS.encode("ascii")
        + b" "
        + permanent
        + b"] flags that persist\r\n"
    )


def keywords_of(messages: Iterable[Message]) -> set[str]:
    """The keywords (flags without a backslash) set on any of ``messages``: messages share a few flag
    sets, so each distinct set is looked into once (a mailbox of 100,000 has a handful)."""
    return {flag for flags in set(map(_FLAGS, messages)) for flag in flags if not flag.startswith("\\")}


class RecentClaims:
    """Per server: the highest UID of each mailbox already announced as \\Recent to some session."""

    def __init__(self) -> None:
        self._claimed: dict[int, int] = {}

    def claim(self, mailbox: Mailbox, uids: list[int]) -> set[int]:
        """The UIDs among ``uids`` no session has seen as recent yet; they are now claimed."""
        mark = self._claimed.get(mailbox.id, 0)
        fresh = _above(uids, mark)
        if fresh:
            self._claimed[mailbox.id] = uids[-1]
        return fresh

    def unclaimed(self, mailbox: Mailbox, uids: list[int]) -> set[int]:
        """The UIDs still recent for a read-only look (EXAMINE, STATUS), without claiming them."""
        return _above(uids, self._claimed.get(mailbox.id, 0))

    def count_unclaimed(self, mailbox: Mailbox) -> int:
        messages = mailbox.messages  # ordered by UID
        return len(messages) - bisect_right(messages, self._claimed.get(mailbox.id, 0), key=_UID)


def _above(uids: list[int], mark: int) -> set[int]:
    """The UIDs above ``mark``; ``uids`` ascends (a view's, or the sorted UIDs it adds), so they are a
    tail of it."""
    return set(uids[bisect_right(uids, mark) :])


class SelectedView:
    """Sequence numbers, pending updates and \\Recent for one selected mailbox in one session."""

    def __init__(
        self,
        mailbox: Mailbox,
        read_only: bool,
        origin: object,
        claims: RecentClaims,
        on_change: Callable[[], None],
    ) -> None:
        self.mailbox = mailbox
        self.read_only = read_only
        # The mailbox's own lists, shared until this view changes them (_own) or the mailbox changes: it
        # appends to a new list while views hold the current one and builds a new one on expunge, so
        # these stay exactly what the client was told.
        self.messages: list[Message] = mailbox.messages
        self.uids: list[int] = mailbox.uid_list()
        mailbox.messages_shared = True
        self._owned = False
        self._origin = origin
        self._claims = claims
        self._on_change = on_change
        # EXAMINE shows \Recent without taking it from other sessions (RFC 3501 6.3.2).
        self.recent = claims.unclaimed(mailbox, self.uids) if read_only else claims.claim(mailbox, self.uids)
        self._added: list[Message] = []
        self._expunged: set[int] = set()
        self._flags: dict[int, Message] = {}
        self.removed = False
        # RFC 9051 7.3.5: every keyword the mailbox has had since it was selected, in the order they
        # appeared (as Dovecot lists them); the first ``_announced`` of them the client has heard of.
        self._keywords: dict[str, None] = dict.fromkeys(mailbox.keywords())
        self._announced = 0
        # RFC 5182 (SEARCHRES): the UIDs the last SEARCH RETURN (SAVE) kept for "$". It belongs to the
        # selection, so SELECT, EXAMINE, CLOSE and UNSELECT start again with an empty one.
        self.saved: frozenset[int] = frozenset()
        mailbox.listeners.add(self._on_event)

    def close(self) -> None:
        self.mailbox.listeners.discard(self._on_event)

    def _own(self) -> None:
        """Copies of the shared lists, before this view changes them in place."""
        if not self._owned:
            self.messages, self.uids = list(self.messages), list(self.uids)
            self._owned = True

    def first_unseen(self) -> int | None:
        """SELECT's UNSEEN: the sequence number of the first message without \\Seen."""
        if self.messages is self.mailbox.messages:
            return self.mailbox.first_without("\\Seen")  # remembered by the mailbox until it changes
        return first_without(self.messages, "\\Seen")

    # ------------------------------------------------------------------ sequence numbers

    @property
    def exists(self) -> int:
        return len(self.messages)

    def seq_of_uid(self, uid: int) -> int | None:
        index = bisect_left(self.uids, uid)
        if index < len(self.uids) and self.uids[index] == uid:
            return index + 1
        return None

    def index_spans(self, sequence: SequenceSet, by_uid: bool) -> list[range]:
        """The positions in :attr:`messages` (sequence number - 1) that ``sequence`` names, as ascending
        disjoint ranges: sequence numbers map directly, UID runs by bisection, so ``1:*`` costs as much
        for 100,000 messages as for ten. ``$`` (RFC 5182) names the saved UIDs still here."""
        if sequence.saved:
            found = (self.seq_of_uid(uid) for uid in sorted(self.saved))
            return [range(seq - 1, seq) for seq in found if seq is not None]
        if not by_uid:
            return [range(low - 1, high) for low, high in sequence.spans(self.exists)]
        uids = self.uids
        if not uids:
            return []
        spans = []
        for low, high in sequence.spans(uids[-1]):
            start, stop = bisect_left(uids, low), bisect_right(uids, high)
            if start < stop:
                spans.append(range(start, stop))
        return spans

    def flag_runs(self) -> FlagRuns:
        """The runs of :attr:`messages` sharing a flag set; the mailbox's, remembered, while this view
        holds the mailbox's own list."""
        if self.messages is self.mailbox.messages:
            return self.mailbox.flag_runs()
        return flag_runs(self.messages)

    def flags_bytes(self, message: Message, rev1: bool) -> bytes:
        """``FLAGS (...)`` as FETCH shows it to this session (\\Recent only for IMAP4rev1)."""
        return flags_item(message.flags, rev1 and message.uid in self.recent)

    def flags_of(self, message: Message, rev1: bool) -> list[str]:
        flags = sorted(message.flags)
        if rev1 and message.uid in self.recent:
            flags.append(RECENT)
        return flags

    def flags_responses(self, out: list[bytes]) -> None:
        """``* FLAGS`` and the ``PERMANENTFLAGS`` that goes with it (RFC 9051 7.3.5, 7.1)."""
        self._announced = len(self._keywords)
        out.append(flags_lines(tuple(self._keywords), self.read_only))

    def announce_keywords(self, out: list[bytes]) -> None:
        """FLAGS again once the mailbox has a keyword the client has not heard of, before any response
        that could show it (RFC 9051 7.3.5: FLAGS goes out whenever the set of flags changes). The keyword
        list only grows, so comparing lengths is the whole check (FETCH of every message stays cheap)."""
        if len(self._keywords) > self._announced:
            self.flags_responses(out)

    @property
    def has_pending(self) -> bool:
        return bool(self._added or self._expunged or self._flags or self.removed)

    # ------------------------------------------------------------------ store events

    def _on_event(self, event: MailboxEvent) -> None:
        if isinstance(event, MessagesAdded | FlagsChanged):
            # Keywords from any origin, this session's own STORE included: it announces them itself.
            for keyword in sorted(keywords_of(event.messages)):
                self._keywords.setdefault(keyword)
        if isinstance(event, MessagesAdded):
            self._added.extend(event.messages)
        elif isinstance(event, FlagsChanged):
            if event.origin is self._origin:
                return  # STORE answers for itself (or stays silent with .SILENT)
            for message in event.messages:
                self._flags[message.uid] = message
        elif isinstance(event, MessagesExpunged):
            self._expunged.update(event.uids)
        elif isinstance(event, MailboxRemoved):
            self.removed = not self.still_exists()
        else:
            return
        self._on_change()

    def still_exists(self) -> bool:
        mailbox = self.mailbox
        account = mailbox.account
        return not account.removed and account.mailboxes.get(mailbox.name) is mailbox and mailbox.selectable

    # ------------------------------------------------------------------ delivering updates

    def take_updates(
        self, out: list[bytes], expunge_ok: bool, rev1: bool, condstore: bool, qresync: bool = False
    ) -> None:
        """Append the pending untagged responses to ``out`` and bring the sequence numbers up to date.

        With ``condstore`` (RFC 7162 3.1) flag updates carry the message's MODSEQ as well; with ``qresync``
        (RFC 7162 3.2.10) expunges go out as one ``VANISHED`` response instead of ``EXPUNGE`` lines."""
        self.announce_keywords(out)
        if expunge_ok and self._expunged:
            self._deliver_expunges(out, qresync)
        if self._added:
            self._deliver_additions(out, rev1)
        if self._flags:
            pending, self._flags = self._flags, {}
            for uid, message in sorted(pending.items()):
                if uid in self._expunged:
                    continue
                seq = self.seq_of_uid(uid)
                if seq is None:
                    continue
                flags = responses.flag_list(self.flags_of(message, rev1))
                if condstore:
                    out.append(b"* %d FETCH (UID %d FLAGS %s MODSEQ (%d))\r\n" % (seq, uid, flags, message.modseq))
                else:
                    out.append(b"* %d FETCH (UID %d FLAGS %s)\r\n" % (seq, uid, flags))

    def _deliver_expunges(self, out: list[bytes], qresync: bool) -> None:
        gone, self._expunged = self._expunged, set()
        # Added and expunged before the client heard of it: never announce either.
        if self._added:
            self._added = [message for message in self._added if message.uid not in gone]
        vanished: list[int] = []
        self._own()
        for uid in sorted(gone):
            seq = self.seq_of_uid(uid)
            if seq is None:
                continue
            del self.messages[seq - 1]
            del self.uids[seq - 1]
            self.recent.discard(uid)
            if qresync:
                vanished.append(uid)
            else:
                out.append(b"* %d EXPUNGE\r\n" % seq)
        if vanished:
            out.append(b"* VANISHED " + responses.sequence_text(vanished) + b"\r\n")
        if self.saved:
            self.saved -= gone  # RFC 5182 2.1: expunged messages leave the saved result

    def _deliver_additions(self, out: list[bytes], rev1: bool) -> None:
        added, self._added = self._added, []
        last = self.uids[-1] if self.uids else 0
        new = [message for message in added if message.uid > last and message.uid not in self._expunged]
        if not new:
            return
        new.sort(key=lambda message: message.uid)
        self._own()
        self.messages.extend(new)
        self.uids.extend(message.uid for message in new)
        new_uids = [message.uid for message in new]
        if self.read_only:
            self.recent.update(self._claims.unclaimed(self.mailbox, new_uids))
        else:
            self.recent.update(self._claims.claim(self.mailbox, new_uids))
        out.append(b"* %d EXISTS\r\n" % len(self.messages))
        if rev1:
            out.append(b"* %d RECENT\r\n" % len(self.recent))
