"""``/web/live``: a Server-Sent Events stream telling open pages that new mail was stored.

Each event names the stored message; a page reloads its list (and counts) when one arrives. A comment
line every :data:`KEEPALIVE_SECONDS` keeps proxies from closing an idle stream, and the stream ends when
the server stops, so a graceful stop does not wait on it. The queue per page is bounded: a page that
cannot keep up is told once to reload everything instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from elektromail.store.model import MailboxEvent, MessagesAdded
from elektromail.web.responses import COMMON_HEADERS
from elektromail.web.site import Site

KEEPALIVE_SECONDS = 15.0
QUEUE_LIMIT = 256
KEEPALIVE = b":\n\n"
_encode = msgspec.json.Encoder().encode


class Stored(msgspec.Struct):
    id: str
    user: str
    mailbox: str
    uid: int


def frame(event: str, data: bytes) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


async def _next(queue: asyncio.Queue[bytes], stop: asyncio.Event) -> bytes | None:
    """The next event, a keep-alive comment after a quiet while, or None once the server stops."""
    getter = asyncio.ensure_future(queue.get())
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({getter, stopper}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not getter.done():
            getter.cancel()
    if getter.done() and not getter.cancelled():
        return getter.result()
    return None if stop.is_set() else KEEPALIVE


class Live:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def stream(self, request: Request) -> Response:
        queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_LIMIT)
        overflowed = False

        def on_delivery(event: MailboxEvent) -> None:
            nonlocal overflowed
            if not isinstance(event, MessagesAdded) or overflowed:
                return
            mailbox = event.mailbox
            for message in event.messages:
                data = _encode(Stored(mailbox.message_id(message.uid), mailbox.account.name, mailbox.name, message.uid))
                try:
                    queue.put_nowait(frame("message.stored", data))
                except asyncio.QueueFull:
                    overflowed = True
                    return

        store = self.site.store
        waiters = self.site.waiters
        stop = asyncio.Event()

        async def events() -> AsyncIterator[bytes]:
            nonlocal overflowed
            store.delivery_listeners.add(on_delivery)
            waiters.add(stop)
            try:
                yield b"retry: 2000\n\n"
                while not waiters.closed:
                    if overflowed:
                        yield frame("resync", b"{}")
                        while not queue.empty():
                            queue.get_nowait()
                        overflowed = False
                    item = await _next(queue, stop)
                    if item is not None:
                        yield item
            finally:
                store.delivery_listeners.discard(on_delivery)
                waiters.discard(stop)

        headers = {**COMMON_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
