"""The server's event bus: every change published once, numbered, kept briefly for replay, and handed to
each subscriber's bounded queue.

Publishing never waits: a subscriber whose queue is full is cut off (its stream ends) rather than slowing
whoever published. Publishing queues an event for each subscriber at once, but waking the subscribers
(each then writes what it has to its client) is spaced out under a flood of events: a wake follows the
previous one after at least a fraction of a millisecond per subscriber, so that the server's fan-out work
per second stays bounded whatever the number of streams, and a stream carries several events per write.
An event after a quiet moment wakes every subscriber at once. It can come back with the id of the last event it saw and get what it missed from the
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
# The least time between two wakes of the subscribers, per subscriber: 1,000 streams are woken at most
# about three times a second under a flood, one stream up to 3,000 times. A subscriber whose queue is half
# full is woken at once, so spacing never cuts one off.
WAKE_SPACING = 0.0003

_encode = msgspec.json.Encoder().encode


class Event:
    """One published change. Its SSE frame is encoded once, for every subscriber, when the first one
    writes it: most events (every delivery, every session) are published with nobody listening."""

    __slots__ = ("number", "id", "type", "user", "mailbox", "data", "_frame")

    def __init__(self, number: int, event_id: str, kind: str, data: EventData) -> None:
        self.number = number
        self.id = event_id
        self.type = kind
        self.user = data.user.lower() if data.user is not None else None
        self.mailbox = data.mailbox
        self.data = data
        self._frame: bytes | None = None

    @property
    def frame(self) -> bytes:
        frame = self._frame
        if frame is None:
            frame = self._frame = b"id: %s\nevent: %s\ndata: %s\n\n" % (
                self.id.encode(),
                self.type.encode(),
                _encode(self.data),
            )
        return frame

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
        """Queue ``event`` if it is wanted; the bus wakes the subscriber later (see :class:`EventBus`)."""
        if self.closed or not self.filter.matches(event):
            return
        queue = self._queue
        if len(queue) >= self._limit:
            self.cut_off = True
            queue.clear()
            self.close()
            return
        queue.append(event)
        if len(queue) * 2 >= self._limit:
            self._wake.set()

    def _replay(self, events: list[Event]) -> None:
        self._queue.extend(events)
        self._limit += len(events)
        if events:
            self._wake.set()  # what was missed goes out at once

    def wake_if_pending(self) -> None:
        if self._queue:
            self._wake.set()

    def pending(self) -> int:
        return len(self._queue)

    def take(self) -> Event | None:
        """The next queued event without waiting, or None."""
        return self._queue.popleft() if self._queue else None

    async def frames(self, timeout: float) -> bytes | None:
        """The frames of every event queued by the time the bus wakes this subscription, as one piece;
        ``b""`` when ``timeout`` seconds pass first with nothing queued; None once it is closed."""
        wake = self._wake
        if not wake.is_set() and not self.closed:
            timer = asyncio.get_running_loop().call_later(timeout, wake.set)  # a timer, not a task per wait
            try:
                await wake.wait()
            finally:
                timer.cancel()
        wake.clear()
        queue = self._queue
        if not queue:
            return None if self.closed else b""
        frames = b"".join([event.frame for event in queue])
        queue.clear()
        self._limit = self._bus.queue_size  # the limit grew by what was replayed: that is consumed now
        return frames

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
        self._last_wake = float("-inf")
        self._wake_timer: asyncio.TimerHandle | None = None

    @property
    def last_id(self) -> str:
        return f"{self.token}-{self._number}"

    def publish(self, kind: str, data: EventData) -> Event:
        self._number += 1
        event = Event(self._number, f"{self.token}-{self._number}", kind, data)
        self._ring.append(event)
        if self._subscribers:
            for subscriber in tuple(self._subscribers):  # a copy: offering may cut one off
                subscriber.offer(event)
            self._schedule_wake()
        return event

    def _schedule_wake(self) -> None:
        if self._wake_timer is not None:
            return  # a wake is due: this event goes with it
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # published outside the loop (a test, a tool): nobody waits in a loop
            self._wake_subscribers()
            return
        due = self._last_wake + WAKE_SPACING * len(self._subscribers)
        if loop.time() >= due:
            self._wake_subscribers()
        else:
            self._wake_timer = loop.call_at(due, self._wake_subscribers)

    def _wake_subscribers(self) -> None:
        self._wake_timer = None
        try:
            self._last_wake = asyncio.get_running_loop().time()
        except RuntimeError:
            pass
        for subscriber in self._subscribers:
            subscriber.wake_if_pending()

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
        if self._wake_timer is not None:
            self._wake_timer.cancel()
            self._wake_timer = None
        for subscriber in tuple(self._subscribers):
            subscriber.close()


__all__ = ["ALWAYS_DELIVERED", "Event", "EventBus", "Subscription"]
