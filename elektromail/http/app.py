"""The Starlette application of the HTTP control plane: handlers, the operation table, token check."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from elektromail import __version__, web
from elektromail.context import ServerContext
from elektromail.delivery.rules import DsnRule, RuleError, parse_rules
from elektromail.http import docs, views
from elektromail.http.errors import (
    HttpError,
    decode_error,
    error_response,
    on_http_error,
    on_starlette_error,
    on_unexpected_error,
)
from elektromail.http.filters import MessageFilter
from elektromail.http.inject import InjectError, inject
from elektromail.http.openapi import openapi_document
from elektromail.http.operations import Answer, Operation
from elektromail.http.origin import OriginGuard
from elektromail.http.schemas import (
    Deleted,
    DeleteMessagesQuery,
    Detail,
    Error,
    Health,
    Inject,
    Injected,
    MessageQuery,
    Messages,
    MessagesQuery,
    NewUser,
    Status,
    User,
    UsersQuery,
    WaitQuery,
)
from elektromail.http.wait import Waiters, wait_for_messages
from elektromail.store.memory import ALREADYEXISTS, StoreError
from elektromail.store.model import Mailbox, Message

S = TypeVar("S", bound=msgspec.Struct)

# Room for a message of the largest allowed size once JSON-escaped (RFC 8259 7: up to 6 octets per char
# in the worst case is unreasonable; twice the size plus slack covers real mail).
BODY_OVERHEAD = 64 * 1024
JSON = "application/json"
_encode = msgspec.json.Encoder().encode


class ServerControl(Protocol):
    """What the control plane needs from the supervisor."""

    @property
    def ready(self) -> bool: ...

    def listener_ports(self) -> dict[str, int]: ...

    async def reset(self) -> None: ...


def json_response(value: Any, status: int = 200) -> Response:
    return Response(_encode(value), status, media_type=JSON)


def parse_query(request: Request, kind: type[S]) -> S:
    try:
        return msgspec.convert(dict(request.query_params), kind, strict=False)
    except msgspec.ValidationError as error:
        raise HttpError(422, f"query: {error}") from None


class ControlPlane:
    """The handlers, bound to one server's context."""

    def __init__(self, context: ServerContext, server: ServerControl) -> None:
        self.context = context
        self.store = context.store
        self.server = server
        self.waiters = Waiters()
        self.body_limit = context.config.max_message_size * 2 + BODY_OVERHEAD

    # ------------------------------------------------------------ helpers

    async def read_body(self, request: Request, kind: type[S]) -> S:
        body = await self.read_bytes(request)
        try:
            return msgspec.json.decode(body, type=kind)
        except msgspec.DecodeError as error:
            raise decode_error(error) from None

    async def read_bytes(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.body_limit:
            raise HttpError(413, f"request body is larger than {self.body_limit} octets")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.body_limit:
                raise HttpError(413, f"request body is larger than {self.body_limit} octets")
        return bytes(body)

    def find_mailbox(self, user: str, mailbox_name: str) -> Mailbox:
        account = self.store.account(user)
        if account is None:
            raise HttpError(404, f"no user {user!r}")
        mailbox = account.mailbox(mailbox_name)
        if mailbox is None:
            raise HttpError(404, f"user {account.name!r} has no mailbox {mailbox_name!r}")
        return mailbox

    def find_message(self, request: Request) -> tuple[Mailbox, Message]:
        query = parse_query(request, MessageQuery)
        mailbox = self.find_mailbox(query.user, query.mailbox)
        uid: int = request.path_params["uid"]
        message = mailbox.by_uid.get(uid)
        if message is None:
            raise HttpError(404, f"no message with UID {uid} in {mailbox.account.name}/{mailbox.name}")
        return mailbox, message

    def find_by_id(self, request: Request) -> tuple[Mailbox, Message]:
        message_id: str = request.path_params["id"]
        found = self.store.message_by_id(message_id)
        if found is None:
            raise HttpError(404, f"no message with id {message_id!r}")
        return found

    # ------------------------------------------------------------ handlers

    async def reset(self, request: Request) -> Response:
        await self.server.reset()
        return json_response(Status(status="reset"))

    async def get_rules(self, request: Request) -> Response:
        return json_response(self.context.delivery.rules.rules)

    async def put_rules(self, request: Request) -> Response:
        body = await self.read_bytes(request)
        try:
            rules = parse_rules(body if body.strip() else b"null")
        except RuleError as error:
            raise HttpError(400 if error.malformed else 422, str(error)) from None
        # A new rule set starts afresh: counts of `times`, random draws and greylisted pairs.
        self.context.delivery.rules = rules
        return json_response(rules.rules)

    async def purge(self, request: Request) -> Response:
        await self.store.purge()
        return json_response(Status(status="purged"))

    async def inject(self, request: Request) -> Response:
        body = await self.read_body(request, Inject)
        try:
            refs = await inject(self.store, self.context.delivery.router, body, self.context.config.max_message_size)
        except InjectError as error:
            status = 413 if "larger than" in str(error) else 422
            raise HttpError(status, str(error)) from None
        return json_response(Injected(messages=refs), 201)

    async def list_users(self, request: Request) -> Response:
        query = parse_query(request, UsersQuery)
        users = [
            User(name=account.name, email=account.email if query.include_email else None)
            for account in self.store.accounts()
        ]
        return json_response(users)

    async def create_user(self, request: Request) -> Response:
        body = await self.read_body(request, NewUser)
        try:
            account = await self.store.add_user(body.name, body.password, body.email)
        except StoreError as error:
            raise HttpError(409 if error.code == ALREADYEXISTS else 422, str(error)) from None
        return json_response(User(name=account.name, email=account.email), 201)

    async def delete_user(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        account = self.store.account(name)
        if account is None:
            raise HttpError(404, f"no user {name!r}")
        await self.store.remove_user(account)
        return Response(status_code=204)

    async def config(self, request: Request) -> Response:
        config = self.context.config
        snapshot: dict[str, Any] = msgspec.to_builtins(config)
        snapshot["users"] = [{"name": user.name, "email": user.email} for user in config.users]
        del snapshot["http_token"]
        snapshot["http_token_set"] = config.http_token is not None
        return json_response(snapshot)

    async def list_messages(self, request: Request) -> Response:
        query = parse_query(request, MessagesQuery)
        # Naming a user that does not exist (or its missing mailbox) is an error, not an empty list.
        if query.user is not None:
            account = self.store.account(query.user)
            if account is None:
                raise HttpError(404, f"no user {query.user!r}")
            if query.mailbox is not None and account.mailbox(query.mailbox) is None:
                raise HttpError(404, f"user {account.name!r} has no mailbox {query.mailbox!r}")
        found = MessageFilter(query).matches(self.store)
        return json_response(Messages(messages=[views.summary(mailbox, message) for mailbox, message in found]))

    async def delete_messages(self, request: Request) -> Response:
        query = parse_query(request, DeleteMessagesQuery)
        if query.mailbox is not None:
            mailboxes = [self.find_mailbox(query.user, query.mailbox)]
        else:
            account = self.store.account(query.user)
            if account is None:
                raise HttpError(404, f"no user {query.user!r}")
            mailboxes = list(account.mailboxes.values())
        return json_response(Deleted(deleted=await self.store.remove_messages(mailboxes)))

    async def wait(self, request: Request) -> Response:
        query = parse_query(request, WaitQuery)
        found = await wait_for_messages(self.store, self.waiters, query)
        if found is None:
            if self.waiters.closed:
                raise HttpError(503, "server is stopping")
            raise HttpError(408, f"fewer than {query.count} matching messages after {query.timeout:g} s")
        return json_response(Messages(messages=[views.summary(mailbox, message) for mailbox, message in found]))

    async def get_message(self, request: Request) -> Response:
        mailbox, message = self.find_message(request)
        return json_response(views.detail(mailbox, message))

    async def get_raw(self, request: Request) -> Response:
        _, message = self.find_message(request)
        return Response(message.source, media_type="message/rfc822")

    async def delete_message(self, request: Request) -> Response:
        mailbox, message = self.find_message(request)
        await self.store.expunge(mailbox, [message.uid])
        return Response(status_code=204)

    async def get_by_id(self, request: Request) -> Response:
        mailbox, message = self.find_by_id(request)
        return json_response(views.detail(mailbox, message))

    async def get_raw_by_id(self, request: Request) -> Response:
        _, message = self.find_by_id(request)
        return Response(message.source, media_type="message/rfc822")

    async def delete_by_id(self, request: Request) -> Response:
        mailbox, message = self.find_by_id(request)
        await self.store.expunge(mailbox, [message.uid])
        return Response(status_code=204)

    async def healthz(self, request: Request) -> Response:
        if not self.server.ready or self.context.stopping:
            status = "stopping" if self.context.stopping else "starting"
            health = Health(status=status, listeners={}, version=__version__)
            return Response(_encode(health), 503, media_type=JSON)
        return json_response(Health(status="ok", listeners=self.server.listener_ports(), version=__version__))

    async def tls_certificate(self, request: Request) -> Response:
        if self.context.tls is None:
            raise HttpError(404, "TLS is not enabled on this server")
        material = await self.context.tls.material()
        return Response(material.certificate_pem, media_type="application/x-pem-file")

    async def openapi(self, request: Request) -> Response:
        return Response(self.openapi_bytes, media_type=JSON)

    async def docs_page(self, request: Request) -> Response:
        return HTMLResponse(docs.page(request.query_params.get("token")))

    async def docs_asset(self, request: Request) -> Response:
        found = docs.asset(request.path_params["name"])
        if found is None:
            raise HttpError(404, "no such file")
        content, media_type = found
        return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})

    # ------------------------------------------------------------ the table

    def operations(self) -> list[Operation]:
        error = Error
        bad = {422: Answer("a field is missing or has the wrong type or value", error)}
        bad_json = {400: Answer("the body is not JSON", error), **bad}
        unknown = {404: Answer("no such user, mailbox or UID", error)}
        unknown_id = {404: Answer("no message with this id", error)}
        return [
            Operation(
                "POST",
                "/reset",
                "reset",
                "Back to the start state",
                self.reset,
                {200: Answer("seed users, preloaded fixtures and configured rules restored; nothing else", Status)},
            ),
            Operation(
                "GET",
                "/rules",
                "getRules",
                "The delivery and fault rules in force",
                self.get_rules,
                {200: Answer("the rules, first to last, as ELEKTROMAIL_DSN_RULES writes them", list[DsnRule])},
            ),
            Operation(
                "PUT",
                "/rules",
                "putRules",
                "Replace every delivery and fault rule at once",
                self.put_rules,
                {200: Answer("the rules now in force", list[DsnRule]), **bad_json},
                body=list[DsnRule],
                description=(
                    "Same JSON as `ELEKTROMAIL_DSN_RULES`. Counts of `times`, probability draws and greylisted "
                    "pairs start afresh. `POST /reset` restores the configured rules."
                ),
            ),
            Operation(
                "POST",
                "/purge",
                "purge",
                "Remove every message, keep users and mailboxes",
                self.purge,
                {200: Answer("all messages removed", Status)},
            ),
            Operation(
                "POST",
                "/inject",
                "inject",
                "Deliver a message without SMTP",
                self.inject,
                {
                    201: Answer("stored; one entry per recipient user", Injected),
                    **bad_json,
                    413: Answer("larger than ELEKTROMAIL_MAX_MESSAGE_SIZE", error),
                },
                body=Inject,
                description=(
                    "Either `raw` (RFC 5322 text) or `subject`/`text`/`html`. Recipients are routed like SMTP "
                    "(local part, `+tag` stripped, users created as needed) into INBOX, or appended to "
                    "`mailbox` with `flags` and `internal_date` when any of those is given."
                ),
            ),
            Operation(
                "GET",
                "/users",
                "listUsers",
                "List users",
                self.list_users,
                {200: Answer("every user", list[User]), **bad},
                query=UsersQuery,
            ),
            Operation(
                "POST",
                "/users",
                "createUser",
                "Create a user, usable at once by SMTP and IMAP",
                self.create_user,
                {201: Answer("created", User), **bad_json, 409: Answer("the user exists", error)},
                body=NewUser,
            ),
            Operation(
                "DELETE",
                "/users/{name}",
                "deleteUser",
                "Remove a user with all its mailboxes and mail",
                self.delete_user,
                {204: Answer("removed"), 404: Answer("no such user", error)},
                description="`/reset` brings back seed users; IMAP sessions with one of its mailboxes selected end.",
            ),
            Operation(
                "GET",
                "/config",
                "getConfig",
                "The running configuration (no passwords, no token)",
                self.config,
                {200: Answer("every setting", dict[str, Any])},
            ),
            Operation(
                "GET",
                "/messages",
                "listMessages",
                "List message summaries",
                self.list_messages,
                {200: Answer("matching messages", Messages), **bad, **unknown},
                query=MessagesQuery,
            ),
            Operation(
                "DELETE",
                "/messages",
                "deleteMessages",
                "Remove one user's mail, from every mailbox or one",
                self.delete_messages,
                {200: Answer("how many messages were removed", Deleted), **bad, **unknown},
                query=DeleteMessagesQuery,
                description="Nobody else's mail is touched; the user and its mailboxes stay.",
            ),
            Operation(
                "GET",
                "/messages/wait",
                "waitForMessages",
                "Wait until matching mail is stored",
                self.wait,
                {
                    200: Answer("at least `count` matching messages (all of them are listed)", Messages),
                    **bad,
                    408: Answer("not enough matching mail before the timeout", error),
                    503: Answer("the server is stopping", error),
                },
                query=WaitQuery,
                description="Answers as soon as `count` messages match (mail already there counts too).",
            ),
            Operation(
                "GET",
                "/messages/{uid}",
                "getMessage",
                "One message: headers, text and HTML bodies, attachments",
                self.get_message,
                {200: Answer("the message", Detail), **bad, **unknown},
                query=MessageQuery,
                route_path="/messages/{uid:int}",
            ),
            Operation(
                "GET",
                "/messages/{uid}/raw",
                "getRawMessage",
                "One message as stored (message/rfc822)",
                self.get_raw,
                {200: Answer("the raw message", media_type="message/rfc822"), **bad, **unknown},
                query=MessageQuery,
                route_path="/messages/{uid:int}/raw",
            ),
            Operation(
                "DELETE",
                "/messages/{uid}",
                "deleteMessage",
                "Remove one message",
                self.delete_message,
                {204: Answer("removed"), **bad, **unknown},
                query=MessageQuery,
                route_path="/messages/{uid:int}",
            ),
            Operation(
                "GET",
                "/messages/by-id/{id}",
                "getMessageById",
                "One message by its server-wide id: headers, text and HTML bodies, attachments",
                self.get_by_id,
                {200: Answer("the message", Detail), **unknown_id},
            ),
            Operation(
                "GET",
                "/messages/by-id/{id}/raw",
                "getRawMessageById",
                "One message by its server-wide id, as stored (message/rfc822)",
                self.get_raw_by_id,
                {200: Answer("the raw message", media_type="message/rfc822"), **unknown_id},
            ),
            Operation(
                "DELETE",
                "/messages/by-id/{id}",
                "deleteMessageById",
                "Remove one message by its server-wide id",
                self.delete_by_id,
                {204: Answer("removed"), **unknown_id},
            ),
            Operation(
                "GET",
                "/healthz",
                "health",
                "Ready when every listener is up",
                self.healthz,
                {200: Answer("ready; bound ports by listener", Health), 503: Answer("starting or stopping", Health)},
            ),
            Operation(
                "GET",
                "/tls/certificate",
                "getTlsCertificate",
                "The server's TLS certificate (PEM), to trust in clients",
                self.tls_certificate,
                {
                    200: Answer("the certificate", media_type="application/x-pem-file"),
                    404: Answer("TLS is not enabled", error),
                },
            ),
        ]

    def build(self) -> Starlette:
        operations = self.operations()
        self.openapi_bytes = _encode(openapi_document(operations, __version__))
        # One route per path, so a wrong method gets a 405 whose Allow header lists every method of the path.
        by_path: dict[str, dict[str, Operation]] = {}
        for op in operations:
            by_path.setdefault(op.starlette_path, {})[op.method] = op
        routes: list[BaseRoute] = [Route(path, _dispatch(ops), methods=list(ops)) for path, ops in by_path.items()]
        routes.append(Route("/openapi.json", self.openapi, methods=["GET"], include_in_schema=False))
        routes.append(Route("/docs", self.docs_page, methods=["GET"], include_in_schema=False))
        routes.append(Route(docs.ASSET_PREFIX + "{name}", self.docs_asset, methods=["GET"]))
        routes += web.routes(self.context, self.server.reset, self.waiters)
        app = Starlette(
            routes=routes,
            exception_handlers={
                HttpError: on_http_error,
                HTTPException: on_starlette_error,
                Exception: on_unexpected_error,
            },
        )
        return app


