"""What the session asks of its connection besides writing replies: a reply produced later, or TLS.

The session never touches a socket or the event loop; when a reply needs the store, the SASL verifier or
a delay a fault rule asked for, it hands the connection a :class:`Deferred` and the connection runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final, NamedTuple

from elektromail.smtp.replies import Reply


class Deferred(NamedTuple):
    """A reply that comes later: after ``delay_ms`` (a fault rule's delay, which a stopping server cuts
    short), ``work`` produces it, or it is ``reply`` when there is no work. A None reply hangs up.

    ``work`` is a coroutine function, so that the connection can start it at once and only hand it to a
    task when it really waits (the in-memory store never does)."""

    delay_ms: int
    work: Callable[[], Coroutine[Any, Any, Reply | None]] | None
    reply: Reply | None = None


class StartTls:
    """The session accepted STARTTLS: the connection answers 220 and upgrades the transport."""

    __slots__ = ()


START_TLS: Final = StartTls()

# None: carry on with the next input.
Action = Deferred | StartTls | None
