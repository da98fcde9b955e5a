"""How a resource module declares its operations: each handler carries its own OpenAPI entry.

A resource module holds one :class:`Resource` and decorates each handler with :meth:`Resource.operation`,
giving method, path, summary and documented answers beside the code that produces them. The app factory
(:mod:`elektromail.http.app`) turns every resource's operations into routes and the OpenAPI document, so a
new route is a new decorated function (and, for a new module, one line in the factory's list).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.schemas import Error

if TYPE_CHECKING:
    from elektromail.http.plane import ControlPlane

Handler = Callable[["ControlPlane", Request], Awaitable[Response]]


@dataclass(frozen=True)
class Answer:
    """One documented response: its description and JSON type, or another media type."""

    description: str
    type: Any = None
    media_type: str | None = None


# Answers many operations share.
INVALID = {422: Answer("a field is missing or has the wrong type or value", Error)}
INVALID_JSON = {400: Answer("the body is not JSON", Error), **INVALID}
UNKNOWN = {404: Answer("no such user, mailbox or UID", Error)}
UNKNOWN_ID = {404: Answer("no message with this id", Error)}


@dataclass(frozen=True)
class Operation:
    """One method on one path. ``route_path`` is the Starlette form when it differs (``{uid:int}``);
    operations with ``documented`` false (the docs pages themselves) stay out of the OpenAPI document."""

    method: str
    path: str
    operation_id: str
    summary: str
    handler: Handler
    responses: Mapping[int, Answer]
    query: type[msgspec.Struct] | None = None
    body: Any = None  # a msgspec.Struct type, or a list of one
    description: str = ""
    route_path: str = ""
    documented: bool = True
    # A response that stays open (an event stream): routed as a plain ASGI app, without Starlette's
    # per-request wrapper, whose suspended frames it would otherwise hold for as long as it is open.
    long_lived: bool = False

    @property
    def starlette_path(self) -> str:
        return self.route_path or self.path


class Resource:
    """The operations of one resource module, in the order they are declared."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        operation_id: str,
        summary: str,
        responses: Mapping[int, Answer],
        *,
        query: type[msgspec.Struct] | None = None,
        body: Any = None,
        description: str = "",
        route_path: str = "",
        documented: bool = True,
        long_lived: bool = False,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method,
                    path,
                    operation_id,
                    summary,
                    handler,
                    responses,
                    query,
                    body,
                    description,
                    route_path,
                    documented,
                    long_lived,
                )
            )
            return handler

        return register
