"""The typed client's view of what happens on the server: searches with the query language, session
transcripts, the live event stream and flag changes. :class:`~elektromail.client.Client` and
:class:`~elektromail.client.AsyncClient` include these operations (through :class:`ActivityOperations` and
:class:`AsyncActivityOperations`)::

    with Client("http://localhost:8025") as mail:
        for event in mail.events(user="alice", types="message.stored"):
            print(event.data.message_id)
            break
        print(mail.transcript(mail.message(event.data.message_id).delivery.session_id))

``events()`` follows the stream across interruptions: when the server cuts a slow reader off, or the
connection drops, it reconnects with the id of the last event it read and goes on where it stopped (a
``resync`` event says that some events were lost and state should be re-read).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from elektromail.client.calls import WAIT_MARGIN_SECONDS
from elektromail.client.errors import raise_for
from elektromail.events.sse import MEDIA_TYPE, StreamEvent, StreamReader
from elektromail.http.flags import FlagChange, FlagsChanged, QueryFlagChange
from elektromail.http.schemas import Messages, MessagesPage
from elektromail.http.schemas import Summary as SummaryType
from elektromail.transcripts.views import SessionDetail, Sessions, SessionSummary

# A stream with no event sends a keep-alive comment every 15 s; waiting longer than this means it is gone.
STREAM_READ_TIMEOUT = 60.0

_sessions = msgspec.json.Decoder(Sessions).decode
_page = msgspec.json.Decoder(MessagesPage).decode
_listed = msgspec.json.Decoder(Messages).decode
_session = msgspec.json.Decoder(SessionDetail).decode
_flags_changed = msgspec.json.Decoder(FlagsChanged).decode
_encode = msgspec.json.Encoder().encode


def _sessions_params(
    protocol: str | None, user: str | None, client: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    given = {"protocol": protocol, "user": user, "client": client, "limit": limit, "cursor": cursor}
    return {name: value for name, value in given.items() if value is not None}


def _search_params(
    q: str, user: str | None, mailbox: str | None, rcpt: str | None, session: str | None
) -> dict[str, Any]:
    given = {"q": q or None, "user": user, "mailbox": mailbox, "rcpt": rcpt, "session": session}
    return {name: value for name, value in given.items() if value is not None}


def _events_params(user: str | None, mailbox: str | None, types: str | Sequence[str] | None) -> dict[str, str]:
    joined = types if isinstance(types, str) or types is None else ",".join(types)
    params = {"user": user, "mailbox": mailbox, "types": joined}
    return {name: value for name, value in params.items() if value is not None}


def _path_id(value: str) -> str:
    return quote(value, safe="")


def _json(value: msgspec.Struct) -> tuple[bytes, dict[str, str]]:
    return _encode(value), {"content-type": "application/json"}


class ActivityOperations:
    """Sessions, transcripts, events and flags over a blocking httpx client (``self._http``)."""

    _http: httpx.Client

    def search(
        self,
        q: str = "",
        user: str | None = None,
        mailbox: str | None = None,
        rcpt: str | None = None,
        session: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> MessagesPage:
        """A page of the messages the query (and filters) match, newest first, with ``total`` and the
        ``cursor`` of the next page."""
        params = _search_params(q, user, mailbox, rcpt, session) | {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = self._http.get("/messages", params=params)
        raise_for(response)
        return _page(response.content)

    def wait_for(
        self, q: str, count: int = 1, timeout: float = 30.0, rcpt: str | None = None, session: str | None = None
    ) -> list[SummaryType]:
        """Wait until ``count`` messages match the query (``/messages/wait?q=``)."""
        params = _search_params(q, None, None, rcpt, session) | {"count": count, "timeout": timeout}
        response = self._http.get("/messages/wait", params=params, timeout=timeout + WAIT_MARGIN_SECONDS)
        raise_for(response)
        return _listed(response.content).messages

    def sessions(
        self,
        protocol: str | None = None,
        user: str | None = None,
        client: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Sessions:
        """A page of recorded sessions, newest first."""
        response = self._http.get("/sessions", params=_sessions_params(protocol, user, client, limit, cursor))
        raise_for(response)
        return _sessions(response.content)

    def session(self, session_id: str) -> SessionDetail:
        response = self._http.get(f"/sessions/{_path_id(session_id)}")
        raise_for(response)
        return _session(response.content)

    def transcript(self, session_id: str) -> str:
        """The session as text: ``C:`` and ``S:`` lines, secrets masked."""
        response = self._http.get(f"/sessions/{_path_id(session_id)}/transcript")
        raise_for(response)
        return response.text

    def set_flags(self, message_id: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> list[str]:
        """Add and remove flags of one message as IMAP STORE would; returns its flags afterwards."""
        content, headers = _json(FlagChange(add=list(add), remove=list(remove)))
        response = self._http.patch(f"/messages/by-id/{_path_id(message_id)}", content=content, headers=headers)
        raise_for(response)
        flags: list[str] = msgspec.json.decode(response.content)["flags"]
        return flags

    def set_flags_matching(self, q: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> FlagsChanged:
        """The same change for every message the query matches (``q=""``: every message)."""
        content, headers = _json(QueryFlagChange(q=q, add=list(add), remove=list(remove)))
        response = self._http.post("/messages/flags", content=content, headers=headers)
        raise_for(response)
        return _flags_changed(response.content)

    def events(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        types: str | Sequence[str] | None = None,
        last_event_id: str | None = None,
        reconnect: bool = True,
    ) -> Iterator[StreamEvent]:
        """Events as they happen, forever (break out of the loop to stop). ``types`` takes event types or
        families (``"message"``); ``last_event_id`` resumes after an event read earlier."""
        params = _events_params(user, mailbox, types)
        timeout = httpx.Timeout(self._http.timeout.connect, read=STREAM_READ_TIMEOUT)
        while True:
            headers = {"accept": MEDIA_TYPE}
            if last_event_id is not None:
                headers["last-event-id"] = last_event_id
            try:
                with self._http.stream("GET", "/events", params=params, headers=headers, timeout=timeout) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise_for(response)
                    reader = StreamReader()
                    for line in response.iter_lines():
                        event = reader.feed(line)
                        if event is not None:
                            last_event_id = event.id or last_event_id
                            yield event
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout):
                if not reconnect:
                    raise
                continue
            if not reconnect:
                return


class AsyncActivityOperations:
    """:class:`ActivityOperations` as coroutines, over an httpx ``AsyncClient`` (``self._http``)."""

    _http: httpx.AsyncClient

    async def search(
        self,
        q: str = "",
        user: str | None = None,
        mailbox: str | None = None,
        rcpt: str | None = None,
        session: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> MessagesPage:
        params = _search_params(q, user, mailbox, rcpt, session) | {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = await self._http.get("/messages", params=params)
        raise_for(response)
        return _page(response.content)

    async def wait_for(
        self, q: str, count: int = 1, timeout: float = 30.0, rcpt: str | None = None, session: str | None = None
    ) -> list[SummaryType]:
        params = _search_params(q, None, None, rcpt, session) | {"count": count, "timeout": timeout}
        response = await self._http.get("/messages/wait", params=params, timeout=timeout + WAIT_MARGIN_SECONDS)
        raise_for(response)
        return _listed(response.content).messages

    async def sessions(
        self,
        protocol: str | None = None,
        user: str | None = None,
        client: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Sessions:
        response = await self._http.get("/sessions", params=_sessions_params(protocol, user, client, limit, cursor))
        raise_for(response)
        return _sessions(response.content)

    async def session(self, session_id: str) -> SessionDetail:
        response = await self._http.get(f"/sessions/{_path_id(session_id)}")
        raise_for(response)
        return _session(response.content)

    async def transcript(self, session_id: str) -> str:
        response = await self._http.get(f"/sessions/{_path_id(session_id)}/transcript")
        raise_for(response)
        return response.text

    async def set_flags(self, message_id: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> list[str]:
        content, headers = _json(FlagChange(add=list(add), remove=list(remove)))
        response = await self._http.patch(f"/messages/by-id/{_path_id(message_id)}", content=content, headers=headers)
        raise_for(response)
        flags: list[str] = msgspec.json.decode(response.content)["flags"]
        return flags

    async def set_flags_matching(self, q: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> FlagsChanged:
        content, headers = _json(QueryFlagChange(q=q, add=list(add), remove=list(remove)))
        response = await self._http.post("/messages/flags", content=content, headers=headers)
        raise_for(response)
        return _flags_changed(response.content)

    async def events(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        types: str | Sequence[str] | None = None,
        last_event_id: str | None = None,
        reconnect: bool = True,
    ) -> AsyncIterator[StreamEvent]:
        params = _events_params(user, mailbox, types)
        timeout = httpx.Timeout(self._http.timeout.connect, read=STREAM_READ_TIMEOUT)
        while True:
            headers = {"accept": MEDIA_TYPE}
            if last_event_id is not None:
                headers["last-event-id"] = last_event_id
            try:
                async with self._http.stream(
                    "GET", "/events", params=params, headers=headers, timeout=timeout
                ) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        raise_for(response)
                    reader = StreamReader()
                    async for line in response.aiter_lines():
                        event = reader.feed(line)
                        if event is not None:
                            last_event_id = event.id or last_event_id
                            yield event
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout):
                if not reconnect:
                    raise
                continue
            if not reconnect:
                return


__all__ = ["ActivityOperations", "AsyncActivityOperations", "SessionSummary", "StreamEvent"]