def _dispatch(operations: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    handlers = {method: _checked(operation) for method, operation in operations.items()}
    if "GET" in handlers:
        handlers["HEAD"] = handlers["GET"]

    async def handler(request: Request) -> Response:
        return await handlers[request.method](request)

    return handler


def _checked(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    """Out-of-range UIDs are simply not found (the path converter already refused non-digits)."""
    if "{uid}" not in operation.path:
        return operation.handler

    async def handler(request: Request) -> Response:
        uid = request.path_params["uid"]
        if not 1 <= uid <= 2**32 - 1:
            raise HttpError(404, f"no message with UID {uid}")
        return await operation.handler(request)

    return handler


class TokenGuard:
    """``Authorization: Bearer <token>`` on every request when a token is configured (constant-time check).

    Browsers cannot set headers on a link, so ``/docs`` and ``/openapi.json`` also take ``?token=``; the
    Swagger UI then sends the header itself. The UI's own static files are public: they hold no data.
    The web inbox's pages check the token themselves (a session cookie, :mod:`elektromail.web.auth`).
    """

    QUERY_TOKEN_PATHS = frozenset({"/docs", "/openapi.json"})

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allows(scope):
            await self.app(scope, receive, send)
            return
        response = error_response(
            401, "missing or wrong bearer token", {"WWW-Authenticate": 'Bearer realm="elektromail"'}
        )
        await response(scope, receive, send)

    def allows(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path.startswith(docs.ASSET_PREFIX) or web.owns(path):
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                return hmac.compare_digest(value, self.expected)
        if path in self.QUERY_TOKEN_PATHS:
            request = Request(scope)
            given = request.query_params.get("token")
            return given is not None and hmac.compare_digest(given.encode(), self.token)
        return False


def create_app(context: ServerContext, server: ServerControl) -> tuple[ASGIApp, ControlPlane]:
    """The ASGI app for one server, and its control plane (whose waiters the supervisor releases at stop)."""
    plane = ControlPlane(context, server)
    app: ASGIApp = plane.build()
    token = context.config.http_token
    if token is not None:
        app = TokenGuard(app, token)
    app = OriginGuard(app, context.config)
    return app, plane
