"""The event bus without sockets: numbering, filters, replay after Last-Event-ID, resync when the replay
is gone or the id is foreign, and slow subscribers cut off without slowing the publisher."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import msgspec
import pytest

from elektromail.events import EventBus, EventData, EventFilter, Subscription
from elektromail.events.sse import KEEPALIVE, OPENING, StreamReader, last_event_id
from elektromail.events.types import MESSAGE_FLAGS, MESSAGE_STORED, RESET, RESYNC, UnknownEventType, parse_types


def stored(bus: EventBus, user: str = "alice", mailbox: str = "INBOX", uid: int = 1) -> str:
    return bus.publish(MESSAGE_STORED, EventData(user=user, mailbox=mailbox, uid=uid, message_id=f"1-{uid}")).id


def drain(subscription: Subscription) -> list[tuple[str, str]]:
    out = []
    while (event := subscription.take()) is not None:
        out.append((event.type, event.id))
    return out


async def test_frames_and_ids() -> None:
    bus = EventBus()
    subscription = bus.subscribe(EventFilter())
    first = stored(bus, uid=7)
    bus.publish(MESSAGE_FLAGS, EventData(user="alice", mailbox="INBOX", uid=7, flags=["\\Seen"]))
    event = await subscription.next()
    assert event is not None and event.id == first
    id_line, type_line, data_line, blank, end = event.frame.split(b"\n")
    assert id_line == b"id: " + first.encode() and type_line == b"event: message.stored"
    assert msgspec.json.decode(data_line.removeprefix(b"data: ")) == {
        "user": "alice",
        "mailbox": "INBOX",
        "uid": 7,
        "message_id": "1-7",
    }
    assert blank == end == b""
    second = await subscription.next()
    assert second is not None and second.type == MESSAGE_FLAGS and second.id != first
    assert b'"flags":["\\\\Seen"]' in second.frame


async def test_filters() -> None:
    bus = EventBus()
    for_alice = bus.subscribe(EventFilter(user="ALICE"))
    for_archive = bus.subscribe(EventFilter(mailbox="Archive"))
    flags_only = bus.subscribe(EventFilter(types=parse_types("message.flags")))
    stored(bus, user="alice")
    stored(bus, user="bob", mailbox="Archive")
    bus.publish(MESSAGE_FLAGS, EventData(user="bob", mailbox="INBOX", uid=1, flags=[]))
    bus.publish(RESET, EventData())
    assert [kind for kind, _ in drain(for_alice)] == [MESSAGE_STORED, RESET]
    assert [kind for kind, _ in drain(for_archive)] == [MESSAGE_STORED, RESET]
    assert [kind for kind, _ in drain(flags_only)] == [MESSAGE_FLAGS]


def test_type_names() -> None:
    assert parse_types("message") == {"message.stored", "message.flags", "message.expunged"}
    assert parse_types("session.*,reset") == {"session.started", "session.ended", "reset"}
    with pytest.raises(UnknownEventType, match=r"message\.sent"):
        parse_types("message.stored,message.sent")


async def test_resume_after_last_event_id() -> None:
    bus = EventBus(replay=10)
    ids = [stored(bus, uid=uid) for uid in range(1, 6)]
    resumed = bus.subscribe(EventFilter(), last_event_id=ids[1])
    assert [event_id for _, event_id in drain(resumed)] == ids[2:]
    newest = stored(bus, uid=6)
    assert drain(resumed) == [(MESSAGE_STORED, newest)]
    up_to_date = bus.subscribe(EventFilter(), last_event_id=newest)
    assert drain(up_to_date) == []
    filtered = bus.subscribe(EventFilter(user="bob"), last_event_id=ids[0])
    assert drain(filtered) == []


async def test_resync_when_replay_is_gone_or_id_unknown() -> None:
    bus = EventBus(replay=3)
    ids = [stored(bus, uid=uid) for uid in range(1, 8)]
    for stale in (ids[0], ids[2], "0000-1", "garbage", ids[-1].split("-")[0] + "-99"):
        subscription = bus.subscribe(EventFilter(user="nobody"), last_event_id=stale)
        assert drain(subscription) == [(RESYNC, bus.last_id)], stale
    # The oldest event the ring still holds follows ids[3]: that one resumes without loss.
    assert [event_id for _, event_id in drain(bus.subscribe(EventFilter(), last_event_id=ids[3]))] == ids[4:]


async def test_slow_subscriber_is_cut_off_and_can_resume() -> None:
    bus = EventBus(replay=100, queue_size=5)
    slow = bus.subscribe(EventFilter())
    fast = bus.subscribe(EventFilter())
    ids = []
    for uid in range(1, 9):
        ids.append(stored(bus, uid=uid))
        drain(fast)
    assert slow.cut_off and slow.closed and bus.subscribers == 1
    assert await slow.next() is None
    resumed = bus.subscribe(EventFilter(), last_event_id=ids[1])
    assert [event_id for _, event_id in drain(resumed)] == ids[2:]


async def test_waiting_subscriber_wakes_in_the_same_turn() -> None:
    bus = EventBus()
    subscription = bus.subscribe(EventFilter())
    waiter = asyncio.create_task(subscription.next())
    await asyncio.sleep(0)
    stored(bus)
    await asyncio.sleep(0)
    assert waiter.done()
    closing = asyncio.create_task(subscription.next())
    await asyncio.sleep(0)
    bus.close()
    assert await closing is None
    assert [e async for e in subscription] == []


def test_last_event_id_sources() -> None:
    assert last_event_id(None, None) is None
    assert last_event_id(" ab-3 ", "cd-4") == "ab-3"
    assert last_event_id("", "cd-4") == "cd-4"


def test_stream_reader_reads_what_the_bus_writes() -> None:
    bus = EventBus()
    frames = OPENING + KEEPALIVE
    frames += bus.publish(MESSAGE_STORED, EventData(user="alice", mailbox="INBOX", uid=3, message_id="1-3")).frame
    frames += bus.publish(RESET, EventData()).frame
    reader = StreamReader()
    events = [event for line in frames.decode().split("\n") if (event := reader.feed(line)) is not None]
    assert [(event.type, event.data.uid) for event in events] == [(MESSAGE_STORED, 3), (RESET, None)]
    assert events[1].id == bus.last_id
    multi = [reader.feed(line) for line in ("event: x", "data: {", 'data: "user": "bob"}', "")]
    assert multi[-1] is not None and multi[-1].data.user == "bob" and multi[-1].id == bus.last_id


async def test_a_writer_takes_frames_at_the_wake_and_a_refusal_wakes_the_reader() -> None:
    bus = EventBus()
    subscription = bus.subscribe(EventFilter(user="alice"))
    written: list[bytes] = []
    accepting = True

    def writer(frames: bytes) -> bool:
        if accepting:
            written.append(frames)
        return accepting

    subscription.writer = writer
    first = stored(bus, uid=1)
    stored(bus, user="bob", uid=2)  # not for this subscription: nothing written, nobody woken
    assert len(written) == 1 and written[0].startswith(b"id: " + first.encode() + b"\n")
    assert await subscription.frames(0.01) == b""  # the written event is not given again
    accepting = False
    second = stored(bus, uid=3)
    assert len(written) == 1
    frames = await subscription.frames(5)
    assert frames is not None and frames.startswith(b"id: " + second.encode() + b"\n")


async def test_wakes_wait_for_half_the_ring_unless_a_subscriber_reads_through_its_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a flood, subscribers that take their frames at once are woken when half the ring waits; while
    one reads through its queue, when half a queue's worth waits, so that the spacing of wakes never lets
    its queue overflow."""
    # Spacing far longer than the test: every wake after the first is one that the flood forces.
    monkeypatch.setattr("elektromail.events.bus.WAKE_SPACING", 60.0)
    bus = EventBus(replay=400, queue_size=100)
    written: list[list[int]] = [[], []]

    def writer_for(index: int) -> Callable[[bytes], bool]:
        def write(frames: bytes) -> bool:
            written[index].append(frames.count(b"id: "))
            return True

        return write

    streams = [bus.subscribe(EventFilter()) for _ in written]
    for index, stream in enumerate(streams):
        stream.writer = writer_for(index)
    for uid in range(451):
        stored(bus, uid=uid)
    assert written == [[1, 200, 200]] * 2  # the first after a quiet moment, then half the ring at once
    reader = bus.subscribe(EventFilter())
    for uid in range(451, 551):
        stored(bus, uid=uid)
        drain(reader)
    assert written[0][3:] == [51, 50] and written[1] == written[0]  # what waited, then half a queue
    assert not reader.cut_off
    reader.close()
    for uid in range(551, 801):
        stored(bus, uid=uid)
    assert written[0][5:] == [200] and written[1] == written[0]  # half the ring again
    assert not any(stream.cut_off for stream in streams)
    bus.close()
