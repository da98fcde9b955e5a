"""The IMAP session: connection state, the command loop, dispatch through the command table, and output.

Commands run one at a time in the order they arrive. Each command's untagged responses are collected and
written in one batch with its tagged completion; pending mailbox updates go out just before the tagged
line (RFC 9051 7.5.1) or, during IDLE, as soon as they happen.
"""

from __future__ import annotations

import logging

from elektromail import __version__
from elektromail.context import ServerContext
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import (
    ALREADY_REPLIED,
    CAPABILITIES,
    COMMANDS,
    CommandFailed,
    CommandSpec,
    State,
    load_commands,
)
from elektromail.imap.engine.connection import (
    ConnectionClosed,
    ImapConnection,
    LineTooLong,
    LiteralPolicy,
    LiteralRejected,
)
from elektromail.imap.engine.limits import (
    APPEND_TOTAL_FACTOR,
    MAX_COMMAND_WITHOUT_APPEND,
    MAX_CONSECUTIVE_BAD,
    MAX_LITERAL_BEFORE_AUTH,
    MAX_MESSAGES_PER_APPEND,
    MAX_NUMBER,
    MAX_NUMBER64,
)
from elektromail.imap.engine.parser import ATOM_CHARS, ParseError, Reader, tag_of
from elektromail.imap.engine.responses import text
from elektromail.imap.engine.selected import SelectedView
from elektromail.imap.engine.store_errors import NOT_SAVED, STORE_ERROR_CODES
from elektromail.imap.engine.wait_limit import CommandWaitLimit
from elektromail.sasl import MECHANISMS
from elektromail.store import JournalError, StoreError
from elektromail.store.model import Account

log = logging.getLogger("elektromail.imap")

# Capabilities every state announces first; the rest come from the command modules (CAPABILITIES).
BASE_CAPABILITIES = ("IMAP4rev2", "IMAP4rev1")
# RFC 7162 3.1: the session state that CONDSTORE enabling commands switch on (kept with the ENABLEd names).
CONDSTORE = "CONDSTORE"
# RFC 7162 3.2: switched on by ENABLE QRESYNC only; it implies CONDSTORE.
QRESYNC = "QRESYNC"


