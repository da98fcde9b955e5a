"""One message, by IMAP UID in a user's mailbox or by its server-wide id: details, raw, flags, remove."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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


Locate = Callable[[ControlPlane, Request], tuple[Mailbox, Message]]


def _one_message_operations(
    locate: Locate,
    path: str,
    id_suffix: str,
    by_what: str,
    unknown: Mapping[int, Answer],
    query: type[msgspec.Struct] | None = None,
    route_path: str = "",
) -> None:
    """Details, raw source and removal of the message ``locate`` finds: the same three operations for each
    way of naming a message (``by_what`` says which in the summaries, ``id_suffix`` in the operation ids)."""

    async def get(plane: ControlPlane, request: Request) -> Response:
        return json_response(views.detail(*locate(plane, request)))

    async def get_raw(plane: ControlPlane, request: Request) -> Response:
        _, message = locate(plane, request)
        return Response(message.source, media_type=RFC822)

    async def delete(plane: ControlPlane, request: Request) -> Response:
        mailbox, message = locate(plane, request)
        await plane.store.expunge(mailbox, [message.uid])
        return Response(status_code=204)

    raw_summary = f"One message{by_what + ',' if by_what else ''} as stored (message/rfc822)"
    for method, suffix, operation_id, summary, answer, handler in (
        ("GET", "", "getMessage", f"One message{by_what}: headers, text and HTML bodies, attachments",
         Answer("the message", Detail), get),
        ("GET", "/raw", "getRawMessage", raw_summary, Answer("the raw message", media_type=RFC822), get_raw),
        ("DELETE", "", "deleteMessage", f"Remove one message{by_what}", Answer("removed"), delete),
    ):  # fmt: skip
        resource.operation(
            method,
            path + suffix,
            operation_id + id_suffix,
            summary,
            {200 if method == "GET" else 204: answer, **unknown},
            query=query,
            route_path=route_path and route_path + suffix,
        )(handler)


_one_message_operations(by_uid, "/messages/{uid}", "", "", {**INVALID, **UNKNOWN}, MessageQuery, "/messages/{uid:int}")
_one_message_operations(by_id, "/messages/by-id/{id}", "ById", " by its server-wide id", UNKNOWN_ID)


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
