"""Messages in bulk: find by query, change flags of matches, remove one user's mail, wait for mail."""

from __future__ import annotations

import time
from collections.abc import Iterable

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http import views
from elektromail.http.errors import BadRequest, RequestTimeout, Unavailable, Unprocessable
from elektromail.http.filters import MessageFilter
from elektromail.http.flags import FlagsChanged, InvalidFlag, QueryFlagChange, change_flags, checked_change
from elektromail.http.operations import INVALID, INVALID_JSON, UNKNOWN, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import (
    Deleted,
    DeleteMessagesQuery,
    Error,
    ListQuery,
    Messages,
    MessagesPage,
    MessagesQuery,
    WaitQuery,
)
from elektromail.http.wait import wait_for_messages
from elektromail.search.query import QueryError
from elektromail.search.results import CursorError
from elektromail.search.results import matching as search_matching
from elektromail.store.model import Mailbox, Message

resource = Resource()
_query_flag_change = msgspec.json.Decoder(QueryFlagChange)
BAD_QUERY = {400: Answer("`q` is malformed (the message names the term) or `cursor` is not one of ours", Error)}


def _listed(found: Iterable[tuple[Mailbox, Message]]) -> Response:
    return json_response(Messages(messages=[views.summary(mailbox, message) for mailbox, message in found]))


def message_filter(query: MessagesQuery) -> MessageFilter:
    try:
        return MessageFilter(query)
    except QueryError as error:
        raise BadRequest(f"q: {error}") from None


@resource.operation(
    "GET",
    "/messages",
    "listMessages",
    "Find messages, newest first, a page at a time",
    {200: Answer("a page of matching messages", MessagesPage), **BAD_QUERY, **INVALID, **UNKNOWN},
    query=ListQuery,
    description=(
        "Every filter given must match; `q` takes the query language of docs/http.md. Newest first (by "
        "internal date): `limit` messages, the `total` that match, and a `cursor` for the next page."
    ),
)
async def list_messages(plane: ControlPlane, request: Request) -> Response:
    started = time.perf_counter()
    query = parse_query(request, ListQuery)
    # Naming a user that does not exist (or its missing mailbox) is an error, not an empty list.
    if query.user is not None:
        if query.mailbox is not None:
            plane.find_mailbox(query.user, query.mailbox)
        else:
            plane.find_account(query.user)
    try:
        page = message_filter(query).page(plane.store, query.limit, query.cursor)
    except CursorError as error:
        raise BadRequest(f"cursor: {error}") from None
    body = MessagesPage(
        messages=[views.summary(mailbox, message) for mailbox, message in page.found],
        total=page.total,
        cursor=page.cursor,
    )
    response = json_response(body)
    # How long the search took on the server, for clients and the bench to read (W3C Server Timing).
    response.headers["server-timing"] = f"search;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


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
        **BAD_QUERY,
        **INVALID,
        408: Answer("not enough matching mail before the timeout", Error),
        503: Answer("the server is stopping", Error),
    },
    query=WaitQuery,
    description="Answers as soon as `count` messages match (mail already there counts too).",
)
async def wait(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, WaitQuery)
    found = await wait_for_messages(plane.store, plane.waiters, query, message_filter(query))
    if found is None:
        if plane.waiters.closed:
            raise Unavailable("server is stopping")
        raise RequestTimeout(f"fewer than {query.count} matching messages after {query.timeout:g} s")
    return _listed(found)


@resource.operation(
    "POST",
    "/messages/flags",
    "changeFlagsOfMatches",
    "Add and remove flags of every message a query matches, as IMAP STORE would",
    {
        200: Answer("how many messages matched, and how many changed", FlagsChanged),
        **BAD_QUERY,
        **INVALID_JSON,
        422: Answer("a flag STORE would refuse", Error),
    },
    body=QueryFlagChange,
    description='`{"q": "user:alice is:unseen", "add": ["\\\\Seen"]}` marks all of Alice\'s mail read.',
)
async def change_flags_of_matches(plane: ControlPlane, request: Request) -> Response:
    change = await plane.read_body(request, _query_flag_change)
    try:
        add, remove = checked_change(change)
    except InvalidFlag as error:
        raise Unprocessable(str(error)) from None
    matcher = message_filter(MessagesQuery(q=change.q))
    matched = changed = 0
    for mailbox, found in search_matching(plane.store.accounts(), matcher.compiled):
        matched += len(found)
        changed += len(await change_flags(plane.store, mailbox, found, add, remove))
    return json_response(FlagsChanged(matched=matched, changed=changed))
