"""One message, by IMAP UID in a user's mailbox or by its server-wide id: details, raw, flags, remove."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http import views
from elektromail.http.errors import NotFound, Unprocessable
from elektromail.http.flags import FlagChange, InvalidFlag, change_flags, checked_change
from elektromail.http.operations import INVALID, INVALID_JSON, UNKNOWN, UNKNOWN_ID, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import Detail, Error, MessageQuery, Summary
from elektromail.store.model import Mailbox, Message

resource = Resource()
_flag_change = msgspec.json.Decoder(FlagChange)
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


@resource.operation(
    "PATCH",
    "/messages/by-id/{id}",
    "changeFlagsById",
    "Add and remove flags of one message, as IMAP STORE would",
    {
        200: Answer("the message with its flags now", Summary),
        **INVALID_JSON,
        422: Answer("a flag STORE would refuse (\\Recent, an unknown system flag, not an atom)", Error),
        **UNKNOWN_ID,
    },
    body=FlagChange,
    description=(
        "MODSEQ advances once; IMAP sessions with the mailbox selected hear an untagged FETCH (IDLE too), "
        "and `* FLAGS` first when a keyword is new to the mailbox."
    ),
)
async def change_flags_by_id(plane: ControlPlane, request: Request) -> Response:
    mailbox, message = by_id(plane, request)
    change = await plane.read_body(request, _flag_change)
    try:
        add, remove = checked_change(change)
    except InvalidFlag as error:
        raise Unprocessable(str(error)) from None
    await change_flags(plane.store, mailbox, [message], add, remove)
    return json_response(views.summary(mailbox, message))
