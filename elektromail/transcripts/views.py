"""What readers see of a transcript: the structured form (JSON) and text as RFCs show sessions.

The text form has one line per protocol line, ``C: `` for the client and ``S: `` for the server, and
``-- `` lines for what happened beside them (TLS, authentication, a message stored, truncation)::

    S: 220 mail.example ESMTP elektromail ready
    C: EHLO client.example
    ...
    C: <message content: 1834 octets>
    -- stored as message 3-17
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts.recorder import SessionProtocol, Transcript
from elektromail.transcripts.replay import (
    AUTH,
    CLIENT,
    CONTENT,
    SERVER,
    STORED,
    TLS,
    TRUNCATED,
    Entry,
)

Direction = Literal["client", "server", "event"]


class SessionSummary(msgspec.Struct, kw_only=True):
    id: str
    protocol: SessionProtocol
    client: Annotated[str | None, msgspec.Meta(description="the client's address:port")]
    started_at: datetime
    ended_at: Annotated[datetime | None, msgspec.Meta(description="null while the session is open")]
    helo: Annotated[str | None, msgspec.Meta(description="SMTP: the last EHLO or HELO name")]
    tls: TlsFacts | None
    auth: AuthFacts | None
    message_ids: Annotated[list[str], msgspec.Meta(description="messages delivered (SMTP) or appended (IMAP)")]
    truncated: Annotated[bool, msgspec.Meta(description="the size limit was reached; later lines are missing")]


class TranscriptLine(msgspec.Struct, kw_only=True):
    ms: Annotated[int, msgspec.Meta(description="milliseconds since the session started")]
    direction: Direction
    text: str


class SessionDetail(SessionSummary, kw_only=True):
    lines: list[TranscriptLine]


def summary(transcript: Transcript) -> SessionSummary:
    return SessionSummary(
        id=transcript.id,
        protocol=transcript.protocol,
        client=transcript.client,
        started_at=transcript.started_at,
        ended_at=transcript.ended_at,
        helo=transcript.helo,
        tls=transcript.tls,
        auth=transcript.auth,
        message_ids=list(transcript.message_ids),
        truncated=transcript.truncated,
    )


def _text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _lines(entry: Entry) -> Iterator[tuple[Direction, str]]:
    """The readable lines of one entry."""
    kind, payload = entry[1], entry[2]
    if kind == CLIENT:
        assert isinstance(payload, bytes)
        yield "client", _text(payload)
    elif kind == SERVER:
        assert isinstance(payload, bytes)
        for line in payload.split(b"\r\n"):
            if line:
                yield "server", _text(line)
    elif kind == CONTENT:
        yield "client", f"<message content: {payload} octets>"
    elif kind == STORED:
        yield "event", f"stored as message {payload}"
    elif kind == TLS:
        assert isinstance(payload, TlsFacts)
        sni = f", SNI {payload.sni}" if payload.sni else ""
        yield "event", f"TLS established: {payload.version} {payload.cipher}{sni}"
    elif kind == AUTH:
        assert isinstance(payload, AuthFacts)
        yield "event", f"authenticated as {payload.user} ({payload.mechanism})"
    elif kind == TRUNCATED:
        yield "event", "truncated: the transcript reached its size limit"


def detail(transcript: Transcript) -> SessionDetail:
    base = summary(transcript)
    lines = [
        TranscriptLine(ms=transcript.milliseconds(entry[0]), direction=direction, text=text)
        for entry in tuple(transcript.entries)
        for direction, text in _lines(entry)
    ]
    return SessionDetail(**msgspec.structs.asdict(base), lines=lines)


_PREFIX = {"client": "C: ", "server": "S: ", "event": "-- "}


def render_text(transcript: Transcript) -> str:
    """The transcript as text, one protocol line per line, with a header naming the session."""
    out = [f"-- {transcript.protocol.upper()} session {transcript.id} from {transcript.client or 'unknown'}"]
    out.append(f"-- started {transcript.started_at.isoformat()}")
    for entry in tuple(transcript.entries):
        for direction, text in _lines(entry):
            out.append(_PREFIX[direction] + text)
    if transcript.ended_at is not None:
        out.append(f"-- ended {transcript.ended_at.isoformat()}")
    return "\n".join(out) + "\n"


class Sessions(msgspec.Struct, kw_only=True):
    """``GET /sessions``: a page of sessions, newest first."""

    sessions: list[SessionSummary]
    total: Annotated[int, msgspec.Meta(description="sessions kept that match the filters")]
    cursor: Annotated[str | None, msgspec.Meta(description="pass as cursor= for the next page; null: last")]
