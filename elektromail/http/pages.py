"""The web inbox's routes, loaded on the first request for one of its paths.

The pages bring Jinja2 and their own modules, some 4 MiB that a server driven only over SMTP, IMAP
and the JSON API never needs. Their paths are known here without importing them: the same set as
:func:`elektromail.web.owns` (a unit test keeps the two equal), so the bearer-token check and the
routing decide without loading the pages, and a request elsewhere never loads them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from elektromail.context import ServerContext

PAGE_PREFIXES = ("/u/", "/m/", "/web/")
PAGE_PATHS = frozenset({"/", "/latest"})
# The matched page route travels in the ASGI scope from matches() to handle() (a key of our own).
_PAGE_ROUTE = "elektromail.page_route"


def owns(path: str) -> bool:
    """Whether ``path`` is one of the web inbox's (it checks the token itself, from a session cookie)."""
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIXES)


class LazyPages(BaseRoute):
    """Stands for every route of the web inbox; builds them on the first request for a page path."""

    def __init__(self, context: ServerContext, reset: Callable[[], Awaitable[None]]) -> None:
        self._context = context
        self._reset = reset
        self._routes: Sequence[BaseRoute] | None = None

    @property
    def routes(self) -> Sequence[BaseRoute]:
        if self._routes is None:
            from elektromail import web

            self._routes = web.routes(self._context, self._reset)
        return self._routes

    @property
    def loaded(self) -> bool:
        return self._routes is not None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not owns(scope["path"]):
            return Match.NONE, {}
        partial: tuple[Match, Scope] = (Match.NONE, {})
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, {**child_scope, _PAGE_ROUTE: route}
            if match is Match.PARTIAL and partial[0] is Match.NONE:
                partial = (match, {**child_scope, _PAGE_ROUTE: route})
        return partial

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope[_PAGE_ROUTE]
        scope["route"] = route
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)
