"""Many sessions on shared mailboxes for a few seconds, each doing random (seeded) APPEND, STORE, EXPUNGE,
COPY, MOVE, FETCH, SEARCH, STATUS, SELECT, IDLE and NOOP; every response is checked against the
session's model of its mailbox (built only from untagged responses) and against what all sessions have
seen together (see imap_model.py). Some sessions use CONDSTORE or QRESYNC; the run is made once as
IMAP4rev1 clients and once after ENABLE IMAP4rev2. On the SQLite store in scripts/test's second stage.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest

from elektromail import ServerThread
from elektromail.imap.engine import responses
from tests.integration.imap_async import AsyncImap, Response, Token
from tests.integration.imap_model import Command, View, World, parse_set

SESSIONS = 12
RUN_SECONDS = 3.0
COMMAND_TIMEOUT = 20.0
MAILBOXES = ("INBOX", "Shared", "Team/Projects")
KEYWORDS = ("$Label1", "$Label2", "$Forwarded", "Work", "Todo", "~later", "$MDNSent", "Invoice")
SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")
MODES = ("plain", "condstore", "qresync")
SEED = 9051


def sequence_text(numbers: list[int]) -> str:
    return responses.sequence_text(sorted(set(numbers))).decode("ascii")


class Session:
    """One client with its own random choices and its model of what it has selected."""

    def __init__(self, index: int, port: int, world: World, rev2: bool) -> None:
        self.who = f"s{index}"
        self.port = port
        self.world = world
        self.rev2 = rev2
        self.mode = MODES[index % len(MODES)]
        self.rng = random.Random(SEED * 100 + index)
        self.view = View(self.who, world, rev2, qresync=self.mode == "qresync")
        self.imap: AsyncImap | None = None
        self.appended = 0
        # What a QRESYNC session remembers of each mailbox it left: UIDVALIDITY, HIGHESTMODSEQ, UIDs.
        self.remembered: dict[str, tuple[int, int, list[int]]] = {}

    @property
    def condstore(self) -> bool:
        return self.mode != "plain"

    # ------------------------------------------------------------------ talking

    async def command(
        self, text: str, literal: bytes = b"", during_continuation: Callable[[], Awaitable[None]] | None = None
    ) -> Response:
        assert self.imap is not None
        words = text.split(" ")
        uid = words[0] == "UID"
        name = words[1] if uid else words[0]
        tag = self.imap.next_tag()
        command = Command(name.upper(), self.world.tick(), uid)
        self.view.fetched = []
        self.view.copy_uid = []
        self.view.searched = None
        await self.imap.send(f"{tag} {text}".encode() + literal + b"\r\n")
        async with asyncio.timeout(COMMAND_TIMEOUT):
            while True:
                response = await self.imap.read()
                self.world.tick()
                if response.kind == "continuation":
                    if during_continuation is None:
                        raise AssertionError(f"{self.who}: unexpected continuation for {text}")
                    await during_continuation()
                    continue
                if response.kind == "untagged":
                    if response.status == "BYE" and command.name != "LOGOUT":
                        raise AssertionError(f"{self.who}: BYE during {text}: {response.raw!r}")
                    self.view.apply(response, command)
                    continue
                if response.tag == tag:
                    break
        self.world.commands += 1
        if response.status != "OK":
            self.world.problem(self.who, f"{text[:80]} answered {response.raw[:200]!r}")
        return response

    # ------------------------------------------------------------------ the session

    async def run(self, deadline: float) -> None:
        self.imap = await AsyncImap.connect(self.port)
        try:
            greeting = await self.imap.read()
            assert greeting.status == "OK", greeting
            await self.command("LOGIN user pass")
            enable = ["IMAP4rev2"] if self.rev2 else []
            enable += {"plain": [], "condstore": ["CONDSTORE"], "qresync": ["QRESYNC"]}[self.mode]
            if enable:
                await self.command("ENABLE " + " ".join(enable))
            await self.select(self.rng.choice(MAILBOXES))
            loop = asyncio.get_running_loop()
            actions = self.actions()
            weights = [weight for weight, _ in actions]
            while loop.time() < deadline:
                action = self.rng.choices(actions, weights)[0][1]
                await action()
                await self.learn_new_uids()
            await self.command("LOGOUT")
        finally:
            await self.imap.close()

    def actions(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [
            (6, self.append),
            (8, self.store),
            (2, self.expunge),
            (2, self.copy),
            (2, self.move),
            (8, self.fetch),
            (4, self.search),
            (2, self.idle),
            (3, self.noop),
            (2, self.status),
            (1, self.reselect),
        ]

    def random_range(self) -> tuple[int, int] | None:
        count = len(self.view.uids)
        if count == 0:
            return None
        low = self.rng.randint(1, count)
        return low, min(count, low + self.rng.randint(0, 4))

    def random_uids(self) -> list[int]:
        known = self.view.known
        return sorted(self.rng.sample(known, min(len(known), self.rng.randint(1, 4)))) if known else []

    def random_flags(self) -> list[str]:
        pool = list(SYSTEM_FLAGS) + list(KEYWORDS)
        return self.rng.sample(pool, self.rng.randint(1, 3))

    def fetch_items(self) -> str:
        return "UID FLAGS MODSEQ" if self.condstore else "UID FLAGS"

    # ------------------------------------------------------------------ actions

    async def select(self, mailbox: str) -> None:
        view = self.view
        if view.mailbox is not None and self.mode == "qresync":
            self.remembered[view.mailbox] = (view.uid_validity, view.highest_modseq, view.known)
        remembered = self.remembered.get(mailbox) if self.mode == "qresync" else None
        parameter = ""
        if remembered is not None and remembered[2]:
            validity, modseq, known = remembered
            parameter = f" (QRESYNC ({validity} {modseq} {sequence_text(known)}))"
        elif self.condstore and self.rng.random() < 0.5:
            parameter = " (CONDSTORE)"
        read_only = self.rng.random() < 0.1
        view.reset(mailbox, read_only)
        response = await self.command(f'{"EXAMINE" if read_only else "SELECT"} "{mailbox}"{parameter}')
        if response.status != "OK":
            return
        select_highest = view.highest_modseq
        if view.uids:
            await self.fetch_and_check(f"FETCH 1:* ({self.fetch_items()})", 1, len(view.uids))
        if remembered is not None and remembered[2] and remembered[0] == view.uid_validity:
            self.check_resynchronisation(remembered[1], remembered[2], select_highest)

    def check_resynchronisation(self, modseq: int, known: list[int], select_highest: int) -> None:
        """RFC 7162 3.2.5: every known UID gone since is in VANISHED (EARLIER), and every known message
        changed since ``modseq`` (and not again after SELECT) came with SELECT as a FETCH."""
        view = self.view
        present = set(view.known)
        missing = set(known) - present - view.gone - view.vanished_earlier
        if missing:
            view.problem(f"QRESYNC: known UIDs {sorted(missing)} are gone without VANISHED (EARLIER)")
        if view.vanished_earlier & present:
            view.problem(f"QRESYNC: VANISHED (EARLIER) named present UIDs {sorted(view.vanished_earlier & present)}")
        if view.vanished_earlier - set(known):
            view.problem(f"QRESYNC: VANISHED (EARLIER) named unknown UIDs {sorted(view.vanished_earlier - set(known))}")
        for uid in set(known) & present:
            now = view.modseq.get(uid, 0)
            if modseq < now <= select_highest and uid not in view.fetched_during_select:
                view.problem(f"QRESYNC: UID {uid} changed at MODSEQ {now} > {modseq} but SELECT did not send it")

    async def learn_new_uids(self) -> None:
        """Sequence numbers announced by EXISTS get their UIDs at once (placeholders stay few)."""
        unknown = [seq for seq, uid in enumerate(self.view.uids, 1) if uid is None]
        if unknown:
            await self.command(f"FETCH {unknown[0]}:{unknown[-1]} ({self.fetch_items()})")

    async def append(self) -> None:
        self.appended += 1
        mailbox = self.rng.choice(MAILBOXES)
        subject = f"Subject: {self.who}-{self.appended}"
        message = f"{subject}\r\nFrom: {self.who}@example.com\r\n\r\nbody {self.appended}\r\n".encode()
        flags = self.random_flags() if self.rng.random() < 0.6 else []
        flag_text = f"({' '.join(flags)}) " if flags else ""
        response = await self.command(f'APPEND "{mailbox}" {flag_text}{{{len(message)}+}}\r\n', message)
        if response.status == "OK" and response.code and str(response.code[0]) == "APPENDUID":
            self.world.new_uid(self.who, mailbox, int(str(response.code[2])), subject.encode())
        elif response.status == "OK":
            self.world.problem(self.who, f"APPEND without APPENDUID: {response.raw!r}")

    async def store(self) -> None:
        if self.view.read_only:
            return
        mode = self.rng.choice(("+FLAGS", "-FLAGS", "FLAGS", "+FLAGS"))
        silent = ".SILENT" if self.rng.random() < 0.3 else ""
        modifier = ""
        if self.condstore and self.rng.random() < 0.3:
            modifier = f"(UNCHANGEDSINCE {max(1, self.view.highest_modseq + self.rng.randint(-3, 3))}) "
        flags = " ".join(self.random_flags())
        if self.rng.random() < 0.5:
            uids = self.random_uids()
            if uids:
                await self.command(f"UID STORE {sequence_text(uids)} {modifier}{mode}{silent} ({flags})")
            return
        chosen = self.random_range()
        if chosen is not None:
            await self.command(f"STORE {chosen[0]}:{chosen[1]} {modifier}{mode}{silent} ({flags})")

    async def expunge(self) -> None:
        if self.view.read_only:
            return
        if self.rng.random() < 0.5:
            await self.command("EXPUNGE")
            return
        uids = self.random_uids()
        if uids:
            await self.command(f"UID EXPUNGE {sequence_text(uids)}")

    def _target(self) -> str:
        return self.rng.choice([mailbox for mailbox in MAILBOXES if mailbox != self.view.mailbox])

    def _new_copies(self, code: list[Token], target: str) -> None:
        source_mailbox = self.view.mailbox
        assert source_mailbox is not None
        sources, copies = parse_set(str(code[2])), parse_set(str(code[3]))
        if len(sources) != len(copies):
            self.world.problem(self.who, f"COPYUID pairs {len(sources)} sources with {len(copies)} copies")
        for source, copy in zip(sources, copies, strict=False):
            self.world.new_uid(self.who, target, copy, self.world.subjects.get((source_mailbox, source)))

    async def copy(self) -> None:
        target = self._target()
        if self.rng.random() < 0.5:
            uids = self.random_uids()
            if not uids:
                return
            response = await self.command(f'UID COPY {sequence_text(uids)} "{target}"')
        else:
            chosen = self.random_range()
            if chosen is None:
                return
            response = await self.command(f'COPY {chosen[0]}:{chosen[1]} "{target}"')
        if response.code and str(response.code[0]) == "COPYUID":
            self._new_copies(response.code, target)

    async def move(self) -> None:
        if self.view.read_only:
            return
        target = self._target()
        uids = self.random_uids()
        if not uids:
            return
        await self.command(f'UID MOVE {sequence_text(uids)} "{target}"')
        if self.view.copy_uid:
            self._new_copies(self.view.copy_uid, target)
            still = set(parse_set(str(self.view.copy_uid[2]))) & set(self.view.known)
            if still:
                self.view.problem(f"MOVE completed but UIDs {sorted(still)} were not expunged from the view")

    async def fetch(self) -> None:
        items = self.fetch_items()
        if self.rng.random() < 0.5:
            items += " BODY.PEEK[HEADER.FIELDS (SUBJECT)]"
        if self.rng.random() < 0.4:
            uids = self.random_uids()
            if not uids:
                return
            await self.command(f"UID FETCH {sequence_text(uids)} ({items})")
            answered = {uid for _, uid in self.view.fetched}
            missing = set(uids) & set(self.view.known) - answered
            if missing:
                self.view.problem(f"UID FETCH left out UIDs {sorted(missing)} of the view")
            return
        chosen = self.random_range()
        if chosen is not None:
            await self.fetch_and_check(f"FETCH {chosen[0]}:{chosen[1]} ({items})", *chosen)

    async def fetch_and_check(self, command: str, low: int, high: int) -> None:
        """A FETCH by sequence numbers answers for each of them, with a UID that fits the view (no EXPUNGE
        can come during FETCH, so the numbers sent are the numbers answered)."""
        await self.command(command)
        missing = set(range(low, high + 1)) - {seq for seq, uid in self.view.fetched if uid is not None}
        if missing:
            self.view.problem(f"{command} left out {sorted(missing)}")

    async def search(self) -> None:
        view = self.view
        kind = self.rng.randrange(4)
        if kind == 0:
            await self.command("SEARCH ALL")
            found = view.searched or []
            if found != list(range(1, len(view.searched_in) + 1)):
                view.problem(f"SEARCH ALL found {found}, the view had {len(view.searched_in)} messages")
        elif kind == 1:
            await self.command("UID SEARCH ALL")
            found = view.searched or []
            known = {uid for uid in view.searched_in if uid is not None}
            if len(found) != len(view.searched_in) or not known <= set(found):
                view.problem(f"UID SEARCH ALL found {found}, the view had {view.searched_in}")
        elif kind == 2:
            await self.command(f"SEARCH KEYWORD {self.rng.choice(KEYWORDS)}")
        else:
            await self.command("UID SEARCH UNSEEN NOT DELETED")

    async def idle(self) -> None:
        async def wait_then_done() -> None:
            await asyncio.sleep(self.rng.uniform(0.005, 0.05))
            assert self.imap is not None
            await self.imap.send(b"DONE\r\n")

        await self.command("IDLE", during_continuation=wait_then_done)

    async def noop(self) -> None:
        await self.command(self.rng.choice(("NOOP", "CHECK")))

    async def status(self) -> None:
        mailbox = self._target()
        items = "MESSAGES UIDNEXT HIGHESTMODSEQ" if self.condstore else "MESSAGES UIDNEXT"
        await self.command(f'STATUS "{mailbox}" ({items})')  # checked as it arrives (View.apply)

    async def reselect(self) -> None:
        await self.select(self.rng.choice(MAILBOXES))


@pytest.mark.slow
@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
async def test_concurrent_sessions_see_a_consistent_mailbox(server: ServerThread, rev2: bool) -> None:
    world = World()
    setup = Session(99, server.imap_port, world, rev2)
    setup.imap = await AsyncImap.connect(server.imap_port)
    await setup.imap.read()
    await setup.command("LOGIN user pass")
    for mailbox in MAILBOXES[1:]:
        await setup.command(f'CREATE "{mailbox}"')
    await setup.command("LOGOUT")
    await setup.imap.close()

    sessions = [Session(index, server.imap_port, world, rev2) for index in range(SESSIONS)]
    deadline = asyncio.get_running_loop().time() + RUN_SECONDS
    await asyncio.gather(*(session.run(deadline) for session in sessions))

    print(f"\n{'rev2' if rev2 else 'rev1'}: {world.commands} commands by {SESSIONS} sessions in {RUN_SECONDS} s")
    assert world.problems == [], "\n".join(world.problems[:30])
    assert world.commands >= SESSIONS * 5  # every session logged in, selected, acted and logged out
