"""Every recent session's transcript, bounded: the newest ``max_sessions`` are kept, the oldest dropped.

Session ids are unique for the life of the process and never reused, also across ``/reset``, so that
a link to a dropped session finds nothing rather than another session. The id carries a token of the
process, so ids persisted with messages (SQLite) do not name a session of a later run.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from time import monotonic
from typing import Protocol

from elektromail.transcripts.recorder import SessionProtocol, Transcript, UnrecordedTranscript

DEFAULT_MAX_SESSIONS = 1000
DEFAULT_MAX_KIB = 256

SessionListener = Callable[[str, Transcript], None]  # ("session.started" | "session.ended", transcript)
STARTED = "session.started"
ENDED = "session.ended"


class Audience(Protocol):
    """Who hears of sessions through the listeners (the event bus): nobody yet while ``heard`` is false."""

    heard: bool


class Transcripts:
    """The registry of session transcripts that SMTP and IMAP sessions record into."""

    def __init__(
        self, enabled: bool = True, max_sessions: int = DEFAULT_MAX_SESSIONS, max_kib: int = DEFAULT_MAX_KIB
    ) -> None:
        self.enabled = enabled
        self.max_sessions = max_sessions
        self.max_bytes = max_kib * 1024
        # Oldest first, numbered in order without gaps and ending at the newest (every start while
        # enabled is kept), so that a session is found by its number and the oldest falls off the end
        # as the newest is added.
        self._sessions: deque[Transcript] = deque(maxlen=max_sessions)
        self._prefix = os.urandom(3).hex()  # as secrets.token_hex, without loading hashlib at start
        self._counter = 0
        self.listeners: set[SessionListener] = set()
        # While the audience has heard nothing yet the listeners are not called: two calls per session
        # that would only find out that nobody listens.
        self.audience: Audience | None = None

    def start(
        self, protocol: SessionProtocol, client: str | None, clock: Callable[[], float] = monotonic
    ) -> Transcript:
        """A new session's transcript, timed by ``clock``. With recording off it still has an id and keeps
        TLS/AUTH facts for the messages it delivers, but records no lines and is not listed."""
        self._counter += 1
        session_id = f"{protocol}-{self._prefix}-{self._counter}"
        if not self.enabled:
            return UnrecordedTranscript(session_id, protocol, client, 0, clock)
        transcript = Transcript(session_id, protocol, client, self.max_bytes, clock)
        self._sessions.append(transcript)
        if self.listeners and (self.audience is None or self.audience.heard):
            self._publish(STARTED, transcript)
        return transcript

    def end(self, transcript: Transcript) -> None:
        ended = transcript.end()
        if ended and transcript.recording and self.listeners and (self.audience is None or self.audience.heard):
            self._publish(ENDED, transcript)

    def _publish(self, kind: str, transcript: Transcript) -> None:
        for listener in tuple(self.listeners):
            listener(kind, transcript)

    def get(self, session_id: str) -> Transcript | None:
        prefix, _, number = session_id.rpartition("-")
        if not number.isdigit() or not prefix.endswith(self._prefix):
            return None
        index = int(number) - (self._counter - len(self._sessions) + 1)  # the oldest kept
        if not 0 <= index < len(self._sessions):
            return None
        transcript = self._sessions[index]
        return transcript if transcript.id == session_id else None

    def newest_first(
        self, protocol: str | None = None, user: str | None = None, client: str | None = None
    ) -> Iterator[Transcript]:
        """Kept sessions, newest first; ``user`` matches the authenticated user case-insensitively,
        ``client`` the client's address with or without its port."""
        wanted_user = user.lower() if user is not None else None
        for transcript in reversed(self._sessions):
            if protocol is not None and transcript.protocol != protocol:
                continue
            if wanted_user is not None and (transcript.auth is None or transcript.auth.user.lower() != wanted_user):
                continue
            if client is not None and not _same_client(transcript.client, client):
                continue
            yield transcript

    def page(
        self,
        limit: int,
        cursor: str | None = None,
        protocol: str | None = None,
        user: str | None = None,
        client: str | None = None,
    ) -> tuple[list[Transcript], int, str | None]:
        """A page of ``newest_first``: the sessions after ``cursor`` (a session id), how many match in
        all, and the cursor of the next page. A cursor naming a dropped session starts at the newest
        session older than it, since ids are numbered in order."""
        matching = list(self.newest_first(protocol, user, client))
        start = 0
        if cursor is not None:
            after = _number(cursor)
            start = next((i for i, t in enumerate(matching) if _number(t.id) < after), len(matching))
        page = matching[start : start + limit]
        more = start + limit < len(matching)
        return page, len(matching), page[-1].id if more and page else None

    def __len__(self) -> int:
        return len(self._sessions)

    def clear(self) -> None:
        """Forget every transcript (``/reset``, ``/purge``); sessions still open keep recording into
        theirs, which is no longer listed."""
        self._sessions.clear()


class CursorError(ValueError):
    """A cursor that is no session id of this process."""


def _number(session_id: str) -> int:
    _, _, number = session_id.rpartition("-")
    if not number.isdigit():
        raise CursorError(f"not a session id: {session_id!r}")
    return int(number)


def _same_client(recorded: str | None, wanted: str) -> bool:
    if recorded is None:
        return False
    if recorded == wanted:
        return True
    host = recorded.rpartition(":")[0]
    return host == wanted or host.strip("[]") == wanted
