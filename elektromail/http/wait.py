"""``GET /messages/wait``: answer as soon as enough matching mail is stored, without polling.

A waiter subscribes to the store's delivery listeners. Each delivery that could match wakes it; it then
counts the matching messages in the store (so mail expunged meanwhile is not counted) and either answers
or sleeps again until the deadline.
"""

from __future__ import annotations

import asyncio

from elektromail.http.filters import MessageFilter
from elektromail.http.schemas import WaitQuery
from elektromail.store import Store
from elektromail.store.model import Mailbox, MailboxEvent, Message, MessagesAdded


class Waiters:
    """Every pending wait, so that a stopping server can release them at once."""

    def __init__(self) -> None:
        self._wakers: set[asyncio.Event] = set()
        self.closed = False

    def add(self, event: asyncio.Event) -> None:
        self._wakers.add(event)

    def discard(self, event: asyncio.Event) -> None:
        self._wakers.discard(event)

    def close(self) -> None:
        self.closed = True
        for event in tuple(self._wakers):
            event.set()


async def wait_for_messages(
    store: Store, waiters: Waiters, query: WaitQuery, matcher: MessageFilter
) -> list[tuple[Mailbox, Message]] | None:
    """The messages ``matcher`` selects once there are ``query.count`` of them, or None at the timeout
    or at stop."""
    found = list(matcher.matches(store))
    if len(found) >= query.count:
        return found
    wake = asyncio.Event()

    def on_delivery(event: MailboxEvent) -> None:
        if (
            isinstance(event, MessagesAdded)
            and matcher.mailbox_matches(event.mailbox)
            and any(matcher.message_matches(event.mailbox, message) for message in event.messages)
        ):
            wake.set()

    loop = asyncio.get_running_loop()
    deadline = loop.time() + query.timeout
    store.delivery_listeners.add(on_delivery)
    waiters.add(wake)
    try:
        while not waiters.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(wake.wait(), remaining)
            except TimeoutError:
                return None
            wake.clear()
            found = list(matcher.matches(store))
            if len(found) >= query.count:
                return found
        return None
    finally:
        store.delivery_listeners.discard(on_delivery)
        waiters.discard(wake)
