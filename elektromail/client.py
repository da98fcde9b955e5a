"""A typed client for the HTTP control plane: :class:`Client` (blocking) and :class:`AsyncClient`.

Both speak through httpx and encode and decode with the very msgspec Structs the server uses
(:mod:`elektromail.http.schemas`), so a change of the server's shapes is a type error here::

    with Client("http://localhost:8025") as mail:
        mail.inject("alice@example.com", subject="Hello", text="Hi https://example.com/x")
        (message,) = mail.wait(user="alice", subject="hello")
        print(mail.message(message.id).links)

Every request of one operation is described once, as a :class:`Call`; the two clients only differ in how
they send it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from elektromail.delivery.rules import DsnRule
from elektromail.http.schemas import (
    MESSAGES_WAIT_DEFAULT_SECONDS,
    Deleted,
    DeleteMessagesQuery,
    Detail,
    Error,
    Health,
    Inject,
    Injected,
    MessageRef,
    Messages,
    MessagesQuery,
    NewUser,
    Summary,
    User,
    UsersQuery,
    WaitQuery,
)

__all__ = [
    "ApiError",
    "AsyncClient",
    "Client",
    "Detail",
    "DsnRule",
    "Health",
    "MessageRef",
    "Summary",
    "User",
    "WaitTimeout",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
# A wait's HTTP request outlives the wait itself by this much, so the server's 408 arrives first.
WAIT_MARGIN_SECONDS = 5.0

_rules_decoder = msgspec.json.Decoder(list[DsnRule])


class ApiError(Exception):
    """The server answered with an error: ``status`` and the server's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class WaitTimeout(ApiError):
    """``/messages/wait`` ran out of time (HTTP 408) before enough matching mail arrived."""


def _query(value: msgspec.Struct) -> dict[str, Any]:
    """A query Struct as query parameters: unset filters left out, booleans as the server reads them."""
    params: dict[str, Any] = {}
    for name, item in msgspec.to_builtins(value).items():
        if item is not None:
            params[name] = ("true" if item else "false") if isinstance(item, bool) else item
    return params


def _decoder(kind: type[T]) -> Callable[[httpx.Response], T]:
    decode = msgspec.json.Decoder(kind).decode
    return lambda response: decode(response.content)


def _nothing(response: httpx.Response) -> None:
    return None


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        message = msgspec.json.decode(response.content, type=Error).error
    except msgspec.DecodeError:
        message = response.text or response.reason_phrase
    kind = WaitTimeout if response.status_code == 408 else ApiError
    raise kind(response.status_code, message)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    body: msgspec.Struct | list[DsnRule] | None = None
    timeout: float | None = None  # None: the client's own

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        content = msgspec.json.encode(self.body) if self.body is not None else None
        headers = {"content-type": "application/json"} if content is not None else None
        if self.timeout is None:
            return http.build_request(self.method, self.path, params=self.params, content=content, headers=headers)
        return http.build_request(
            self.method, self.path, params=self.params, content=content, headers=headers, timeout=self.timeout
        )

    def result(self, response: httpx.Response) -> T:
        _raise_for(response)
        return self.read(response)


def _path(template: str, value: str) -> str:
    return template.format(quote(value, safe=""))


