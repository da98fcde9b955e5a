"""The server as a whole: back to the start state, purge every message, the running configuration."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.operations import Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Status

resource = Resource()


def _forget_activity(plane: ControlPlane) -> None:
    """Session transcripts go with the mail; event listeners hear that everything changed."""
    plane.context.transcripts.clear()
    plane.context.publisher.reset()


@resource.operation(
    "POST",
    "/reset",
    "reset",
    "Back to the start state",
    {200: Answer("seed users, preloaded fixtures and configured rules restored; transcripts forgotten", Status)},
)
async def reset(plane: ControlPlane, request: Request) -> Response:
    await plane.server.reset()
    _forget_activity(plane)
    return json_response(Status(status="reset"))


@resource.operation(
    "POST",
    "/purge",
    "purge",
    "Remove every message, keep users and mailboxes",
    {200: Answer("all messages and session transcripts removed", Status)},
)
async def purge(plane: ControlPlane, request: Request) -> Response:
    await plane.store.purge()
    _forget_activity(plane)
    return json_response(Status(status="purged"))


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
