"""The SMTP idle timeout (RFC 5321 4.5.3.2) of every connection of one listener, kept by one loop timer.

A timer per connection costs a timer handle and a libuv timer made and torn down per session, which is
a measurable part of a short session. Every connection of a listener has the same timeout, so the
earliest check is always that of a connection already watched: one timer set for the earliest check
serves them all, and a new connection only joins the set.
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol


class Watched(Protocol):
    """A connection under the idle timeout."""

    idle_check_at: float  # when its idle time is next to be checked (loop time)

    def check_idle(self, now: float) -> float | None:
        """Its check time came: say goodbye if it idled too long. The next check time, or None: done."""


class IdleWatch:
    """The connections of one listener and the one timer that checks them when their time comes."""

    __slots__ = ("_loop", "_watched", "_timer", "_timer_at")

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watched: set[Watched] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def add(self, connection: Watched, loop: asyncio.AbstractEventLoop) -> None:
        """Watch ``connection`` from now on, its first check set already."""
        self._watched.add(connection)
        if self._timer is None or connection.idle_check_at < self._timer_at:
            self._loop = loop
            self._arm(connection.idle_check_at)

    def discard(self, connection: Watched) -> None:
        """``connection`` is gone. The timer stays: when it fires with nothing to watch it is not set again."""
        self._watched.discard(connection)

    def _arm(self, when: float) -> None:
        assert self._loop is not None
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        """Check every connection whose time came; set the timer for the earliest check to come."""
        self._timer = None
        self._timer_at = math.inf
        assert self._loop is not None
        now = self._loop.time()
        earliest = math.inf
        watched = self._watched
        for connection in tuple(watched):  # a check may end a connection, which leaves the set
            check_at = connection.idle_check_at
            if check_at <= now:
                next_check = connection.check_idle(now)
                if next_check is None:
                    watched.discard(connection)
                    continue
                connection.idle_check_at = check_at = next_check
            earliest = min(earliest, check_at)
        if watched and self._timer is None:
            self._arm(earliest)
