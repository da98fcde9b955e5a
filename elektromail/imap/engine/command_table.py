"""The command table: every IMAP command is registered here with its states, argument parser and handler.

A command module declares its commands with :func:`command` at import time and is listed in
:mod:`elektromail.imap.commands`; the session looks commands up by name and never needs editing when a
command is added. ``UID FETCH`` and friends are registered under their two-word names, usually together
with their sequence-number form by :func:`command_with_uid_form`.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from elektromail.imap.engine.parser import Reader

if TYPE_CHECKING:
    from elektromail.imap.engine.session import Session


class State(enum.Enum):
    """RFC 9051 3: connection states."""

    NOT_AUTHENTICATED = "not authenticated"
    AUTHENTICATED = "authenticated"
    SELECTED = "selected"
    LOGOUT = "logout"


ANY = frozenset({State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED})
NOT_AUTHENTICATED = frozenset({State.NOT_AUTHENTICATED})
AUTHENTICATED = frozenset({State.AUTHENTICATED, State.SELECTED})  # selected state includes authenticated
SELECTED = frozenset({State.SELECTED})


class Ok:
    """A tagged OK with a response code and/or text other than the default ``<NAME> completed``."""

    __slots__ = ("code", "text")

    def __init__(self, text: str | None = None, code: str | None = None) -> None:
        self.text = text
        self.code = code


# Returned by a handler that wrote its own tagged reply and must act after it (STARTTLS).
ALREADY_REPLIED = Ok("already replied")


class CommandFailed(Exception):
    """End the command with a tagged ``NO`` (or ``BAD``) and an optional response code."""

    def __init__(self, text: str, code: str | None = None, status: str = "NO") -> None:
        super().__init__(text)
        self.text = text
        self.code = code
        self.status = status


def no(text: str, code: str | None = None) -> CommandFailed:
    return CommandFailed(text, code, "NO")


def bad(text: str, code: str | None = None) -> CommandFailed:
    return CommandFailed(text, code, "BAD")


A = TypeVar("A")
Handler = Callable[["Session", str, A], Awaitable[Ok | None]]
# A handler serving both forms of a command; ``by_uid`` says whether its message numbers are UIDs.
NumberingHandler = Callable[["Session", str, A, bool], Awaitable[Ok | None]]
ArgumentParser = Callable[[Reader], A]


class CommandSpec(NamedTuple, Generic[A]):
    """One command: ``parse`` reads its arguments (after ``tag SP name``), ``handler`` runs it.

    ``expunge_ok`` is False for commands during which an untagged EXPUNGE would confuse sequence numbers
    (FETCH, STORE, SEARCH and the other sequence-number forms; RFC 9051 7.5.1). ``large_literals``
    names the commands allowed to carry a message-sized literal (APPEND).
    """

    name: str
    states: frozenset[State]
    parse: ArgumentParser[A]
    handler: Handler[A]
    expunge_ok: bool
    large_literals: bool


COMMANDS: dict[str, CommandSpec[Any]] = {}

# The state-independent capabilities, in the order they are announced (AUTH= and APPENDLIMIT are added by
# the session from the configuration). Listed here rather than gathered from the command modules so
# that the greeting needs none of them: they load with a connection's first command. Each module still
# claims what it implements with :func:`capability`, which refuses a name missing here.
CAPABILITIES = (
    *("LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "CONDSTORE", "QRESYNC"),
    *("UIDPLUS", "MULTIAPPEND", "BINARY", "PREVIEW", "MOVE", "UTF8=ACCEPT", "SPECIAL-USE", "LIST-EXTENDED"),
    *("LIST-STATUS", "CHILDREN", "STATUS=SIZE", "QUOTA", "QUOTA=RES-STORAGE", "ESEARCH", "SEARCHRES"),
    *("SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"),
)
# What the loaded command modules claim; once all are loaded, every announced name.
CLAIMED: set[str] = set()


def capability(*names: str) -> None:
    """Claim a capability a command module implements (e.g. ``capability("MOVE")``)."""
    for name in names:
        if name not in CAPABILITIES:
            raise ValueError(f"capability {name} is implemented but not announced: add it to CAPABILITIES")
        CLAIMED.add(name)


def load_commands() -> None:
    """Register every command (the modules register themselves on import); the first command of the
    first IMAP connection calls this, so a server nobody reads over IMAP never holds them in memory."""
    import elektromail.imap.commands  # noqa: F401


def command(
    name: str,
    *,
    states: frozenset[State],
    parse: ArgumentParser[A],
    expunge_ok: bool = True,
    large_literals: bool = False,
) -> Callable[[Handler[A]], Handler[A]]:
    """Register the decorated coroutine as the handler of ``name`` (e.g. ``"UID FETCH"``)."""

    def register(handler: Handler[A]) -> Handler[A]:
        key = name.upper()
        if key in COMMANDS:
            raise RuntimeError(f"IMAP command {key} registered twice")
        COMMANDS[key] = CommandSpec(key, states, parse, handler, expunge_ok, large_literals)
        return handler

    return register


def command_with_uid_form(
    name: str, *, parse: ArgumentParser[A], expunge_ok: bool
) -> Callable[[NumberingHandler[A]], NumberingHandler[A]]:
    """Register the decorated coroutine as the handler of both ``name`` and ``UID name`` (RFC 9051 6.4.9),
    in the selected state and with the same arguments; it is called with ``by_uid`` telling them apart."""

    def register(handler: NumberingHandler[A]) -> NumberingHandler[A]:
        async def by_sequence_number(session: Session, tag: str, arguments: A) -> Ok | None:
            return await handler(session, tag, arguments, False)

        async def by_uid(session: Session, tag: str, arguments: A) -> Ok | None:
            return await handler(session, tag, arguments, True)

        command(name, states=SELECTED, parse=parse, expunge_ok=expunge_ok)(by_sequence_number)
        command("UID " + name, states=SELECTED, parse=parse, expunge_ok=expunge_ok)(by_uid)
        return handler

    return register
