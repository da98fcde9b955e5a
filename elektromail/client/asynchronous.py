"""The asyncio client of the control plane (:class:`AsyncClient`): :class:`~elektromail.client.Client`'s
operations as coroutines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

import httpx

from elektromail.client.activity import AsyncActivityOperations
from elektromail.client.blocking import DEFAULT_TIMEOUT
from elektromail.client.calls import Call, Calls, auth_headers, filters, inject_body, wait_query
from elektromail.client.errors import checked_url
from elektromail.delivery.rules import DsnRule
from elektromail.http.schemas import MESSAGES_WAIT_DEFAULT_SECONDS, Detail, Health, MessageRef, Summary, User

T = TypeVar("T")


class AsyncClient(AsyncActivityOperations):
    """:class:`Client`'s operations as coroutines, over an httpx ``AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = checked_url(base_url)
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=auth_headers(token), timeout=timeout, transport=transport
        )

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
        return await self._send(Calls.messages(filters(user, mailbox, sender, to, subject)))

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
        return await self._send(Calls.wait(wait_query(user, mailbox, sender, to, subject, count, timeout)))

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
        body = inject_body(to, subject, text, html, raw, sender, mailbox, flags, internal_date)
        return await self._send(Calls.inject(body))

    async def rules(self) -> list[DsnRule]:
        return await self._send(Calls.rules())

    async def set_rules(self, rules: Sequence[DsnRule]) -> None:
        await self._send(Calls.set_rules(rules))

    async def add_rule(self, rule: DsnRule) -> str:
        """Put ``rule`` in front of the others (it decides first); returns the id that removes it."""
        return await self._send(Calls.add_rule(rule))

    async def remove_rule(self, rule_id: str) -> None:
        """Take out the rule :meth:`add_rule` returned this id for; other rules keep their state."""
        await self._send(Calls.remove_rule(rule_id))

    async def tls_certificate(self) -> str:
        """The server's TLS certificate (PEM), to trust in a client: ``ssl.create_default_context(cadata=...)``."""
        return await self._send(Calls.tls_certificate())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