class Session:
    """One client's IMAP session (RFC 9051 3)."""

    def __init__(self, connection: ImapConnection, context: ServerContext) -> None:
        self.connection = connection
        self.context = context
        self.shared = context.imap  # per-server IMAP state (\Recent claims)
        self.state = State.NOT_AUTHENTICATED
        self.account: Account | None = None
        self.selected: SelectedView | None = None
        self.enabled: set[str] = set()  # upper-cased names from ENABLE (RFC 5161)
        self.idling = False
        self.out: list[bytes] = []
        self._bad_in_a_row = 0
        self._current: CommandSpec[object] | None = None

    # ------------------------------------------------------------------ modes

    @property
    def rev2(self) -> bool:
        """IMAP4rev2 behaviour once the client enabled it; RFC 3501 behaviour otherwise."""
        return "IMAP4REV2" in self.enabled

    @property
    def utf8(self) -> bool:
        """Mailbox names and quoted strings in UTF-8 (RFC 9051 5.1, RFC 6855 3)."""
        return "IMAP4REV2" in self.enabled or "UTF8=ACCEPT" in self.enabled

    @property
    def condstore(self) -> bool:
        """RFC 7162 3.1: mod-sequences in SELECT and in untagged FETCH responses about flag changes."""
        return CONDSTORE in self.enabled

    @property
    def qresync(self) -> bool:
        """RFC 7162 3.2.10: expunges are reported as VANISHED, by UID."""
        return QRESYNC in self.enabled

    @property
    def starttls_available(self) -> bool:
        """RFC 9051 6.2.1: offered before TLS is in place, never inside it."""
        config = self.context.config
        return self.context.tls is not None and not config.tls_disabled and not self.connection.tls_active

    def require_account(self) -> Account:
        if self.account is None:
            raise CommandFailed("not authenticated", status="BAD")
        return self.account

    def require_selected(self) -> SelectedView:
        if self.selected is None:
            raise CommandFailed("no mailbox selected", status="BAD")
        return self.selected

    def capabilities(self) -> list[str]:
        names = list(BASE_CAPABILITIES)
        if self.state is State.NOT_AUTHENTICATED:
            if self.starttls_available:
                names.append("STARTTLS")
            names.extend(f"AUTH={mechanism}" for mechanism in MECHANISMS)
        names.extend(CAPABILITIES)
        names.append(f"APPENDLIMIT={self.context.config.max_message_size}")
        return names

    def capability_code(self) -> str:
        return codes.CAPABILITY + " " + " ".join(self.capabilities())

    # ------------------------------------------------------------------ output

    def untagged(self, line: bytes) -> None:
        """Queue ``* line`` for the end of the command (line without CRLF)."""
        self.out.append(b"* " + line + b"\r\n")

    def untagged_ok(self, text_: str, code: str | None = None) -> None:
        self.untagged(b"OK " + (b"[" + code.encode("utf-8") + b"] " if code else b"") + text(text_))

    def raw(self, data: bytes) -> None:
        """Queue already-encoded response bytes (for responses with literals)."""
        self.out.append(data)

    def flush(self) -> None:
        if self.out:
            out, self.out = self.out, []
            self.connection.write(out)

    async def continuation(self, prompt: bytes = b"") -> bytes:
        """Send ``+ prompt`` and read the client's one-line answer (AUTHENTICATE, IDLE)."""
        self.raw(b"+ " + prompt + b"\r\n")
        self.flush()
        return await self.connection.read_line()

    def tagged(self, tag: str, status: str, message: str, code: str | None = None) -> None:
        coded = b"[" + code.encode("utf-8") + b"] " if code else b""
        self.out.append(tag.encode("ascii") + b" " + status.encode("ascii") + b" " + coded + text(message) + b"\r\n")

    # ------------------------------------------------------------------ selected mailbox

    def select(self, view: SelectedView) -> None:
        self.deselect()
        self.selected = view
        self.state = State.SELECTED

    def deselect(self) -> None:
        if self.selected is not None:
            self.selected.close()
            self.selected = None
        if self.state is State.SELECTED:
            self.state = State.AUTHENTICATED

    def view_changed(self) -> None:
        """A store event reached the selected view: during IDLE the client hears of it at once."""
        if self.idling:
            self.deliver_updates(expunge_ok=True)
            self.flush()

    def deliver_updates(self, expunge_ok: bool) -> None:
        view = self.selected
        if view is None or not view.has_pending:
            return
        if view.removed:
            # The mailbox was deleted (or reset) under us: like Dovecot, end the session.
            self.deselect()
            self.untagged(b"BYE selected mailbox was deleted")
            self.state = State.LOGOUT
            return
        view.take_updates(self.out, expunge_ok, rev1=not self.rev2, condstore=self.condstore, qresync=self.qresync)

    # ------------------------------------------------------------------ the command loop

    async def run(self) -> None:
        connection = self.connection
        self.untagged_ok("elektromail IMAP4rev2 server ready", self.capability_code())
        self.flush()
        wait_limit = CommandWaitLimit(self.context.config.imap_idle_timeout, connection.expire_wait)
        try:
            while self.state is not State.LOGOUT and not connection.is_closed:
                wait_limit.start()
                try:
                    raw = await connection.read_command(self._literal_policy)
                except TimeoutError:
                    self.untagged(b"BYE autologout: idle for too long")
                    break
                except LineTooLong as too_long:
                    if self.state is State.NOT_AUTHENTICATED:
                        # Like Dovecot: before login an overlong line ends the session.
                        self.untagged(b"BYE line too long")
                        break
                    # Like Dovecot: answered at once, the rest of the line is skipped, the session goes on.
                    self._reply(too_long.tag, "BAD", "line too long", None)
                    self._count_bad()
                except LiteralRejected as rejected:
                    self._reply(rejected.tag, rejected.status, rejected.text, rejected.code)
                    if rejected.status == "BAD":
                        self._count_bad()
                else:
                    wait_limit.stop()
                    await self.execute(raw)
                self.flush()
                if self._bad_in_a_row >= MAX_CONSECUTIVE_BAD:
                    self.untagged(b"BYE too many invalid commands")
                    break
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("IMAP session with %s failed", connection.peer)
            self.out.clear()
            self.untagged(b"BYE internal server error")
        finally:
            wait_limit.cancel()
            self.deselect()
            self.flush()
            connection.close()

    def _reply(self, tag: str | None, status: str, message: str, code: str | None) -> None:
        """A reply to a command that could not be read whole: tagged when its tag is known."""
        if tag is None:
            self.untagged(status.encode("ascii") + b" " + text(message))
        else:
            self.tagged(tag, status, message, code)

    def _literal_policy(self, first_line: bytes) -> LiteralPolicy:
        # RFC 9051 9 literal sizes are number64; RFC 3501 9 ones are 32-bit numbers.
        size_syntax = MAX_NUMBER64 if self.rev2 else MAX_NUMBER
        if self.state is State.NOT_AUTHENTICATED:
            return LiteralPolicy(MAX_LITERAL_BEFORE_AUTH, MAX_LITERAL_BEFORE_AUTH * 2, max_size_syntax=size_syntax)
        spec = COMMANDS.get(_command_name(first_line))
        if spec is not None and spec.large_literals:
            limit = self.context.config.max_message_size
            total = APPEND_TOTAL_FACTOR * limit + MAX_COMMAND_WITHOUT_APPEND
            return LiteralPolicy(limit, total, MAX_MESSAGES_PER_APPEND, size_syntax)
        return LiteralPolicy(MAX_COMMAND_WITHOUT_APPEND, MAX_COMMAND_WITHOUT_APPEND, max_size_syntax=size_syntax)

    def _count_bad(self) -> None:
        self._bad_in_a_row += 1

    async def execute(self, raw: bytes) -> None:
        reader = Reader(raw, utf8=self.utf8)
        tag = tag_of(raw)
        if tag is None:
            self.untagged(b"BAD missing or invalid tag")
            self._count_bad()
            return
        reader.pos = len(tag)
        try:
            reader.sp()
            name = reader.keyword()
            if name == "UID":
                reader.sp()
                name = "UID " + reader.keyword()
        except ParseError:
            self.tagged(tag, "BAD", "missing or invalid command name")
            self._count_bad()
            return
        if not COMMANDS:
            load_commands()
        spec = COMMANDS.get(name)
        if spec is None:
            self.tagged(tag, "BAD", f"unknown command {name}")
            self._count_bad()
            return
        if self.state not in spec.states:
            self.tagged(tag, "BAD", f"{name} is not valid in the {self.state.value} state")
            self._count_bad()
            return
        try:
            arguments = spec.parse(reader)
        except ParseError as error:
            self.tagged(tag, "BAD", f"{name}: {error.reason}")
            self._count_bad()
            return
        self._bad_in_a_row = 0
        status, message, code = "OK", f"{name} completed", None
        try:
            result = await spec.handler(self, tag, arguments)
        except CommandFailed as failure:
            status, message, code = failure.status, failure.text, failure.code
        except ParseError as error:
            status, message = "BAD", f"{name}: {error.reason}"
        except StoreError as error:
            status, message, code = "NO", str(error), STORE_ERROR_CODES[error.code]
        except JournalError as error:
            log.error("IMAP %s from %s not done: %s", name, self.connection.peer, error)
            status, message, code = "NO", NOT_SAVED, codes.SERVERBUG
        except LineTooLong:
            status, message = "BAD", f"{name}: line too long"  # a continuation line (IDLE, AUTHENTICATE)
        except ConnectionClosed:
            raise
        except Exception:
            log.exception("IMAP %s failed for %s", name, self.connection.peer)
            status, message, code = "NO", f"{name} failed", codes.SERVERBUG
        else:
            if result is ALREADY_REPLIED:
                return
            if result is not None:
                message = result.text or message
                code = result.code
        if self.state is not State.LOGOUT:
            self.deliver_updates(spec.expunge_ok)
        if status == "BAD":
            self._count_bad()
        self.tagged(tag, status, message, code)


def _command_name(line: bytes) -> str:
    """The command name of a raw line (``UID FETCH`` for UID commands), for the literal policy."""
    words = line.split(b" ", 3)
    if len(words) < 2:
        return ""
    name = words[1].upper()
    if name == b"UID" and len(words) > 2:
        name = b"UID " + words[2].upper()
    if any(byte not in ATOM_CHARS and byte != 0x20 for byte in name):
        return ""
    return name.decode("ascii")


SERVER_ID = (("name", "elektromail"), ("version", __version__))
