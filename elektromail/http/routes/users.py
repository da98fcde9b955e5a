"""Users: list, create (usable at once by SMTP and IMAP), remove."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.errors import store_error
from elektromail.http.operations import INVALID, INVALID_JSON, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response, parse_query
from elektromail.http.schemas import Error, NewUser, User, UsersQuery
from elektromail.store import StoreError

resource = Resource()
_new_user = msgspec.json.Decoder(NewUser)


@resource.operation(
    "GET", "/users", "listUsers", "List users", {200: Answer("every user", list[User]), **INVALID}, query=UsersQuery
)
async def list_users(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, UsersQuery)
    users = [
        User(name=account.name, email=account.email if query.include_email else None)
        for account in plane.store.accounts()
    ]
    return json_response(users)


@resource.operation(
    "POST",
    "/users",
    "createUser",
    "Create a user, usable at once by SMTP and IMAP",
    {201: Answer("created", User), **INVALID_JSON, 409: Answer("the user exists", Error)},
    body=NewUser,
)
async def create_user(plane: ControlPlane, request: Request) -> Response:
    body = await plane.read_body(request, _new_user)
    try:
        account = await plane.store.add_user(body.name, body.password, body.email)
    except StoreError as error:
        raise store_error(error) from None
    return json_response(User(name=account.name, email=account.email), 201)


@resource.operation(
    "DELETE",
    "/users/{name}",
    "deleteUser",
    "Remove a user with all its mailboxes and mail",
    {204: Answer("removed"), 404: Answer("no such user", Error)},
    description="`/reset` brings back seed users; IMAP sessions with one of its mailboxes selected end.",
)
async def delete_user(plane: ControlPlane, request: Request) -> Response:
    account = plane.find_account(request.path_params["name"])
    await plane.store.remove_user(account)
    return Response(status_code=204)
