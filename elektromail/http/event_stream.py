"""The response of ``GET /events``: one coroutine per open stream, and as little else as possible.

A thousand streams may stay open for hours, so what each one holds and what each write costs count.
Starlette's ``StreamingResponse`` runs two tasks per stream in an anyio task group (one writing, one
waiting for the disconnect) and sends every piece through three wrappers of ``send`` and h11's state
machine. Here one coroutine waits on the subscription and writes what it is given:

- When the connection is one of this server's (:class:`StreamConnection`, found in the scope's state),
  a chunk of frames goes straight to its transport, framed as HTTP/1.1 chunked transfer coding as h11
  frames a body of unknown length to an HTTP/1.1 client, and the connection's end closes the
  subscription: no task waits for ``http.disconnect``. The head and the end of the body go through ASGI
  ``send``, so h11's state stays right; while the transport's buffer is full, pieces go through ``send``
  too, which waits for it to drain (the subscription's bounded queue cuts a client off that stays slow).
- Otherwise (an HTTP/1.0 client, whose body ends with the connection; a ``HEAD``; the app served by
  another ASGI server) the pieces go through ``send``, and one small task waits for ``http.disconnect``.

A stream written to this server's connection is sent in the ``deflate`` content coding when the client
accepts it (browsers and httpx do): the streams woken together share one deflating of their frames
(:mod:`elektromail.http.stream_deflate`), and each writes about a twelfth of the octets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from elektromail.events.bus import Subscription
from elektromail.events.sse import KEEPALIVE, KEEPALIVE_SECONDS, MEDIA_TYPE, OPENING
from elektromail.http.piece_memo import PieceMemo
from elektromail.http.stream_deflate import CODING, HEADER, DeflateStream, accepts_deflate

# The key of the scope's state under which this server's HTTP connections give themselves to requests.
CONNECTION_STATE = "elektromail.connection"

HEADERS = (
    (b"content-type", MEDIA_TYPE.encode()),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
    (b"vary", b"accept-encoding"),
)
DEFLATED = (b"content-encoding", CODING.encode())


class StreamConnection:
    """What an event stream needs of its connection: its transport, whether writing is paused (its
    buffer is full), and a call when it ends."""

    __slots__ = ("transport", "writing_paused", "on_lost")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.writing_paused = False
        self.on_lost: Callable[[], None] | None = None

    def lost(self) -> None:
        on_lost, self.on_lost = self.on_lost, None
        if on_lost is not None:
            on_lost()


class EventStreamResponse(Response):
    """A ``text/event-stream`` of one subscription, ended when it closes or the client goes."""

    media_type = MEDIA_TYPE

    def __init__(self, subscription: Subscription, headers: Mapping[str, str] | None = None) -> None:
        self.subscription = subscription
        self.status_code = 200
        self.background = None
        self.raw_headers = list(HEADERS)
        if headers:  # a page's own headers, each in place of the stream's field of that name
            extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
            named = {name for name, _ in extra}
            self.raw_headers = [field for field in self.raw_headers if field[0] not in named] + extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self.subscription
        try:
            connection = _connection(scope)
            coding = DeflateStream() if connection is not None and _accepts_deflate(scope) else None
            headers = self.raw_headers if coding is None else [*self.raw_headers, DEFLATED]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if connection is not None:
                await _write_direct(subscription, connection, send, coding)
            else:
                await _write_through(subscription, receive, send)
        finally:
            subscription.close()


def _connection(scope: Scope) -> StreamConnection | None:
    """This server's connection of the request, when its body may be written as chunks to it."""
    state: Mapping[str, object] = scope.get("state") or {}
    connection = state.get(CONNECTION_STATE)
    if not isinstance(connection, StreamConnection) or connection.transport is None:
        return None
    return connection if scope.get("http_version") == "1.1" else None


def _accepts_deflate(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"accept-encoding":
            return accepts_deflate(value.decode("latin-1"))
    return False


async def _write_direct(
    subscription: Subscription, connection: StreamConnection, send: Send, coding: DeflateStream | None
) -> None:
    transport = connection.transport
    assert transport is not None
    sending = False  # a piece is on its way through ``send``: nothing may overtake it

    def write(frames: bytes) -> bool:
        if sending or connection.writing_paused or transport.is_closing():
            return False
        transport.write(_chunk(frames if coding is None else coding.encode(frames)))
        return True

    connection.on_lost = subscription.close
    frames: bytes | None = OPENING
    try:
        while frames is not None and not transport.is_closing():
            piece = frames or KEEPALIVE
            if coding is not None:
                # The opening and the keep-alive are the same on every stream; frames are shared.
                constant = piece is OPENING or piece is KEEPALIVE
                piece = coding.encode(piece, constant)
                if frames is OPENING:
                    piece = HEADER + piece
            if connection.writing_paused:
                sending = True
                try:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
                finally:
                    sending = False
            else:
                transport.write(_chunk(piece))
            # From here on the bus's wakes write this stream's frames themselves, as they come, and
            # this coroutine wakes only for a keep-alive, a replay, a full buffer or the end.
            subscription.writer = write
            frames = await subscription.frames(KEEPALIVE_SECONDS)
    finally:
        subscription.writer = None
        connection.on_lost = None
    # uvicorn drops this when the client has gone; otherwise it ends the chunked body.
    end = b"" if coding is None else coding.end()
    await send({"type": "http.response.body", "body": end, "more_body": False})


def _frame_chunk(frames: bytes) -> bytes:
    """``frames`` as one chunk of the chunked transfer coding (RFC 9112 7.1)."""
    return b"%x\r\n%b\r\n" % (len(frames), frames)


# The streams woken together write the same frames: each chunk is made once for all of them.
_chunk = PieceMemo(_frame_chunk)


async def _write_through(subscription: Subscription, receive: Receive, send: Send) -> None:
    watcher = asyncio.ensure_future(_until_disconnect(receive))
    watcher.add_done_callback(lambda _: subscription.close())
    try:
        await send({"type": "http.response.body", "body": OPENING, "more_body": True})
        while (frames := await subscription.frames(KEEPALIVE_SECONDS)) is not None:
            await send({"type": "http.response.body", "body": frames or KEEPALIVE, "more_body": True})
        if not watcher.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
