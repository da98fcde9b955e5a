"""``POST /inject``: deliver a message without SMTP (the work is in :mod:`elektromail.http.inject`)."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.inject import inject
from elektromail.http.operations import INVALID_JSON, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Error, Inject, Injected

resource = Resource()
_inject = msgspec.json.Decoder(Inject)


@resource.operation(
    "POST",
    "/inject",
    "inject",
    "Deliver a message without SMTP",
    {
        201: Answer("stored; one entry per recipient user", Injected),
        **INVALID_JSON,
        413: Answer("larger than ELEKTROMAIL_MAX_MESSAGE_SIZE", Error),
    },
    body=Inject,
    description=(
        "Either `raw` (RFC 5322 text) or `subject`/`text`/`html`. Recipients are routed like SMTP "
        "(local part, `+tag` stripped, users created as needed) into INBOX, or appended to "
        "`mailbox` with `flags` and `internal_date` when any of those is given."
    ),
)
async def post_inject(plane: ControlPlane, request: Request) -> Response:
    body = await plane.read_body(request, _inject)
    context = plane.context
    refs = await inject(plane.store, context.delivery.router, body, context.config.max_message_size)
    return json_response(Injected(messages=refs), 201)
