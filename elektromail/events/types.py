"""What events there are, what their data says, and how a subscriber picks the ones it wants."""

from __future__ import annotations

from typing import Annotated, Protocol

import msgspec

MESSAGE_STORED = "message.stored"
MESSAGE_FLAGS = "message.flags"
MESSAGE_EXPUNGED = "message.expunged"
MAILBOX_CREATED = "mailbox.created"
MAILBOX_DELETED = "mailbox.deleted"
MAILBOX_RENAMED = "mailbox.renamed"
USER_CREATED = "user.created"
USER_DELETED = "user.deleted"
SESSION_STARTED = "session.started"
SESSION_ENDED = "session.ended"
RULES_CHANGED = "rules.changed"
RESET = "reset"  # everything was cleared (/reset, /purge): re-read whatever is shown
RESYNC = "resync"  # this subscriber missed events it cannot be given: re-read whatever is shown

EVENT_TYPES = (
    MESSAGE_STORED,
    MESSAGE_FLAGS,
    MESSAGE_EXPUNGED,
    MAILBOX_CREATED,
    MAILBOX_DELETED,
    MAILBOX_RENAMED,
    USER_CREATED,
    USER_DELETED,
    SESSION_STARTED,
    SESSION_ENDED,
    RULES_CHANGED,
    RESET,
    RESYNC,
)
# Families a filter may name instead of single types: "message" stands for every message.* type.
_FAMILIES = {kind.partition(".")[0] for kind in EVENT_TYPES if "." in kind}
# Every subscriber gets these, whatever its user and mailbox filters say: they concern everything.
ALWAYS_DELIVERED = frozenset({RESET, RESYNC})


class EventData(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """The JSON of an event's ``data:`` line; only the fields that apply to its type are present. It holds
    only strings and numbers (no cycles), so the collector need not track the thousands kept for replay."""

    user: str | None = None
    mailbox: str | None = None
    uid: int | None = None
    message_id: Annotated[str | None, msgspec.Meta(description="the server-wide id, as in /messages/by-id")] = None
    flags: Annotated[list[str] | None, msgspec.Meta(description="message.flags: the flags now set")] = None
    old_name: Annotated[str | None, msgspec.Meta(description="mailbox.renamed: the name before")] = None
    session_id: str | None = None
    protocol: str | None = None
    client: str | None = None


class UnknownEventType(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)} or a family (message, ...)")
        self.name = name


def parse_types(text: str) -> frozenset[str]:
    """``types=`` as comma-separated event types or families; unknown names raise UnknownEventType."""
    chosen: set[str] = set()
    for name in (part.strip() for part in text.split(",")):
        if not name:
            continue
        if name in EVENT_TYPES:
            chosen.add(name)
        elif name.rstrip(".*") in _FAMILIES:
            family = name.rstrip(".*") + "."
            chosen.update(kind for kind in EVENT_TYPES if kind.startswith(family))
        else:
            raise UnknownEventType(name)
    return frozenset(chosen)


class EventFilter:
    """The events one subscriber wants: every condition given must hold. ``user`` is compared
    case-insensitively, ``mailbox`` exactly as canonical names are (the caller canonicalises)."""

    __slots__ = ("user", "mailbox", "types", "key")

    def __init__(
        self, user: str | None = None, mailbox: str | None = None, types: frozenset[str] | None = None
    ) -> None:
        self.user = user.lower() if user is not None else None
        self.mailbox = mailbox
        self.types = types
        # Equal for filters that want the same events.
        self.key: tuple[str | None, str | None, frozenset[str] | None] = (self.user, mailbox, types)

    def matches(self, event: _Filterable) -> bool:
        if self.types is not None and event.type not in self.types and event.type != RESYNC:
            return False
        if event.type in ALWAYS_DELIVERED:
            return True
        if self.user is not None and event.user != self.user:
            return False
        return self.mailbox is None or event.mailbox == self.mailbox


class _Filterable(Protocol):
    """What a filter reads of an event (see :class:`elektromail.events.bus.Event`)."""

    type: str
    user: str | None
    mailbox: str | None
