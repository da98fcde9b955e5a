"""The bearer token (ELEKTROMAIL_HTTP_TOKEN): an ASGI guard in front of the whole control plane.

Every request needs ``Authorization: Bearer <token>`` (compared in constant time) when a token is
configured, with three exceptions: browsers cannot set headers on a link, so ``/docs`` and
``/openapi.json`` also take ``?token=`` (the Swagger UI then sends the header itself); the UI's static
files hold no data (and the web inbox's pages check the token themselves, from a session cookie:
:mod:`elektromail.web.auth`); and ``/healthz`` answers a request without credentials so liveness probes need no
secret, telling it only its status (see :func:`authorized`). A wrong token is refused everywhere, so a
client that sends one learns that at once.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from elektromail.http import docs, pages
from elektromail.http.errors import error_response

QUERY_TOKEN_PATHS = frozenset({"/docs", "/openapi.json"})
OPEN_PATHS = frozenset({"/healthz"})
# Set in the ASGI scope (a key of our own, as the ASGI spec allows) when the request passed without token.
_UNAUTHORIZED = "elektromail.unauthorized"


def authorized(request: Request) -> bool:
    """Whether the request carried the token (always true when none is configured)."""
    return not request.scope.get(_UNAUTHORIZED, False)


class TokenGuard:
    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allows(scope):
            await self.app(scope, receive, send)
            return
        if scope["path"] in OPEN_PATHS and not any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app({**scope, _UNAUTHORIZED: True}, receive, send)
            return
        response = error_response(
            401, "missing or wrong bearer token", {"WWW-Authenticate": 'Bearer realm="elektromail"'}
        )
        await response(scope, receive, send)

    def allows(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path.startswith(docs.ASSET_PREFIX) or pages.owns(path):
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                return hmac.compare_digest(value, self.expected)
        if path in QUERY_TOKEN_PATHS:
            request = Request(scope)
            given = request.query_params.get("token")
            return given is not None and hmac.compare_digest(given.encode(), self.token)
        return False
