"""A typed client for the HTTP control plane: :class:`Client` (blocking) and :class:`AsyncClient`.

Both speak through httpx and encode and decode with the very msgspec Structs the server uses
(:mod:`elektromail.http.schemas`), so a change of the server's shapes is a type error here::

    with Client("http://localhost:8025") as mail:
        mail.inject("alice@example.com", subject="Hello", text="Hi https://example.com/x")
        (message,) = mail.wait(user="alice", subject="hello")
        print(mail.message(message.id).links)

The token is ``ELEKTROMAIL_HTTP_TOKEN``'s unless one is given. Every request is described once
(:mod:`elektromail.client.calls`); the two clients only differ in how they send it.
"""

from __future__ import annotations

from elektromail.client.asynchronous import AsyncClient
from elektromail.client.blocking import DEFAULT_TIMEOUT, Client
from elektromail.client.calls import TOKEN_ENV, WAIT_MARGIN_SECONDS, Call, Calls
from elektromail.client.errors import ApiError, BadUrl, WaitTimeout
from elektromail.delivery.rules import DsnRule
from elektromail.http.schemas import Detail, Health, MessageRef, Summary, User

__all__ = [
    "DEFAULT_TIMEOUT",
    "TOKEN_ENV",
    "WAIT_MARGIN_SECONDS",
    "ApiError",
    "AsyncClient",
    "BadUrl",
    "Call",
    "Calls",
    "Client",
    "Detail",
    "DsnRule",
    "Health",
    "MessageRef",
    "Summary",
    "User",
    "WaitTimeout",
]
