"""What every handler works with: the server's context, the supervisor, and the request helpers.

Request bodies are decoded with a decoder the resource module built once at import (msgspec's decoders
are meant to be reused); query strings are converted with ``msgspec.convert``, which needs none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.context import ServerContext
from elektromail.http.errors import NotFound, TooLarge, Unprocessable, decode_error
from elektromail.http.wait import Waiters
from elektromail.store.model import Account, Mailbox

S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")

# Room for a message of the largest allowed size once JSON-escaped (RFC 8259 7: up to 6 octets per char
# in the worst case is unreasonable; twice the size plus slack covers real mail).
BODY_OVERHEAD = 64 * 1024
JSON = "application/json"
_encode = msgspec.json.Encoder().encode


class ServerControl(Protocol):
    """What the control plane needs from the supervisor."""

    def listener_ports(self) -> dict[str, int]: ...

    async def reset(self) -> None: ...


def json_response(value: Any, status: int = 200) -> Response:
    return Response(_encode(value), status, media_type=JSON)


def parse_query(request: Request, kind: type[S]) -> S:
    try:
        return msgspec.convert(dict(request.query_params), kind, strict=False)
    except msgspec.ValidationError as error:
        raise Unprocessable(f"query: {error}") from None


class ControlPlane:
    """One server's state as the handlers see it. ``openapi`` is the encoded document, built on first
    read by the function the app factory gives once every resource's operations are known."""

    def __init__(self, context: ServerContext, server: ServerControl) -> None:
        self.context = context
        self.store = context.store
        self.server = server
        self.waiters = Waiters()
        self.body_limit = context.config.max_message_size * 2 + BODY_OVERHEAD
        self.describe: Callable[[], bytes] = bytes
        self._openapi: bytes | None = None

    @property
    def openapi(self) -> bytes:
        # Built on first request, not at start-up: schemas of every type cost time and some memory.
        if self._openapi is None:
            self._openapi = self.describe()
        return self._openapi

    async def read_body(self, request: Request, decoder: msgspec.json.Decoder[T]) -> T:
        body = await self.read_bytes(request)
        try:
            return decoder.decode(body)
        except msgspec.DecodeError as error:
            raise decode_error(error) from None

    async def read_bytes(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.body_limit:
            raise TooLarge(f"request body is larger than {self.body_limit} octets")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.body_limit:
                raise TooLarge(f"request body is larger than {self.body_limit} octets")
        return bytes(body)

    def find_account(self, user: str) -> Account:
        account = self.store.account(user)
        if account is None:
            raise NotFound(f"no user {user!r}")
        return account

    def find_mailbox(self, user: str, mailbox_name: str) -> Mailbox:
        account = self.find_account(user)
        mailbox = account.mailbox(mailbox_name)
        if mailbox is None:
            raise NotFound(f"user {account.name!r} has no mailbox {mailbox_name!r}")
        return mailbox
