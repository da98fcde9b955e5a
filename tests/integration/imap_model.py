"""A client's model of its selected mailbox, built only from the server's untagged responses, and the
checks every response must pass against it and against what all clients together have seen.

``View`` is one session's picture (sequence numbers to UIDs, flags, announced keywords, mod-sequences).
``World`` is shared by the sessions of one run: what APPENDUID/COPYUID handed out, the subject of each
message, the flags a message had at each mod-sequence, and floors (HIGHESTMODSEQ, UIDNEXT, a message's
MODSEQ) that a response to a command sent after they were received may not go below.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tests.integration.imap_async import Response, Token

RECENT = "\\Recent"
# RFC 9051 7.5.1: no EXPUNGE while responding to these (their UID forms may carry one).
NO_EXPUNGE_DURING = frozenset({"FETCH", "STORE", "SEARCH"})


def parse_set(text: str) -> list[int]:
    """``1:3,7`` as numbers (no ``*``: servers send none)."""
    numbers: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition(":")
        first, last = int(low), int(high or low)
        if first > last:
            first, last = last, first
        numbers.extend(range(first, last + 1))
    return numbers


def keywords(flags: list[str]) -> set[str]:
    return {flag for flag in flags if not flag.startswith("\\")}


def fetch_items(tokens: list[Token]) -> dict[str, Token]:
    items: dict[str, Token] = {}
    for index in range(0, len(tokens) - 1, 2):
        name = tokens[index]
        assert isinstance(name, str)
        items[name.upper()] = tokens[index + 1]
    return items


@dataclass
class Floor:
    """Values received at logical times; ``below(t)`` is the largest received before ``t``."""

    entries: list[tuple[int, int]] = field(default_factory=list)

    def add(self, clock: int, value: int) -> None:
        self.entries.append((clock, value))

    def below(self, clock: int) -> int:
        return max((value for at, value in self.entries if at < clock), default=0)


class World:
    """What every session of one run has learnt; the source of cross-session checks."""

    def __init__(self) -> None:
        self.clock = 0
        self.problems: list[str] = []
        self.subjects: dict[tuple[str, int], bytes] = {}
        self.assigned: dict[str, set[int]] = defaultdict(set)
        self.flags_at: dict[tuple[str, int, int], frozenset[str]] = {}
        self.highest_modseq: dict[str, Floor] = defaultdict(Floor)
        self.uid_next: dict[str, Floor] = defaultdict(Floor)
        self.message_modseq: dict[tuple[str, int], Floor] = defaultdict(Floor)
        self.commands = 0

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def problem(self, who: str, text: str) -> None:
        self.problems.append(f"{who}: {text}")

    def new_uid(self, who: str, mailbox: str, uid: int, subject: bytes | None) -> None:
        """A UID from APPENDUID or COPYUID: never handed out twice; the next UIDNEXT is above it."""
        if uid in self.assigned[mailbox]:
            self.problem(who, f"UID {uid} of {mailbox} handed out twice")
        self.assigned[mailbox].add(uid)
        self.uid_next[mailbox].add(self.clock, uid + 1)
        if subject is not None:
            self.subjects[(mailbox, uid)] = subject


@dataclass
class Command:
    """The command whose responses are being read: its name and the logical time it was sent."""

    name: str
    sent: int
    uid: bool = False


class View:
    """One session's selected mailbox as its responses describe it."""

    def __init__(self, who: str, world: World, rev2: bool, qresync: bool) -> None:
        self.who = who
        self.world = world
        self.rev2 = rev2
        self.qresync = qresync
        self.mailbox: str | None = None
        self.read_only = False
        self.uids: list[int | None] = []
        self.flags: dict[int, frozenset[str]] = {}
        self.modseq: dict[int, int] = {}
        self.announced: set[str] = set()
        self.flags_without_permanent: set[str] | None = None
        self.uid_validity = 0
        self.highest_modseq = 0
        self.gone: set[int] = set()
        self.vanished_earlier: set[int] = set()
        self.fetched_during_select: set[int] = set()
        self.searched: list[int] | None = None
        self.searched_in: list[int | None] = []
        self.fetched: list[tuple[int, int | None]] = []  # (seq, UID) of the FETCH responses of a command
        self.copy_uid: list[Token] = []  # MOVE's untagged COPYUID (RFC 6851 4.3)
        self.status: dict[str, int] = {}

    # ------------------------------------------------------------------ helpers

    def problem(self, text: str) -> None:
        self.world.problem(self.who, f"[{self.mailbox}] {text}")

    def reset(self, mailbox: str, read_only: bool) -> None:
        self.mailbox = mailbox
        self.read_only = read_only
        self.uids = []
        self.flags = {}
        self.modseq = {}
        self.announced = set()
        self.gone = set()
        self.vanished_earlier = set()
        self.fetched_during_select = set()
        self.highest_modseq = 0

    @property
    def known(self) -> list[int]:
        return [uid for uid in self.uids if uid is not None]

    def _neighbours_allow(self, index: int, uid: int) -> bool:
        before = [u for u in self.uids[:index] if u is not None]
        after = [u for u in self.uids[index + 1 :] if u is not None]
        return (not before or before[-1] < uid) and (not after or uid < after[0])

    def _remove_uid(self, uid: int) -> bool:
        """Drop ``uid`` from the view; an unknown UID takes one placeholder of its gap (they are alike)."""
        if uid in self.uids:
            self.uids.remove(uid)
        else:
            gap = [i for i, u in enumerate(self.uids) if u is None and self._neighbours_allow(i, uid)]
            if not gap:
                return False
            del self.uids[gap[0]]
        self.flags.pop(uid, None)
        self.modseq.pop(uid, None)
        self.gone.add(uid)
        return True

    # ------------------------------------------------------------------ responses

    def apply(self, response: Response, command: Command) -> None:
        """Check one untagged response against the model, then fold it in."""
        if response.status:
            if self.flags_without_permanent is not None and (not response.code or response.code[0] != "PERMANENTFLAGS"):
                self.problem(f"FLAGS without the PERMANENTFLAGS that goes with it: {response.raw!r}")
                self.flags_without_permanent = None
            self._status_code(response.code, command)
            return
        if self.flags_without_permanent is not None:
            self.problem(f"FLAGS without the PERMANENTFLAGS that goes with it: {response.raw!r}")
            self.flags_without_permanent = None
        tokens = response.tokens
        if not tokens:
            return
        head = tokens[0]
        if isinstance(head, str) and head.isdigit() and len(tokens) >= 2:
            number, word = int(head), str(tokens[1]).upper()
            if word == "EXISTS":
                self._exists(number)
            elif word == "RECENT":
                if self.rev2:
                    self.problem("RECENT sent to an IMAP4rev2 session")
            elif word == "EXPUNGE":
                self._expunge(number, command)
            elif word == "FETCH":
                body = tokens[2]
                assert isinstance(body, list)
                self._fetch(number, fetch_items(body), command)
            return
        word = str(head).upper()
        if word == "FLAGS":
            flags = tokens[1]
            assert isinstance(flags, list)
            self.announced = keywords([str(flag) for flag in flags])
            self.flags_without_permanent = set(self.announced)
        elif word == "VANISHED":
            self._vanished(tokens[1:])
        elif word == "SEARCH":
            self._search([int(str(number)) for number in tokens[1:] if str(number).isdigit()], command)
        elif word == "ESEARCH":
            self._esearch(tokens[1:], command)
        elif word == "STATUS":
            values = tokens[2]
            assert isinstance(values, list)
            self.status = {str(values[i]).upper(): int(str(values[i + 1])) for i in range(0, len(values) - 1, 2)}
            name = tokens[1]
            mailbox = name.decode() if isinstance(name, bytes) else str(name)
            if "UIDNEXT" in self.status:
                self.reported_uid_next(mailbox, self.status["UIDNEXT"], command)
            if "HIGHESTMODSEQ" in self.status:
                self.reported_highest_modseq(self.status["HIGHESTMODSEQ"], command, mailbox=mailbox)

    def _status_code(self, code: list[Token], command: Command) -> None:
        if not code:
            return
        name = str(code[0]).upper()
        if name == "PERMANENTFLAGS":
            flags = code[1]
            assert isinstance(flags, list)
            permanent = keywords([str(flag) for flag in flags])
            expected = self.flags_without_permanent
            self.flags_without_permanent = None
            if expected is None:
                return
            if not self.read_only and not expected <= permanent:
                self.problem(f"PERMANENTFLAGS {sorted(permanent)} lacks keywords of FLAGS {sorted(expected)}")
        elif name == "UIDVALIDITY":
            self.uid_validity = int(str(code[1]))
        elif name == "HIGHESTMODSEQ":
            self.reported_highest_modseq(int(str(code[1])), command)
        elif name == "UIDNEXT" and self.mailbox is not None:
            self.reported_uid_next(self.mailbox, int(str(code[1])), command)
        elif name == "COPYUID":
            self.copy_uid = code

    def reported_highest_modseq(self, value: int, command: Command, mailbox: str | None = None) -> None:
        mailbox = mailbox or self.mailbox
        assert mailbox is not None
        floor = self.world.highest_modseq[mailbox]
        least = floor.below(command.sent)
        if value < least:
            self.problem(f"HIGHESTMODSEQ {value} of {mailbox} below {least}, received before {command.name} was sent")
        floor.add(self.world.clock, value)
        if mailbox == self.mailbox:
            if value < self.highest_modseq:
                self.problem(f"HIGHESTMODSEQ went down from {self.highest_modseq} to {value}")
            self.highest_modseq = max(self.highest_modseq, value)

    def reported_uid_next(self, mailbox: str, value: int, command: Command) -> None:
        least = self.world.uid_next[mailbox].below(command.sent)
        if value < least:
            self.problem(f"UIDNEXT {value} of {mailbox} not above a UID handed out before {command.name} was sent")
        self.world.uid_next[mailbox].add(self.world.clock, value)

    def _exists(self, count: int) -> None:
        if count < len(self.uids):
            self.problem(f"EXISTS {count} below the {len(self.uids)} messages known (only EXPUNGE shrinks it)")
            return
        self.uids.extend([None] * (count - len(self.uids)))

    def _expunge(self, seq: int, command: Command) -> None:
        if self.qresync:
            self.problem("EXPUNGE sent to a QRESYNC session (RFC 7162 3.2.10: VANISHED)")
        if command.name in NO_EXPUNGE_DURING and not command.uid:
            self.problem(f"EXPUNGE during {command.name} (RFC 9051 7.5.1)")
        if not 1 <= seq <= len(self.uids):
            self.problem(f"EXPUNGE {seq} outside 1:{len(self.uids)}")
            return
        uid = self.uids.pop(seq - 1)
        if uid is not None:
            self.flags.pop(uid, None)
            self.modseq.pop(uid, None)
            self.gone.add(uid)

    def _vanished(self, tokens: list[Token]) -> None:
        if not self.qresync:
            self.problem("VANISHED sent to a session without QRESYNC")
        earlier = bool(tokens) and isinstance(tokens[0], list)
        uids = parse_set(str(tokens[-1]))
        if earlier:
            self.vanished_earlier.update(uids)
            return
        for uid in uids:
            if not self._remove_uid(uid):
                self.problem(f"VANISHED {uid}, which is not in the view")

    def _fetch(self, seq: int, items: dict[str, Token], command: Command) -> None:
        if not 1 <= seq <= len(self.uids):
            self.problem(f"FETCH for message {seq} outside 1:{len(self.uids)}")
            return
        index = seq - 1
        uid: int | None = None
        if "UID" in items:
            uid = int(str(items["UID"]))
            known = self.uids[index]
            if known is None:
                if uid in self.gone or not self._neighbours_allow(index, uid):
                    self.problem(f"message {seq} has UID {uid}, out of order with {self.uids}")
                self.uids[index] = uid
            elif known != uid:
                self.problem(f"message {seq} is UID {known} in the view, FETCH says UID {uid}")
                return
        else:
            uid = self.uids[index]
        self.fetched.append((seq, uid))
        if command.name in ("SELECT", "EXAMINE") and uid is not None:
            self.fetched_during_select.add(uid)
        mailbox = self.mailbox
        assert mailbox is not None
        flags: frozenset[str] | None = None
        if "FLAGS" in items:
            listed = items["FLAGS"]
            assert isinstance(listed, list)
            names = [str(flag) for flag in listed]
            unknown = keywords(names) - self.announced
            if unknown:
                self.problem(f"FETCH shows keywords {sorted(unknown)} never announced in FLAGS")
                self.announced |= unknown
            if RECENT in names and self.rev2:
                self.problem("\\Recent sent to an IMAP4rev2 session")
            flags = frozenset(name for name in names if name != RECENT)
            if uid is not None:
                self.flags[uid] = flags
        if "MODSEQ" in items and uid is not None:
            value = items["MODSEQ"]
            assert isinstance(value, list)
            modseq = int(str(value[0]))
            if modseq < self.modseq.get(uid, 0):
                self.problem(f"MODSEQ of UID {uid} went down from {self.modseq[uid]} to {modseq}")
            floor = self.world.message_modseq[(mailbox, uid)]
            least = floor.below(command.sent)
            if modseq < least:
                self.problem(f"MODSEQ {modseq} of UID {uid} below {least}, seen before {command.name} was sent")
            floor.add(self.world.clock, modseq)
            self.modseq[uid] = modseq
            if flags is not None:
                seen = self.world.flags_at.setdefault((mailbox, uid, modseq), flags)
                if seen != flags:
                    self.problem(
                        f"UID {uid} at MODSEQ {modseq} has flags {sorted(flags)} here, {sorted(seen)} elsewhere"
                    )
        for name, value in items.items():
            if name.startswith("BODY[HEADER.FIELDS") and uid is not None and isinstance(value, bytes):
                expected = self.world.subjects.get((mailbox, uid))
                if expected is not None and value.strip() != expected:
                    self.problem(f"UID {uid} has header {value.strip()!r}, it was stored as {expected!r}")

    def _search(self, numbers: list[int], command: Command) -> None:
        self.searched = numbers
        self.searched_in = list(self.uids)  # the view the result belongs to: later responses change it
        if command.uid:
            strange = [uid for uid in numbers if uid in self.gone]
            if strange:
                self.problem(f"UID SEARCH found expunged UIDs {strange}")
        elif any(not 1 <= number <= len(self.uids) for number in numbers):
            self.problem(f"SEARCH found {numbers} outside 1:{len(self.uids)}")

    def _esearch(self, tokens: list[Token], command: Command) -> None:
        numbers: list[int] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if isinstance(token, str) and token.upper() == "ALL" and index + 1 < len(tokens):
                numbers = parse_set(str(tokens[index + 1]))
                index += 1
            index += 1
        self._search(numbers, command)
