"""The blocking client of the control plane (:class:`Client`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

import httpx

from elektromail.client.activity import ActivityOperations
from elektromail.client.calls import Call, Calls, auth_headers, filters, inject_body, wait_query
from elektromail.client.errors import checked_url
from elektromail.delivery.rules import DsnRule
from elektromail.http.schemas import MESSAGES_WAIT_DEFAULT_SECONDS, Detail, Health, MessageRef, Summary, User

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0


class Client(ActivityOperations):
    """The control plane of one server, over a blocking httpx client.

    ``base_url`` is the server's HTTP address (``http://localhost:8025``; anything else raises
    :class:`BadUrl`); ``token`` is its ``ELEKTROMAIL_HTTP_TOKEN``, read from that variable when not given.
    Errors raise :class:`ApiError` (a timed-out wait :class:`WaitTimeout`).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = checked_url(base_url)
        self._http = httpx.Client(
            base_url=self.base_url, headers=auth_headers(token), timeout=timeout, transport=transport
        )

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
        return self._send(Calls.messages(filters(user, mailbox, sender, to, subject)))

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
        return self._send(Calls.wait(wait_query(user, mailbox, sender, to, subject, count, timeout)))

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
        body = inject_body(to, subject, text, html, raw, sender, mailbox, flags, internal_date)
        return self._send(Calls.inject(body))

    def rules(self) -> list[DsnRule]:
        return self._send(Calls.rules())

    def set_rules(self, rules: Sequence[DsnRule]) -> None:
        self._send(Calls.set_rules(rules))

    def add_rule(self, rule: DsnRule) -> str:
        """Put ``rule`` in front of the others (it decides first); returns the id that removes it."""
        return self._send(Calls.add_rule(rule))

    def remove_rule(self, rule_id: str) -> None:
        """Take out the rule :meth:`add_rule` returned this id for; other rules keep their state."""
        self._send(Calls.remove_rule(rule_id))

    def tls_certificate(self) -> str:
        """The server's TLS certificate (PEM), to trust in a client: ``ssl.create_default_context(cadata=...)``."""
        return self._send(Calls.tls_certificate())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
