"""Requests a browser may not make: another site acting or listening, and names rebound to loopback.

A browser on the same machine runs pages of every site. Without these checks a page of any site could
POST ``/purge`` (a form needs no CORS) or read ``/events`` through a DNS name it re-points at 127.0.0.1.

- Cross-site: a request that changes state (any method but GET/HEAD/OPTIONS) or opens an event stream is
  refused when the browser says it comes from another origin (``Sec-Fetch-Site`` other than
  ``same-origin``/``none``, or an ``Origin`` that is not this server's). Clients that are not browsers
  send neither header and are not affected.
- DNS rebinding: when the server is bound to a loopback address, the ``Host`` must be that address,
  ``localhost``, a name of ``ELEKTROMAIL_TLS_HOSTNAMES`` or of ``ELEKTROMAIL_HTTP_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

from elektromail.config import Config
from elektromail.http.errors import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths whose GET is a long-lived stream of the server's changes: reading it is as sensitive as acting.
STREAM_PATHS = frozenset({"/events", "/web/live"})
SAME_ORIGIN_FETCHES = frozenset({b"same-origin", b"none"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(address: str) -> bool:
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """The name part of a Host header: ``[::1]:8025`` -> ``::1``, ``Example:80`` -> ``example``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


class OriginGuard:
    """Refuses cross-site state changes and streams, and foreign Host names on a loopback-bound server."""

    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.allowed_hosts: frozenset[str] | None = None
        if is_loopback(config.bind_addr):
            names = (*LOOPBACK_NAMES, config.bind_addr, *config.tls_hostnames, *config.http_allowed_hosts)
            self.allowed_hosts = frozenset(name.lower() for name in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = self.refusal(scope)
            if reason is not None:
                await error_response(403, reason)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.allowed_hosts is not None and host_name(host) not in self.allowed_hosts:
            return f"Host {host!r} is not a name of this server (ELEKTROMAIL_HTTP_ALLOWED_HOSTS adds names)"
        if scope["method"] in SAFE_METHODS and scope["path"] not in STREAM_PATHS:
            return None
        site = headers.get(b"sec-fetch-site")
        if site is not None and site not in SAME_ORIGIN_FETCHES:
            return "cross-site request refused"
        origin = headers.get(b"origin")
        if origin is not None:
            scheme = "https" if scope.get("scheme") == "https" else "http"
            if origin.decode("latin-1").lower() != f"{scheme}://{host.lower()}":
                return "cross-origin request refused"
        return None
