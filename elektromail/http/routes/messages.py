"""Messages in bulk: list by filter, remove one user's mail, wait until matching mail is stored."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from elektromail.http import views
from elektromail.http.errors import RequestTimeout, Unavailable
from elektromail.http.filters import MessageFilter
from elektromail.http.operations import INVALID, UNKNOWN, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import Deleted, DeleteMessagesQuery, Error, Messages, MessagesQuery, WaitQuery
from elektromail.http.wait import wait_for_messages
from elektromail.store.model import Mailbox, Message

resource = Resource()


def _listed(found: Iterable[tuple[Mailbox, Message]]) -> Response:
    return json_response(Messages(messages=[views.summary(mailbox, message) for mailbox, message in found]))


@resource.operation(
    "GET",
    "/messages",
    "listMessages",
    "List message summaries",
    {200: Answer("matching messages", Messages), **INVALID, **UNKNOWN},
    query=MessagesQuery,
)
async def list_messages(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, MessagesQuery)
    # Naming a user that does not exist (or its missing mailbox) is an error, not an empty list.
    if query.user is not None:
        if query.mailbox is not None:
            plane.find_mailbox(query.user, query.mailbox)
        else:
            plane.find_account(query.user)
    return _listed(MessageFilter(query).matches(plane.store))


@resource.operation(
    "DELETE",
    "/messages",
    "deleteMessages",
    "Remove one user's mail, from every mailbox or one",
    {200: Answer("how many messages were removed", Deleted), **INVALID, **UNKNOWN},
    query=DeleteMessagesQuery,
    description="Nobody else's mail is touched; the user and its mailboxes stay.",
)
async def delete_messages(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, DeleteMessagesQuery)
    if query.mailbox is not None:
        mailboxes = [plane.find_mailbox(query.user, query.mailbox)]
    else:
        mailboxes = list(plane.find_account(query.user).mailboxes.values())
    return json_response(Deleted(deleted=await plane.store.remove_messages(mailboxes)))


@resource.operation(
    "GET",
    "/messages/wait",
    "waitForMessages",
    "Wait until matching mail is stored",
    {
        200: Answer("at least `count` matching messages (all of them are listed)", Messages),
        **INVALID,
        408: Answer("not enough matching mail before the timeout", Error),
        503: Answer("the server is stopping", Error),
    },
    query=WaitQuery,
    description="Answers as soon as `count` messages match (mail already there counts too).",
)
async def wait(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, WaitQuery)
    found = await wait_for_messages(plane.store, plane.waiters, query)
    if found is None:
        if plane.waiters.closed:
            raise Unavailable("server is stopping")
        raise RequestTimeout(f"fewer than {query.count} matching messages after {query.timeout:g} s")
    return _listed(found)
