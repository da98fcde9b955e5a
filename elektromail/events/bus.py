"""The server's event bus: every change published once, numbered, kept briefly for replay, and read by
each subscriber into its bounded queue.

Publishing never waits and does no work per subscriber: it appends the event to the replay ring. The
subscribers are then woken, and each takes from the ring what its filter wants; subscribers with the same
filter looking from the same event share one pass over the ring and one encoding of the frames, so a
thousand streams on ``/events`` cost one filtering, not a thousand. Under a flood of events the wakes are
spaced out (a millisecond per subscriber apart), so that the fan-out work per
second stays bounded whatever the number of streams and each stream carries many events per write; an
event after a quiet moment wakes every subscriber at once, and an event no subscriber's filter wants
wakes none. A subscriber may give a writer that takes its frames during the wake itself (an event
stream writing to its connection), saving a task step per subscriber.

How many events may wait for a wake depends on who listens. A subscriber that reads through its queue
(an iterator, or a stream that cannot write at once) must be woken before its queue could overflow:
while one is subscribed, half a queue's worth of unread events wakes everyone. When every subscriber
has a writer, what is written is taken at once and nobody's queue fills, so only the replay ring bounds
the wait: half the ring wakes everyone, and a flood costs each stream a write per 2,048 events instead of
one per 512. A writer stream that cannot take its frames at a wake (its connection's buffer is full) is
held to its queue's bound like any reader: more than a queue's worth not taken, and it is cut off.

A subscriber whose queue overflows is cut off (its stream ends) rather than slowing whoever published.
It can come back with the id of the last event it saw and get what it missed from the replay ring, or a
``resync`` event when that is gone. Event ids carry a token of the process, so an id from an earlier run
is recognised as unknown instead of being mistaken for a recent one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import AsyncIterator, Callable
from itertools import islice

import msgspec

from elektromail.events.types import ALWAYS_DELIVERED, RESYNC, EventData, EventFilter

DEFAULT_REPLAY = 4096  # events kept for clients that reconnect with Last-Event-ID
DEFAULT_QUEUE = 1024  # events a subscriber may have pending before it is cut off
# The least time between two wakes of the subscribers, per subscriber. Waking a stream costs a write
# system call of everything it was due (10–30 µs here, mostly the kernel's), so under a flood the fan-out
# takes a bounded share of the server's time whatever the number of streams: 1,000 streams are woken
# once a second, one stream up to a thousand times. Once half the ring (or, while a subscriber reads
# through its queue, half a queue's worth) has been published since the last wake, the subscribers are
# woken at once, so spacing never cuts one off nor lets the ring pass what one has not read.
WAKE_SPACING = 0.001

_encode = msgspec.json.Encoder().encode


class Event(msgspec.Struct, gc=False):
    """One published change. Its SSE frame is encoded once, for every subscriber, when the first one
    writes it: most events (every delivery, every session) are published with nobody listening. A Struct,
    made in C and not tracked by the cycle collector (it holds strings and its data only), since the
    replay ring keeps thousands and every session publishes two."""

    number: int
    token: str
    type: str
    user: str | None  # lower-cased, as filters compare it
    mailbox: str | None
    data: EventData
    encoded: bytes | None = None

    @property
    def id(self) -> str:
        return f"{self.token}-{self.number}"

    @property
    def frame(self) -> bytes:
        frame = self.encoded
        if frame is None:
            frame = self.encoded = b"id: %s\nevent: %s\ndata: %s\n\n" % (
                self.id.encode(),
                self.type.encode(),
                _encode(self.data),
            )
        return frame


class Subscription:
    """One listener's queue. Iterate it (``async for``) to get events; it ends when closed or cut off."""

    __slots__ = (
        "_bus",
        "filter",
        "_queue",
        "_position",
        "_limit",
        "_woken",
        "_waiter",
        "closed",
        "cut_off",
        "_writer",
    )

    def __init__(self, bus: EventBus, event_filter: EventFilter, limit: int, position: int) -> None:
        self._bus = bus
        self.filter = event_filter
        # A list, not a deque: it is mostly empty, and an empty deque already holds a block of 64 slots.
        self._queue: list[Event] = []
        self._position = position  # the number of the last published event this subscription has read
        self._limit = limit
        # Woken since the reader last looked; the future it awaits meanwhile, made only while it waits
        # (an asyncio.Event would keep a deque of waiters per subscription).
        self._woken = False
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.cut_off = False  # it fell behind: the client should reconnect with its last event id
        self._writer: Callable[[bytes], bool] | None = None

    @property
    def writer(self) -> Callable[[bytes], bool] | None:
        """Set by a reader that can take frames at once, without a task step: the bus's wake hands them
        to it. It returns False (and takes nothing) when it cannot now; the reader is then woken."""
        return self._writer

    @writer.setter
    def writer(self, writer: Callable[[bytes], bool] | None) -> None:
        if (writer is None) != (self._writer is None) and not self.closed:
            # With a writer, this subscription's queue no longer paces the bus's wakes.
            self._bus.count_queued_reader(1 if writer is None else -1)
        self._writer = writer

    def catch_up(self, upto: int | None = None) -> None:
        """Queue the events published since the last look (up to number ``upto``, by default all) that
        this subscription wants."""
        bus = self._bus
        upto = bus.number if upto is None else upto
        if self._position >= upto or self.closed:
            return
        wanted = bus.wanted(self.filter, self._position, upto)
        self._position = upto
        if wanted is None or len(self._queue) + len(wanted) > self._limit:
            self._cut_off()
            return
        self._queue.extend(wanted)

    def _cut_off(self) -> None:
        self.cut_off = True
        self._queue.clear()
        self.close()

    def _replay(self, events: list[Event]) -> None:
        self._queue.extend(events)
        self._limit += len(events)
        if events:
            self._set()  # what was missed goes out at once

    def _set(self) -> None:
        self._woken = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self, timeout: float | None = None) -> None:
        """Until woken (or closed), or ``timeout`` seconds have passed."""
        if self._woken or self.closed:
            return
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(timeout, _release, waiter) if timeout is not None else None  # not a task
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def wake(self) -> None:
        """The bus's wake: hand what it wants to its writer, or let a waiting reader go on, if something
        it wants was published. Subscriptions alike read the same span, and share one encoding of its
        frames."""
        bus = self._bus
        upto = bus.woken_upto
        position = self._position
        if self.closed or position >= upto:
            return
        span = bus._span(self.filter, position, upto)  # one look-up for what it wants and their frames
        wanted = span.events
        if wanted is None:
            self._cut_off()
        elif wanted:
            writer = self._writer
            if writer is not None and not self._queue and writer(span.joined()):
                self._position = upto  # its connection took them: it is not behind, however many they were
            elif len(self._queue) + len(wanted) > self._limit:
                self._cut_off()
            else:
                self._set()
        else:
            self._position = upto  # nothing it wants: it need not look at these again

    def pending(self) -> int:
        self.catch_up()
        return len(self._queue)

    def take(self) -> Event | None:
        """The next event without waiting, or None."""
        self.catch_up()
        return self._queue.pop(0) if self._queue else None

    async def frames(self, timeout: float) -> bytes | None:
        """The frames of every event queued by the time the bus wakes this subscription, as one piece;
        ``b""`` when ``timeout`` seconds pass first with nothing queued; None once it is closed."""
        await self._wait(timeout)
        self._woken = False
        queue = self._queue
        if not queue:
            # Up to the bus's last wake, not to its newest event: every stream woken together then reads
            # the same span, and shares its filtering and its frames.
            position, upto = self._position, self._bus.woken_upto
            self.catch_up(upto)
            if queue:  # exactly what its filter wants in that span
                queue.clear()
                self._limit = self._bus.queue_size
                return self._bus.frames(self.filter, position, upto)
        if not queue:
            return None if self.closed else b""
        frames = b"".join([event.frame for event in queue])
        queue.clear()
        self._limit = self._bus.queue_size  # the limit grew by what was replayed: that is consumed now
        return frames

    async def next(self) -> Event | None:
        """The next event; None once the subscription is closed or cut off."""
        while (event := self.take()) is None:
            if self.closed:
                return None
            self._woken = False
            await self._wait()
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
            self._set()


