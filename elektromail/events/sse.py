"""Server-Sent Events framing (HTML Living Standard, "Server-sent events"): what ``GET /events`` writes.

Each event's frame (``id:``, ``event:``, ``data:``) is encoded once when it is published; this module adds
the stream's opening and its keep-alive comments, and reads the ``Last-Event-ID`` a reconnecting client
sends.
"""

from __future__ import annotations

MEDIA_TYPE = "text/event-stream"
# How long a browser's EventSource waits before reconnecting after the stream ends (milliseconds).
RETRY_MS = 1000
# A comment line every so often keeps proxies from closing an idle stream and lets a gone client be noticed.
KEEPALIVE_SECONDS = 15.0

OPENING = b"retry: %d\n\n" % RETRY_MS
KEEPALIVE = b": keep-alive\n\n"


def last_event_id(header: str | None, query: str | None = None) -> str | None:
    """The id to resume after: the ``Last-Event-ID`` header, else a ``last_event_id`` query parameter
    (for clients that cannot set headers); None when neither is given or it is blank."""
    for value in (header, query):
        if value is not None and value.strip():
            return value.strip()
    return None
