"""The server as a whole: back to the start state, purge every message, the running configuration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.operations import Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Status

resource = Resource()


def _clearing_operation(
    path: str,
    operation_id: str,
    summary: str,
    answer: str,
    status: str,
    clear: Callable[[ControlPlane], Awaitable[None]],
) -> None:
    """An operation that clears part of the server's state; session transcripts go with it, and event
    listeners hear that everything changed."""

    async def handler(plane: ControlPlane, request: Request) -> Response:
        await clear(plane)
        plane.context.transcripts.clear()
        plane.context.publisher.reset()
        return json_response(Status(status=status))

    resource.operation("POST", path, operation_id, summary, {200: Answer(answer, Status)})(handler)


_clearing_operation(
    "/reset",
    "reset",
    "Back to the start state",
    "seed users, preloaded fixtures and configured rules restored; transcripts forgotten",
    "reset",
    lambda plane: plane.server.reset(),
)
_clearing_operation(
    "/purge",
    "purge",
    "Remove every message, keep users and mailboxes",
    "all messages and session transcripts removed",
    "purged",
    lambda plane: plane.store.purge(),
)


@resource.operation(
    "GET",
    "/config",
    "getConfig",
    "The running configuration (no passwords, no token)",
    {200: Answer("every setting", dict[str, Any])},
)
async def config(plane: ControlPlane, request: Request) -> Response:
    settings = plane.context.config
    snapshot: dict[str, Any] = msgspec.to_builtins(settings)
    snapshot["users"] = [{"name": user.name, "email": user.email} for user in settings.users]
    del snapshot["http_token"]
    snapshot["http_token_set"] = settings.http_token is not None
    return json_response(snapshot)
