"""Many Server-Sent Events streams held open at once by one asyncio loop in a thread: raw sockets, one
request each, and only the count of one event type kept per stream, so that a thousand streams cost the
bench little next to the server it measures. Streams ask for the identity coding (as curl does) or for
``deflate`` (as browsers and httpx do); a deflated body's chunks are undone and inflated as they come."""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from bench.model import WrongAnswer

T = TypeVar("T")
OPEN_TIMEOUT = 60.0


class Streams:
    """``count`` streams on ``GET {path}`` of 127.0.0.1:``port``, each counting ``marker`` in what it
    reads (the marker is looked for across reads, so one split between two reads is counted once)."""

    def __init__(self, port: int, count: int, path: str, marker: bytes, deflate: bool = False) -> None:
        self.port, self.count, self.path, self.marker, self.deflate = port, count, path, marker, deflate
        self.received = [0] * count
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sse-streams", daemon=True)
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: list[asyncio.Task[None]] = []

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    def open(self) -> Streams:
        self._thread.start()
        self._call(self._open_all(), OPEN_TIMEOUT)
        return self

    async def _open_all(self) -> None:
        opened = await asyncio.gather(*(self._open(index) for index in range(self.count)), return_exceptions=True)
        failed = [result for result in opened if isinstance(result, BaseException)]
        if failed:
            raise WrongAnswer(f"{len(failed)} of {self.count} event streams did not open: {failed[0]!r}")

    async def _open(self, index: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        coding = "Accept-Encoding: gzip, deflate\r\n" if self.deflate else ""
        request = f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{coding}\r\n"
        writer.write(request.encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise WrongAnswer(f"GET {self.path}: {head[:60]!r}")
        if self.deflate and b"content-encoding: deflate" not in head.lower():
            raise WrongAnswer(f"GET {self.path} asking for deflate: {head!r}")
        self._writers.append(writer)
        self._tasks.append(asyncio.create_task(self._read(index, reader)))

    async def _read(self, index: int, reader: asyncio.StreamReader) -> None:
        marker, keep = self.marker, len(self.marker) - 1
        body = _DeflatedBody() if self.deflate else None
        tail = b""
        while data := await reader.read(65536):
            data = tail + (data if body is None else body.take(data))
            self.received[index] += data.count(marker)
            tail = data[-keep:] if keep else b""

    def close(self) -> None:
        async def close_all() -> None:
            for writer in self._writers:
                writer.close()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        if self._thread.is_alive():
            self._call(close_all(), OPEN_TIMEOUT)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()


class _DeflatedBody:
    """A deflated chunked body read piece by piece: its chunks undone, then inflated."""

    __slots__ = ("_inflater", "_pending")

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj()
        self._pending = b""

    def take(self, data: bytes) -> bytes:
        """What ``data`` completes of the body, inflated."""
        pending = self._pending + data
        inflated = []
        while (end := pending.find(b"\r\n")) >= 0:
            size = int(pending[:end], 16)
            if len(pending) < end + size + 4:
                break
            inflated.append(self._inflater.decompress(pending[end + 2 : end + 2 + size]))
            pending = pending[end + size + 4 :]
        self._pending = pending
        return b"".join(inflated)