class Calls:
    """Every operation of the control plane, as a :class:`Call` (shared by both clients)."""

    @staticmethod
    def health() -> Call[Health]:
        return Call("GET", "/healthz", _decoder(Health))

    @staticmethod
    def reset() -> Call[None]:
        return Call("POST", "/reset", _nothing)

    @staticmethod
    def purge() -> Call[None]:
        return Call("POST", "/purge", _nothing)

    @staticmethod
    def users(include_email: bool) -> Call[list[User]]:
        return Call("GET", "/users", _decoder(list[User]), _query(UsersQuery(include_email=include_email)))

    @staticmethod
    def create_user(name: str, password: str, email: str | None) -> Call[User]:
        return Call("POST", "/users", _decoder(User), body=NewUser(name=name, password=password, email=email))

    @staticmethod
    def delete_user(name: str) -> Call[None]:
        return Call("DELETE", _path("/users/{}", name), _nothing)

    @staticmethod
    def messages(query: MessagesQuery) -> Call[list[Summary]]:
        return Call("GET", "/messages", lambda response: _decoder(Messages)(response).messages, _query(query))

    @staticmethod
    def wait(query: WaitQuery) -> Call[list[Summary]]:
        read = _decoder(Messages)
        timeout = query.timeout + WAIT_MARGIN_SECONDS
        return Call("GET", "/messages/wait", lambda response: read(response).messages, _query(query), None, timeout)

    @staticmethod
    def message(message_id: str) -> Call[Detail]:
        return Call("GET", _path("/messages/by-id/{}", message_id), _decoder(Detail))

    @staticmethod
    def raw(message_id: str) -> Call[bytes]:
        return Call("GET", _path("/messages/by-id/{}/raw", message_id), lambda response: response.content)

    @staticmethod
    def delete_message(message_id: str) -> Call[None]:
        return Call("DELETE", _path("/messages/by-id/{}", message_id), _nothing)

    @staticmethod
    def delete_messages(user: str, mailbox: str | None) -> Call[int]:
        read = _decoder(Deleted)
        query = _query(DeleteMessagesQuery(user=user, mailbox=mailbox))
        return Call("DELETE", "/messages", lambda response: read(response).deleted, query)

    @staticmethod
    def inject(body: Inject) -> Call[list[MessageRef]]:
        read = _decoder(Injected)
        return Call("POST", "/inject", lambda response: read(response).messages, body=body)

    @staticmethod
    def rules() -> Call[list[DsnRule]]:
        return Call("GET", "/rules", lambda response: _rules_decoder.decode(response.content))

    @staticmethod
    def set_rules(rules: Sequence[DsnRule]) -> Call[None]:
        return Call("PUT", "/rules", _nothing, body=list(rules))


def _filters(
    user: str | None, mailbox: str | None, sender: str | None, to: str | None, subject: str | None
) -> MessagesQuery:
    return MessagesQuery(user=user, mailbox=mailbox, from_=sender, to=to, subject=subject)


def _wait_query(
    user: str | None,
    mailbox: str | None,
    sender: str | None,
    to: str | None,
    subject: str | None,
    count: int,
    timeout: float,
) -> WaitQuery:
    return WaitQuery(user=user, mailbox=mailbox, from_=sender, to=to, subject=subject, count=count, timeout=timeout)


def _inject_body(
    to: str | list[str],
    subject: str | None,
    text: str | None,
    html: str | None,
    raw: str | None,
    sender: str | None,
    mailbox: str | None,
    flags: Sequence[str],
    internal_date: datetime | None,
) -> Inject:
    return Inject(
        to=to,
        from_=sender,
        subject=subject,
        text=text,
        html=html,
        raw=raw,
        mailbox=mailbox,
        flags=list(flags),
        internal_date=internal_date,
    )


