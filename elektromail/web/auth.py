"""The token, asked once: with ``ELEKTROMAIL_HTTP_TOKEN`` set, the pages want a session cookie.

The login form posts the token in its body (never in a URL); the answer sets an HttpOnly,
SameSite=Strict cookie whose value is an HMAC of the token, so the token itself is never stored in the
browser. Without a valid cookie (or the API's bearer header) a page redirects to the login form and
anything else is refused, so nothing of the mail is served.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from starlette.requests import Request

COOKIE_NAME = "elektromail_session"
LOGIN_PATH = "/web/login"
_COOKIE_CONTEXT = b"elektromail web session v1"


def session_value(token: str) -> str:
    return hmac.new(token.encode(), _COOKIE_CONTEXT, hashlib.sha256).hexdigest()


def token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def authorised(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie is not None and hmac.compare_digest(cookie.encode(), session_value(token).encode()):
        return True
    header = request.headers.get("authorization")
    return header is not None and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def local_target(target: str | None, default: str = "/") -> str:
    """A redirect target the server chose or a path on this server; never another host (//evil, \\\\evil)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return default
    return target


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN_PATH}?next={quote(here, safe='')}"
