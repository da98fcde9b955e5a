"""The server's event bus: every change published once, numbered, kept briefly for replay, and handed to
each subscriber's bounded queue.

Publishing never waits: a subscriber whose queue is full is cut off (its stream ends) rather than slowing
whoever published. It can come back with the id of the last event it saw and get what it missed from the
replay ring, or a ``resync`` event when that is gone. Event ids carry a token of the process, so an id
from an earlier run is recognised as unknown instead of being mistaken for a recent one.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import AsyncIterator

import msgspec

from elektromail.events.types import ALWAYS_DELIVERED, RESYNC, EventData, EventFilter

DEFAULT_REPLAY = 4096  # events kept for clients that reconnect with Last-Event-ID
DEFAULT_QUEUE = 1024  # events a subscriber may have pending before it is cut off

_encode = msgspec.json.Encoder().encode


class Event:
    """One published change, with its SSE frame encoded once for every subscriber."""

    __slots__ = ("number", "id", "type", "user", "mailbox", "data", "frame")

    def __init__(self, number: int, event_id: str, kind: str, data: EventData) -> None:
        self.number = number
        self.id = event_id
        self.type = kind
        self.user = data.user.lower() if data.user is not None else None
        self.mailbox = data.mailbox
        self.data = data
        self.frame = b"id: %s\nevent: %s\ndata: %s\n\n" % (event_id.encode(), kind.encode(), _encode(data))

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.type!r})"


class Subscription:
    """One listener's queue. Iterate it (``async for``) to get events; it ends when closed or cut off."""

    __slots__ = ("_bus", "filter", "_queue", "_limit", "_wake", "closed", "cut_off")

    def __init__(self, bus: EventBus, event_filter: EventFilter, limit: int) -> None:
        self._bus = bus
        self.filter = event_filter
        self._queue: deque[Event] = deque()
        self._limit = limit
        self._wake = asyncio.Event()
        self.closed = False
        self.cut_off = False  # it fell behind: the client should reconnect with its last event id

    def offer(self, event: Event) -> None:
        if self.closed or not self.filter.matches(event):
            return
        if len(self._queue) >= self._limit:
            self.cut_off = True
            self._queue.clear()
            self.close()
            return
        self._queue.append(event)
        self._wake.set()

    def _replay(self, events: list[Event]) -> None:
        self._queue.extend(events)
        self._limit += len(events)

    def pending(self) -> int:
        return len(self._queue)

    def take(self) -> Event | None:
        """The next queued event without waiting, or None."""
        return self._queue.popleft() if self._queue else None

    async def next(self) -> Event | None:
        """The next event; None once the subscription is closed or cut off."""
        while not self._queue:
            if self.closed:
                return None
            self._wake.clear()
            await self._wake.wait()
        event = self._queue.popleft()
        if not self._queue:
            # The limit grew by what was replayed; once that is consumed, the normal bound applies again.
            self._limit = self._bus.queue_size
        return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        event = await self.next()
        if event is None:
            raise StopAsyncIteration
        return event

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._bus.unsubscribe(self)
            self._wake.set()


class EventBus:
    def __init__(self, replay: int = DEFAULT_REPLAY, queue_size: int = DEFAULT_QUEUE) -> None:
        self.token = secrets.token_hex(4)
        self.queue_size = queue_size
        self._number = 0
        self._ring: deque[Event] = deque(maxlen=replay)
        self._subscribers: set[Subscription] = set()

    @property
    def last_id(self) -> str:
        return f"{self.token}-{self._number}"

    def publish(self, kind: str, data: EventData) -> Event:
        self._number += 1
        event = Event(self._number, f"{self.token}-{self._number}", kind, data)
        self._ring.append(event)
        for subscriber in tuple(self._subscribers):
            subscriber.offer(event)
        return event

    def subscribe(self, event_filter: EventFilter, last_event_id: str | None = None) -> Subscription:
        """A new subscription to events from now on; with ``last_event_id``, first every kept event after
        that one, or a ``resync`` event when they are not all kept any more (or the id is unknown)."""
        subscription = Subscription(self, event_filter, self.queue_size)
        if last_event_id is not None:
            missed = self._missed_since(last_event_id)
            if missed is None:
                resync = Event(self._number, self.last_id, RESYNC, EventData())
                subscription._replay([resync])
            else:
                subscription._replay([event for event in missed if event_filter.matches(event)])
        self._subscribers.add(subscription)
        return subscription

    def _missed_since(self, last_event_id: str) -> list[Event] | None:
        token, _, number_text = last_event_id.strip().partition("-")
        if token != self.token or not number_text.isdigit():
            return None
        number = int(number_text)
        if number > self._number:
            return None
        if number == self._number:
            return []
        oldest = self._ring[0].number if self._ring else self._number + 1
        if number + 1 < oldest:
            return None  # some events in between have left the ring
        return [event for event in self._ring if event.number > number]

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (the server is stopping)."""
        for subscriber in tuple(self._subscribers):
            subscriber.close()


__all__ = ["ALWAYS_DELIVERED", "Event", "EventBus", "Subscription"]
