"""``/web/live``: the server's event stream for the pages, behind the pages' own session cookie.

The same events as ``GET /events`` (one event bus): a list reloads itself when mail is stored, flagged or
expunged, a message page when its own message changes. Browsers reconnect on their own with
``Last-Event-ID`` and get what they missed (or ``resync``). The stream ends when the server stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from elektromail.events.bus import Subscription
from elektromail.events.sse import KEEPALIVE, KEEPALIVE_SECONDS, MEDIA_TYPE, OPENING, last_event_id
from elektromail.events.types import EventFilter
from elektromail.web.responses import COMMON_HEADERS
from elektromail.web.site import Site


async def frames(subscription: Subscription) -> AsyncIterator[bytes]:
    """Each event's frame as published, several at once when they come together; a keep-alive comment
    after a quiet while; the end when the subscription closes (server stopping, or too far behind)."""
    try:
        yield OPENING
        while True:
            first = subscription.take()
            if first is None:
                try:
                    first = await asyncio.wait_for(subscription.next(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield KEEPALIVE
                    continue
                if first is None:
                    return
            batch = [first.frame]
            while (more := subscription.take()) is not None:
                batch.append(more.frame)
            yield b"".join(batch)
    finally:
        subscription.close()


class Live:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def stream(self, request: Request) -> Response:
        resume = last_event_id(request.headers.get("last-event-id"))
        subscription = self.site.context.events.subscribe(EventFilter(), resume)
        headers = {**COMMON_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(frames(subscription), media_type=MEDIA_TYPE, headers=headers)
