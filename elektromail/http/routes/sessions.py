"""Recorded SMTP and IMAP sessions: a list newest first, one session's structured form, its transcript."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.errors import BadRequest, NotFound
from elektromail.http.operations import INVALID, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import Error
from elektromail.search.results import DEFAULT_LIMIT, MAX_LIMIT
from elektromail.transcripts.recorder import Transcript
from elektromail.transcripts.registry import CursorError
from elektromail.transcripts.views import SessionDetail, Sessions, detail, render_text, summary

resource = Resource()
UNKNOWN_SESSION = {404: Answer("no such session kept (dropped as older than the newest kept, or reset)", Error)}


class SessionsQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    protocol: Literal["smtp", "imap"] | None = None
    user: Annotated[str | None, msgspec.Meta(description="the authenticated user (case-insensitive)")] = None
    client: Annotated[str | None, msgspec.Meta(description="the client's address, with or without :port")] = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: Annotated[str | None, msgspec.Meta(description="the cursor of the previous page")] = None


def _find(plane: ControlPlane, request: Request) -> Transcript:
    session_id: str = request.path_params["id"]
    transcript = plane.context.transcripts.get(session_id)
    if transcript is None:
        raise NotFound(f"no session {session_id!r}")
    return transcript


@resource.operation(
    "GET",
    "/sessions",
    "listSessions",
    "Recorded SMTP and IMAP sessions, newest first",
    {200: Answer("a page of sessions", Sessions), 400: Answer("a cursor that is no session id", Error), **INVALID},
    query=SessionsQuery,
    description=(
        "The newest sessions are kept (ELEKTROMAIL_TRANSCRIPT_SESSIONS, 1,000 by default); /reset and /purge "
        "forget them. With ELEKTROMAIL_TRANSCRIPTS=off the list is empty."
    ),
)
async def list_sessions(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, SessionsQuery)
    try:
        page, total, cursor = plane.context.transcripts.page(
            query.limit, query.cursor, query.protocol, query.user, query.client
        )
    except CursorError as error:
        raise BadRequest(f"cursor: {error}") from None
    return json_response(Sessions(sessions=[summary(transcript) for transcript in page], total=total, cursor=cursor))


@resource.operation(
    "GET",
    "/sessions/{id}",
    "getSession",
    "One session: client, TLS, authentication, messages, and every line with its time",
    {200: Answer("the session", SessionDetail), **UNKNOWN_SESSION},
)
async def get_session(plane: ControlPlane, request: Request) -> Response:
    return json_response(detail(_find(plane, request)))


@resource.operation(
    "GET",
    "/sessions/{id}/transcript",
    "getTranscript",
    "One session as text: C: and S: lines, secrets masked, message content as its size",
    {200: Answer("the transcript", media_type="text/plain"), **UNKNOWN_SESSION},
)
async def get_transcript(plane: ControlPlane, request: Request) -> Response:
    return Response(render_text(_find(plane, request)), media_type="text/plain; charset=utf-8")
