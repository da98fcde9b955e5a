"""How long an IMAP client may stay silent before its next command (RFC 9051 5.4's autologout timer).

A timeout context around every read would create and cancel a timer per command, a measurable part of a
small command's cost. Instead the session notes when it starts and stops waiting, and one timer per
session checks that note when it fires, arming itself again for the earliest moment the wait could end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class CommandWaitLimit:
    """Calls ``expire`` once a wait between :meth:`start` and :meth:`stop` has lasted ``seconds``."""

    __slots__ = ("_expire", "_loop", "_seconds", "_timer", "waiting_since")

    def __init__(self, seconds: float, expire: Callable[[], None]) -> None:
        self._seconds = seconds
        self._expire = expire
        self._loop = asyncio.get_running_loop()
        self.waiting_since: float | None = None
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(seconds, self._check)

    def start(self) -> None:
        self.waiting_since = self._loop.time()

    def stop(self) -> None:
        self.waiting_since = None

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        now = self._loop.time()
        since = self.waiting_since
        if since is not None and now - since >= self._seconds:
            self._timer = None
            self._expire()
            return
        # Not waiting (a command is running) or not for long enough: the soonest a wait can run out.
        self._timer = self._loop.call_at((now if since is None else since) + self._seconds, self._check)
