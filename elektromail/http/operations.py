"""One table entry per HTTP operation: it drives both the routes and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Answer:
    """One documented response: its description and JSON type, or another media type."""

    description: str
    type: Any = None
    media_type: str | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    handler: Handler
    responses: Mapping[int, Answer]
    query: type[msgspec.Struct] | None = None
    body: Any = None  # a msgspec.Struct type, or a list of one
    description: str = ""
    route_path: str = field(default="")

    @property
    def starlette_path(self) -> str:
        return self.route_path or self.path
