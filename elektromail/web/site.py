"""What every web handler shares: the server's context, and the checks each request passes first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from elektromail.context import ServerContext
from elektromail.store.model import Mailbox, Message
from elektromail.web import auth, listing
from elektromail.web.responses import UI_HEADERS, page

Handler = Callable[[Request], Awaitable[Response]]


class NotFound(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Site:
    """The web inbox of one server."""

    def __init__(self, context: ServerContext, reset: Callable[[], Awaitable[None]]) -> None:
        self.context = context
        self.store = context.store
        self.reset_server = reset
        self.token = context.config.http_token

    def guarded(self, handler: Handler, public: bool = False) -> Handler:
        """The token check (unless public) and a friendly 404 page around a handler."""

        async def run(request: Request) -> Response:
            if not public and not auth.authorised(request, self.token):
                if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse(auth.login_url(request), 303, headers=UI_HEADERS)
                return Response("missing or wrong token\n", 401, media_type="text/plain", headers=UI_HEADERS)
            try:
                return await handler(request)
            except NotFound as missing:
                return self.render(request, "missing.html", {"what": missing.what}, 404)

        return run

    def message(self, message_id: str) -> tuple[Mailbox, Message]:
        found = self.store.message_by_id(message_id)
        if found is None:
            raise NotFound(f"no message with id {message_id}")
        return found

    def render(self, request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
        accounts = [(account.name, listing.folders(account)) for account in self.store.accounts()]
        unread = listing.unread_total(self.store)
        common: dict[str, Any] = {
            "accounts": accounts,
            "unread_total": unread,
            "live_url": "/web/live",
            "login_needed": self.token is not None,
        }
        return page(request, name, {**common, **values}, status)
