"""Server-Sent Events framing (HTML Living Standard, "Server-sent events"): what ``GET /events`` writes.

Each event's frame (``id:``, ``event:``, ``data:``) is encoded once when it is published; this module adds
the stream's opening and its keep-alive comments, and reads the ``Last-Event-ID`` a reconnecting client
sends. :class:`StreamReader` is the other side, for the typed client.
"""

from __future__ import annotations

import msgspec

from elektromail.events.types import EventData

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


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event as a client reads it from the stream."""

    id: str | None
    type: str
    data: EventData


_decode_data = msgspec.json.Decoder(EventData).decode


class StreamReader:
    """Reads a stream line by line (without line ends) and yields each complete event; comments,
    ``retry:`` and unknown fields are skipped, as the standard says an EventSource does."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._type = ""
        self._data: list[str] = []

    def feed(self, line: str) -> StreamEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            self._id = value
        elif name == "event":
            self._type = value
        elif name == "data":
            self._data.append(value)
        return None

    def _dispatch(self) -> StreamEvent | None:
        if not self._data:
            self._type = ""
            return None
        data, kind = "\n".join(self._data), self._type or "message"
        self._data, self._type = [], ""
        return StreamEvent(id=self._id, type=kind, data=_decode_data(data))
