"""``/web/live``: the server's event stream for the pages, behind the pages' own session cookie.

The same events as ``GET /events`` (one event bus): a list reloads itself when mail is stored, flagged or
expunged, a message page when its own message changes. Browsers reconnect on their own with
``Last-Event-ID`` and get what they missed (or ``resync``). The stream ends when the server stops.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail.events.sse import last_event_id
from elektromail.events.types import EventFilter
from elektromail.http.event_stream import EventStreamResponse
from elektromail.web.responses import COMMON_HEADERS
from elektromail.web.site import Site


class Live:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def stream(self, request: Request) -> Response:
        resume = last_event_id(request.headers.get("last-event-id"))
        subscription = self.site.context.events.subscribe(EventFilter(), resume)
        return EventStreamResponse(subscription, COMMON_HEADERS)