def _headers(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token is not None else {}


class Client:
    """The control plane of one server, over a blocking httpx client.

    ``base_url`` is the server's HTTP address (``http://localhost:8025``); ``token`` is its
    ``ELEKTROMAIL_HTTP_TOKEN``, if it has one. Errors raise :class:`ApiError` (a timed-out wait
    :class:`WaitTimeout`).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, headers=_headers(token), timeout=timeout, transport=transport)

    def _send(self, call: Call[T]) -> T:
        return call.result(self._http.send(call.request(self._http)))

    def health(self) -> Health:
        return self._send(Calls.health())

    def reset(self) -> None:
        self._send(Calls.reset())

    def purge(self) -> None:
        self._send(Calls.purge())

    def users(self, include_email: bool = False) -> list[User]:
        return self._send(Calls.users(include_email))

    def create_user(self, name: str, password: str, email: str | None = None) -> User:
        return self._send(Calls.create_user(name, password, email))

    def delete_user(self, name: str) -> None:
        self._send(Calls.delete_user(name))

    def messages(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        sender: str | None = None,
        to: str | None = None,
        subject: str | None = None,
    ) -> list[Summary]:
        return self._send(Calls.messages(_filters(user, mailbox, sender, to, subject)))

    def wait(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        sender: str | None = None,
        to: str | None = None,
        subject: str | None = None,
        count: int = 1,
        timeout: float = MESSAGES_WAIT_DEFAULT_SECONDS,
    ) -> list[Summary]:
        return self._send(Calls.wait(_wait_query(user, mailbox, sender, to, subject, count, timeout)))

    def message(self, message_id: str) -> Detail:
        return self._send(Calls.message(message_id))

    def raw(self, message_id: str) -> bytes:
        return self._send(Calls.raw(message_id))

    def delete_message(self, message_id: str) -> None:
        self._send(Calls.delete_message(message_id))

    def delete_messages(self, user: str, mailbox: str | None = None) -> int:
        return self._send(Calls.delete_messages(user, mailbox))

    def inject(
        self,
        to: str | list[str],
        subject: str | None = None,
        text: str | None = None,
        html: str | None = None,
        raw: str | None = None,
        sender: str | None = None,
        mailbox: str | None = None,
        flags: Sequence[str] = (),
        internal_date: datetime | None = None,
    ) -> list[MessageRef]:
        body = _inject_body(to, subject, text, html, raw, sender, mailbox, flags, internal_date)
        return self._send(Calls.inject(body))

    def rules(self) -> list[DsnRule]:
        return self._send(Calls.rules())

    def set_rules(self, rules: Sequence[DsnRule]) -> None:
        self._send(Calls.set_rules(rules))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient:
    """:class:`Client`'s operations as coroutines, over an httpx ``AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self._http = httpx.AsyncClient(base_url=base_url, headers=_headers(token), timeout=timeout, transport=transport)

    async def _send(self, call: Call[T]) -> T:
        return call.result(await self._http.send(call.request(self._http)))

    async def health(self) -> Health:
        return await self._send(Calls.health())

    async def reset(self) -> None:
        await self._send(Calls.reset())

    async def purge(self) -> None:
        await self._send(Calls.purge())

    async def users(self, include_email: bool = False) -> list[User]:
        return await self._send(Calls.users(include_email))

    async def create_user(self, name: str, password: str, email: str | None = None) -> User:
        return await self._send(Calls.create_user(name, password, email))

    async def delete_user(self, name: str) -> None:
        await self._send(Calls.delete_user(name))

    async def messages(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        sender: str | None = None,
        to: str | None = None,
        subject: str | None = None,
    ) -> list[Summary]:
        return await self._send(Calls.messages(_filters(user, mailbox, sender, to, subject)))

    async def wait(
        self,
        user: str | None = None,
        mailbox: str | None = None,
        sender: str | None = None,
        to: str | None = None,
        subject: str | None = None,
        count: int = 1,
        timeout: float = MESSAGES_WAIT_DEFAULT_SECONDS,
    ) -> list[Summary]:
        return await self._send(Calls.wait(_wait_query(user, mailbox, sender, to, subject, count, timeout)))

    async def message(self, message_id: str) -> Detail:
        return await self._send(Calls.message(message_id))

    async def raw(self, message_id: str) -> bytes:
        return await self._send(Calls.raw(message_id))

    async def delete_message(self, message_id: str) -> None:
        await self._send(Calls.delete_message(message_id))

    async def delete_messages(self, user: str, mailbox: str | None = None) -> int:
        return await self._send(Calls.delete_messages(user, mailbox))

    async def inject(
        self,
        to: str | list[str],
        subject: str | None = None,
        text: str | None = None,
        html: str | None = None,
        raw: str | None = None,
        sender: str | None = None,
        mailbox: str | None = None,
        flags: Sequence[str] = (),
        internal_date: datetime | None = None,
    ) -> list[MessageRef]:
        body = _inject_body(to, subject, text, html, raw, sender, mailbox, flags, internal_date)
        return await self._send(Calls.inject(body))

    async def rules(self) -> list[DsnRule]:
        return await self._send(Calls.rules())

    async def set_rules(self, rules: Sequence[DsnRule]) -> None:
        await self._send(Calls.set_rules(rules))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
