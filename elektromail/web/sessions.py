"""The sessions page: recent SMTP and IMAP sessions, newest first, and one session's transcript.

It reads the transcripts registry through the same views ``GET /sessions`` serves; a message's delivery
links to the session that delivered it, and the session lists the messages it stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from elektromail.transcripts.recorder import Transcript
from elektromail.transcripts.registry import CursorError
from elektromail.transcripts.views import detail, render_text, summary
from elektromail.web.responses import download_headers
from elektromail.web.site import NotFound, Site

PAGE_SIZE = 50
PROTOCOLS = ("smtp", "imap")


class Sessions:
    def __init__(self, site: Site) -> None:
        self.site = site

    def _find(self, request: Request) -> Transcript:
        session_id: str = request.path_params["id"]
        transcript = self.site.context.transcripts.get(session_id)
        if transcript is None:
            raise NotFound(f"no session {session_id} is kept (older ones are dropped; reset and purge forget all)")
        return transcript

    async def list_page(self, request: Request) -> Response:
        protocol = request.query_params.get("protocol")
        protocol = protocol if protocol in PROTOCOLS else None
        cursor = request.query_params.get("cursor") or None
        try:
            found, total, next_cursor = self.site.context.transcripts.page(PAGE_SIZE, cursor, protocol)
        except CursorError:
            found, total, next_cursor = self.site.context.transcripts.page(PAGE_SIZE, None, protocol)
        older = None
        if next_cursor is not None:
            older = "/web/sessions?" + urlencode(
                {key: value for key, value in (("protocol", protocol), ("cursor", next_cursor)) if value}
            )
        values: dict[str, Any] = {
            "sessions": [summary(transcript) for transcript in found],
            "total": total,
            "protocol": protocol,
            "older": older,
            "recording": self.site.context.config.transcripts,
        }
        return self.site.render(request, "sessions.html", values)

    async def session_page(self, request: Request) -> Response:
        return self.site.render(request, "session.html", {"s": detail(self._find(request))})

    async def transcript(self, request: Request) -> Response:
        transcript = self._find(request)
        headers = download_headers(f"session-{transcript.id}.txt")
        return Response(render_text(transcript), media_type="text/plain; charset=utf-8", headers=headers)
