"""One message, by IMAP UID in a user's mailbox or by its server-wide id: details, raw, remove."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail.http import views
from elektromail.http.errors import NotFound
from elektromail.http.operations import INVALID, UNKNOWN, UNKNOWN_ID, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import Detail, MessageQuery
from elektromail.store.model import Mailbox, Message

resource = Resource()
RFC822 = "message/rfc822"
MAX_UID = 2**32 - 1


def by_uid(plane: ControlPlane, request: Request) -> tuple[Mailbox, Message]:
    uid: int = request.path_params["uid"]
    # Out-of-range UIDs are simply not found (the path converter already refused non-digits).
    if not 1 <= uid <= MAX_UID:
        raise NotFound(f"no message with UID {uid}")
    query = parse_query(request, MessageQuery)
    mailbox = plane.find_mailbox(query.user, query.mailbox)
    message = mailbox.by_uid.get(uid)
    if message is None:
        raise NotFound(f"no message with UID {uid} in {mailbox.account.name}/{mailbox.name}")
    return mailbox, message


def by_id(plane: ControlPlane, request: Request) -> tuple[Mailbox, Message]:
    message_id: str = request.path_params["id"]
    found = plane.store.message_by_id(message_id)
    if found is None:
        raise NotFound(f"no message with id {message_id!r}")
    return found


async def _remove(plane: ControlPlane, mailbox: Mailbox, message: Message) -> Response:
    await plane.store.expunge(mailbox, [message.uid])
    return Response(status_code=204)


@resource.operation(
    "GET",
    "/messages/{uid}",
    "getMessage",
    "One message: headers, text and HTML bodies, attachments",
    {200: Answer("the message", Detail), **INVALID, **UNKNOWN},
    query=MessageQuery,
    route_path="/messages/{uid:int}",
)
async def get_message(plane: ControlPlane, request: Request) -> Response:
    return json_response(views.detail(*by_uid(plane, request)))


@resource.operation(
    "GET",
    "/messages/{uid}/raw",
    "getRawMessage",
    "One message as stored (message/rfc822)",
    {200: Answer("the raw message", media_type=RFC822), **INVALID, **UNKNOWN},
    query=MessageQuery,
    route_path="/messages/{uid:int}/raw",
)
async def get_raw(plane: ControlPlane, request: Request) -> Response:
    _, message = by_uid(plane, request)
    return Response(message.source, media_type=RFC822)


@resource.operation(
    "DELETE",
    "/messages/{uid}",
    "deleteMessage",
    "Remove one message",
    {204: Answer("removed"), **INVALID, **UNKNOWN},
    query=MessageQuery,
    route_path="/messages/{uid:int}",
)
async def delete_message(plane: ControlPlane, request: Request) -> Response:
    return await _remove(plane, *by_uid(plane, request))


@resource.operation(
    "GET",
    "/messages/by-id/{id}",
    "getMessageById",
    "One message by its server-wide id: headers, text and HTML bodies, attachments",
    {200: Answer("the message", Detail), **UNKNOWN_ID},
)
async def get_by_id(plane: ControlPlane, request: Request) -> Response:
    return json_response(views.detail(*by_id(plane, request)))


@resource.operation(
    "GET",
    "/messages/by-id/{id}/raw",
    "getRawMessageById",
    "One message by its server-wide id, as stored (message/rfc822)",
    {200: Answer("the raw message", media_type=RFC822), **UNKNOWN_ID},
)
async def get_raw_by_id(plane: ControlPlane, request: Request) -> Response:
    _, message = by_id(plane, request)
    return Response(message.source, media_type=RFC822)


@resource.operation(
    "DELETE",
    "/messages/by-id/{id}",
    "deleteMessageById",
    "Remove one message by its server-wide id",
    {204: Answer("removed"), **UNKNOWN_ID},
)
async def delete_by_id(plane: ControlPlane, request: Request) -> Response:
    return await _remove(plane, *by_id(plane, request))
