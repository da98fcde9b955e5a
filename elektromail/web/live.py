"""``/web/live``: the server's event stream for the pages, behind the pages' own session cookie.

The same events as ``GET /events`` (one event bus): a list reloads itself when mail is stored, flagged or
expunged, a message page when its own message changes. Browsers reconnect on their own with
``Last-Event-ID`` and get what they missed (or ``resync``). The stream ends when the server stops.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from elektromail.events.sse import MEDIA_TYPE, last_event_id, stream_frames
from elektromail.events.types import EventFilter
from elektromail.web.responses import COMMON_HEADERS
from elektromail.web.site import Site


class Live:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def stream(self, request: Request) -> Response:
        resume = last_event_id(request.headers.get("last-event-id"))
        subscription = self.site.context.events.subscribe(EventFilter(), resume)
        headers = {**COMMON_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(stream_frames(subscription), media_type=MEDIA_TYPE, headers=headers)