class _Span:
    """What one filter wants of a span of events, worked out once for every subscriber alike."""

    __slots__ = ("events", "frames")

    def __init__(self, events: tuple[Event, ...] | None) -> None:
        self.events = events  # None: some have left the ring unread
        self.frames: bytes | None = None

    def joined(self) -> bytes:
        """Their frames, joined once."""
        frames = self.frames
        if frames is None:
            frames = self.frames = b"".join([event.frame for event in self.events or ()])
        return frames


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


_SHARED_MAX = 256  # spans kept for sharing between two wakes
_FILTERS_CHECKED = 8  # distinct filters an event is checked against before it wakes the subscribers


class EventBus:
    def __init__(self, replay: int = DEFAULT_REPLAY, queue_size: int = DEFAULT_QUEUE) -> None:
        self.token = os.urandom(4).hex()  # as secrets.token_hex, without loading hashlib at start
        self.queue_size = queue_size
        self.number = 0  # the number of the newest event
        # Whether anyone has subscribed yet. Before that no client can hold an event id to resume from,
        # so there is nothing anyone could miss: publishers may skip building the frequent events.
        self.heard = False
        self._ring: deque[Event] = deque(maxlen=replay)
        self._subscribers: set[Subscription] = set()
        # The subscribers' distinct filters and how many use each: an event none of them wants wakes
        # nobody (streams for other users cost nothing per event).
        self._filters: dict[object, tuple[EventFilter, int]] = {}
        # Unread events that wake everyone at once: while any subscriber reads through its queue, half a
        # queue's worth; when all have writers, half the ring.
        self._urgent_queued = max(1, min(queue_size, replay) // 2)
        self._urgent_written = max(1, replay // 2)
        self._queued_readers = 0
        self._urgent = self._urgent_written
        self._unwoken = 0  # events published since the last wake
        self._last_wake = float("-inf")
        self._wake_timer: asyncio.TimerHandle | None = None
        self.woken_upto = 0  # the newest event when the subscribers were last woken
        # What each filter wants in a span of events, and their frames joined, for the subscribers woken
        # together: (filter, after, upto) -> _Span. Emptied at each wake.
        self._shared: dict[tuple[EventFilter, int, int], _Span] = {}

    @property
    def last_id(self) -> str:
        return f"{self.token}-{self.number}"

    def publish(self, kind: str, data: EventData) -> Event:
        self.number += 1
        user = data.user
        event = Event(self.number, self.token, kind, user.lower() if user is not None else None, data.mailbox, data)
        self._ring.append(event)
        if self._subscribers:
            self._unwoken += 1
            # Unwanted events still wake everyone once half a queue's worth is unread, so that no
            # subscriber's place falls out of the ring while it waits for something it wants.
            if self._unwoken >= self._urgent or (self._wake_timer is None and self._wanted_by_any(event)):
                self._schedule_wake()
        return event

    def _wanted_by_any(self, event: Event) -> bool:
        filters = self._filters
        if len(filters) > _FILTERS_CHECKED:
            return True  # many different filters: checking each would cost more than a wake
        return any(event_filter.matches(event) for event_filter, _ in filters.values())

    def _schedule_wake(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # published outside the loop (a test, a tool): nobody waits in a loop
            self._wake_subscribers()
            return
        due = self._last_wake + WAKE_SPACING * len(self._subscribers)
        if self._unwoken >= self._urgent or loop.time() >= due:
            self._wake_subscribers()
        elif self._wake_timer is None:
            self._wake_timer = loop.call_at(due, self._wake_subscribers)

    def _wake_subscribers(self) -> None:
        if self._wake_timer is not None:
            self._wake_timer.cancel()
            self._wake_timer = None
        self._unwoken = 0
        self.woken_upto = self.number
        self._shared.clear()
        with contextlib.suppress(RuntimeError):  # outside a loop nothing is timed
            self._last_wake = asyncio.get_running_loop().time()
        for subscriber in tuple(self._subscribers):  # a copy: catching up may cut one off
            subscriber.wake()

    def _span(self, event_filter: EventFilter, after: int, upto: int) -> _Span:
        # Subscribers alike share one filter object (``subscribe``), so the object stands for its key.
        key = (event_filter, after, upto)
        span = self._shared.get(key)
        if span is None:
            ring = self._ring
            oldest = ring[0].number if ring else self.number + 1
            if after + 1 < oldest:
                events: tuple[Event, ...] | None = None  # some have left the ring unread
            else:
                kept = islice(ring, after + 1 - oldest, upto + 1 - oldest)
                events = tuple(event for event in kept if event_filter.matches(event))
            if len(self._shared) >= _SHARED_MAX:  # readers between wakes (take, next) each ask anew
                self._shared.clear()
            span = self._shared[key] = _Span(events)
        return span

    def count_queued_reader(self, change: int) -> None:
        """A subscriber began (1) or ceased (-1) to read through its queue rather than a writer."""
        self._queued_readers += change
        self._urgent = self._urgent_queued if self._queued_readers else self._urgent_written

    def wanted(self, event_filter: EventFilter, after: int, upto: int) -> tuple[Event, ...] | None:
        """The events numbered after ``after`` up to ``upto`` that ``event_filter`` wants (None: some
        have left the ring), worked out once for every subscriber alike reading the same span."""
        return self._span(event_filter, after, upto).events

    def frames(self, event_filter: EventFilter, after: int, upto: int) -> bytes:
        """The frames of :meth:`wanted`, joined once for every subscriber alike."""
        return self._span(event_filter, after, upto).joined()

    def subscribe(self, event_filter: EventFilter, last_event_id: str | None = None) -> Subscription:
        """A new subscription to events from now on; with ``last_event_id``, first every kept event after
        that one, or a ``resync`` event when they are not all kept any more (or the id is unknown)."""
        self.heard = True
        key = event_filter.key
        # Subscribers with equal filters get the same filter object: it keys what they share at a wake.
        event_filter, count = self._filters.get(key, (event_filter, 0))
        self._filters[key] = (event_filter, count + 1)
        subscription = Subscription(self, event_filter, self.queue_size, self.number)
        if last_event_id is not None:
            missed = self._missed_since(last_event_id)
            if missed is None:
                resync = Event(self.number, self.token, RESYNC, None, None, EventData())
                subscription._replay([resync])
            else:
                subscription._replay([event for event in missed if event_filter.matches(event)])
        self._subscribers.add(subscription)
        self.count_queued_reader(1)  # no writer yet
        return subscription

    def _missed_since(self, last_event_id: str) -> list[Event] | None:
        token, _, number_text = last_event_id.strip().partition("-")
        if token != self.token or not number_text.isdigit():
            return None
        number = int(number_text)
        if number > self.number:
            return None
        if number == self.number:
            return []
        oldest = self._ring[0].number if self._ring else self.number + 1
        if number + 1 < oldest:
            return None  # some events in between have left the ring
        return [event for event in self._ring if event.number > number]

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription not in self._subscribers:
            return
        self._subscribers.discard(subscription)
        if subscription.writer is None:
            self.count_queued_reader(-1)
        key = subscription.filter.key
        event_filter, count = self._filters[key]
        if count > 1:
            self._filters[key] = (event_filter, count - 1)
        else:
            del self._filters[key]

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
