"""Every request of the control plane, described once as a :class:`Call`: method, path, query, body and
how to read the answer. :class:`~elektromail.client.Client` and :class:`~elektromail.client.AsyncClient`
only differ in how they send it.

The msgspec decoders are built here, once, at import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from elektromail.client.errors import raise_for
from elektromail.delivery.rules import AddedRule, DsnRule
from elektromail.http.schemas import (
    Deleted,
    DeleteMessagesQuery,
    Detail,
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
from elektromail.search.results import MAX_LIMIT

T = TypeVar("T")

# A wait's HTTP request outlives the wait itself by this much, so the server's 408 arrives first.
WAIT_MARGIN_SECONDS = 5.0

_health = msgspec.json.Decoder(Health)
_users = msgspec.json.Decoder(list[User])
_user = msgspec.json.Decoder(User)
_messages = msgspec.json.Decoder(Messages)
_detail = msgspec.json.Decoder(Detail)
_deleted = msgspec.json.Decoder(Deleted)
_injected = msgspec.json.Decoder(Injected)
_rules = msgspec.json.Decoder(list[DsnRule])
_added_rule = msgspec.json.Decoder(AddedRule)
_encode = msgspec.json.Encoder().encode

Body = msgspec.Struct | list[DsnRule] | DsnRule


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    body: Body | None = None
    timeout: float | None = None  # None: the client's own

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        content = _encode(self.body) if self.body is not None else None
        headers = {"content-type": "application/json"} if content is not None else None
        if self.timeout is None:
            return http.build_request(self.method, self.path, params=self.params, content=content, headers=headers)
        return http.build_request(
            self.method, self.path, params=self.params, content=content, headers=headers, timeout=self.timeout
        )

    def result(self, response: httpx.Response) -> T:
        raise_for(response)
        return self.read(response)


def _query(value: msgspec.Struct) -> dict[str, Any]:
    """A query Struct as query parameters: unset filters left out, booleans as the server reads them."""
    params: dict[str, Any] = {}
    for name, item in msgspec.to_builtins(value).items():
        if item is not None:
            params[name] = ("true" if item else "false") if isinstance(item, bool) else item
    return params


def _path(template: str, value: str) -> str:
    return template.format(quote(value, safe=""))


def _nothing(response: httpx.Response) -> None:
    return None


def _summaries(response: httpx.Response) -> list[Summary]:
    return _messages.decode(response.content).messages


def filters(
    user: str | None, mailbox: str | None, sender: str | None, to: str | None, subject: str | None
) -> MessagesQuery:
    return MessagesQuery(user=user, mailbox=mailbox, from_=sender, to=to, subject=subject)


def wait_query(
    user: str | None,
    mailbox: str | None,
    sender: str | None,
    to: str | None,
    subject: str | None,
    count: int,
    timeout: float,
) -> WaitQuery:
    return WaitQuery(user=user, mailbox=mailbox, from_=sender, to=to, subject=subject, count=count, timeout=timeout)


def inject_body(
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


class Calls:
    """Every operation of the control plane, as a :class:`Call` (shared by both clients)."""

    @staticmethod
    def health() -> Call[Health]:
        return Call("GET", "/healthz", lambda response: _health.decode(response.content))

    @staticmethod
    def reset() -> Call[None]:
        return Call("POST", "/reset", _nothing)

    @staticmethod
    def purge() -> Call[None]:
        return Call("POST", "/purge", _nothing)

    @staticmethod
    def users(include_email: bool) -> Call[list[User]]:
        query = _query(UsersQuery(include_email=include_email))
        return Call("GET", "/users", lambda response: _users.decode(response.content), query)

    @staticmethod
    def create_user(name: str, password: str, email: str | None) -> Call[User]:
        body = NewUser(name=name, password=password, email=email)
        return Call("POST", "/users", lambda response: _user.decode(response.content), body=body)

    @staticmethod
    def delete_user(name: str) -> Call[None]:
        return Call("DELETE", _path("/users/{}", name), _nothing)

    @staticmethod
    def messages(query: MessagesQuery) -> Call[list[Summary]]:
        # The newest MAX_LIMIT matches (search() pages through more), oldest first: the order they came in.
        params = _query(query) | {"limit": MAX_LIMIT}
        return Call("GET", "/messages", lambda response: _summaries(response)[::-1], params)

    @staticmethod
    def wait(query: WaitQuery) -> Call[list[Summary]]:
        return Call("GET", "/messages/wait", _summaries, _query(query), None, query.timeout + WAIT_MARGIN_SECONDS)

    @staticmethod
    def message(message_id: str) -> Call[Detail]:
        return Call("GET", _path("/messages/by-id/{}", message_id), lambda response: _detail.decode(response.content))

    @staticmethod
    def raw(message_id: str) -> Call[bytes]:
        return Call("GET", _path("/messages/by-id/{}/raw", message_id), lambda response: response.content)

    @staticmethod
    def delete_message(message_id: str) -> Call[None]:
        return Call("DELETE", _path("/messages/by-id/{}", message_id), _nothing)

    @staticmethod
    def delete_messages(user: str, mailbox: str | None) -> Call[int]:
        query = _query(DeleteMessagesQuery(user=user, mailbox=mailbox))
        return Call("DELETE", "/messages", lambda response: _deleted.decode(response.content).deleted, query)

    @staticmethod
    def inject(body: Inject) -> Call[list[MessageRef]]:
        return Call("POST", "/inject", lambda response: _injected.decode(response.content).messages, body=body)

    @staticmethod
    def rules() -> Call[list[DsnRule]]:
        return Call("GET", "/rules", lambda response: _rules.decode(response.content))

    @staticmethod
    def set_rules(rules: Sequence[DsnRule]) -> Call[None]:
        return Call("PUT", "/rules", _nothing, body=list(rules))

    @staticmethod
    def add_rule(rule: DsnRule) -> Call[str]:
        return Call("POST", "/rules", lambda response: _added_rule.decode(response.content).id, body=rule)

    @staticmethod
    def remove_rule(rule_id: str) -> Call[None]:
        return Call("DELETE", _path("/rules/{}", rule_id), _nothing)

    @staticmethod
    def tls_certificate() -> Call[str]:
        return Call("GET", "/tls/certificate", lambda response: response.text)


TOKEN_ENV = "ELEKTROMAIL_HTTP_TOKEN"


def auth_headers(token: str | None) -> dict[str, str]:
    """The bearer token's header: ``token``, else ``$ELEKTROMAIL_HTTP_TOKEN`` (the variable the server reads)."""
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    return {"authorization": f"Bearer {token}"} if token is not None else {}
