"""The app factory: the resource modules' operations become routes and the OpenAPI document.

A resource is a module of :mod:`elektromail.http.routes` holding a ``resource`` whose handlers carry
their own OpenAPI entries. To add one (an event stream, web pages), write the module and list it in
:data:`RESOURCES`; nothing else here changes. Operations of one path share a route, so a wrong method
gets a 405 whose Allow header lists every method of the path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from elektromail import __version__
from elektromail.context import ServerContext
from elektromail.http.auth import TokenGuard
from elektromail.http.errors import (
    HttpError,
    on_http_error,
    on_starlette_error,
    on_store_unavailable,
    on_unexpected_error,
)
from elektromail.http.operations import Operation, Resource
from elektromail.http.origin import OriginGuard
from elektromail.http.pages import LazyPages
from elektromail.http.plane import ControlPlane, ServerControl
from elektromail.http.routes import (
    docs,
    events,
    health,
    inject,
    message,
    messages,
    rules,
    server,
    sessions,
    tls,
    users,
)
from elektromail.store import JournalError

# In the order the OpenAPI document lists them.
RESOURCES: Sequence[Resource] = (
    server.resource,
    rules.resource,
    inject.resource,
    users.resource,
    messages.resource,
    message.resource,
    sessions.resource,
    events.resource,
    health.resource,
    tls.resource,
    docs.resource,
)

__all__ = ["RESOURCES", "ControlPlane", "ServerControl", "create_app"]


def create_app(context: ServerContext, server: ServerControl) -> tuple[ASGIApp, ControlPlane]:
    """The ASGI app for one server, and its control plane (whose waiters the supervisor releases at stop)."""
    plane = ControlPlane(context, server)
    operations = [operation for resource in RESOURCES for operation in resource.operations]
    documented = [operation for operation in operations if operation.documented]
    plane.describe = partial(_describe, documented)
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.starlette_path, {})[operation.method] = operation
    routes: list[BaseRoute] = [_route(plane, path, ops) for path, ops in by_path.items()]
    routes.append(LazyPages(context, server.reset))
    app: ASGIApp = Starlette(
        routes=routes,
        exception_handlers={
            HttpError: on_http_error,
            HTTPException: on_starlette_error,
            JournalError: on_store_unavailable,
            Exception: on_unexpected_error,
        },
    )
    token = context.config.http_token
    if token is not None:
        app = TokenGuard(app, token)
    app = OriginGuard(app, context.config)
    return app, plane


def _describe(operations: Sequence[Operation]) -> bytes:
    """The encoded OpenAPI document of ``operations``."""
    from elektromail.http.openapi import openapi_document

    return msgspec.json.encode(openapi_document(operations, __version__))


def _route(plane: ControlPlane, path: str, operations: dict[str, Operation]) -> Route:
    if all(operation.long_lived for operation in operations.values()):
        return Route(path, _LongLived(_dispatch(plane, operations)), methods=list(operations))
    return Route(path, _dispatch(plane, operations), methods=list(operations))


class _LongLived:
    """A path's handlers as a plain ASGI app (Starlette routes an object that is not a function as one).
    Their errors still reach the app's exception handlers, through its exception middleware."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)


def _dispatch(plane: ControlPlane, operations: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    handlers = {method: partial(operation.handler, plane) for method, operation in operations.items()}
    if "GET" in handlers:
        handlers["HEAD"] = handlers["GET"]

    async def handler(request: Request) -> Response:
        return await handlers[request.method](request)

    return handler
