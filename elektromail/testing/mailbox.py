"""A test's own mailbox: a unique user, the waits that return on arrival, and the assertion that no mail
comes."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import secrets
from datetime import UTC, datetime
from typing import overload

from elektromail.client import ApiError, AsyncClient, Client, WaitTimeout
from elektromail.http.schemas import Summary
from elektromail.testing.diagnosis import MailNotReceived, arrived, not_received
from elektromail.testing.messages import ReceivedMessage
from elektromail.testing.rules import FaultRules
from elektromail.testing.server import MailServer

# Addresses of test mailboxes. The domain is reserved for examples (RFC 2606 3) and, unlike the .test
# top-level domain, passes the address validators applications use (email-validator refuses special-use
# names such as .test and .local). Mail routes by the local part, so any domain would reach the user.
MAILBOX_DOMAIN = "elektromail.example.com"
DEFAULT_WAIT_SECONDS = 10.0
DEFAULT_QUIET_SECONDS = 1.0


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _store_order(summary: Summary) -> tuple[int, int]:
    """Mailbox by mailbox in the order they were made, each in UID order: ids are ``<mailbox>-<uid>``."""
    mailbox, _, uid = summary.id.partition("-")
    return int(mailbox), int(uid)


class Mailbox:
    """A user created for one test, with a unique address, removed with its mail after the test."""

    def __init__(self, server: MailServer, user: str, password: str) -> None:
        self.server = server
        self.user = user
        self.password = password
        self.address = f"{user}@{MAILBOX_DOMAIN}"
        self.rules = FaultRules(server, user)
        self.smtp_host = server.smtp_host
        self.smtp_port = server.smtp_port
        self.imap_host = server.imap_host
        self.imap_port = server.imap_port
        self.created = datetime.now(UTC)
        self._imap_clients: list[imaplib.IMAP4] = []

    @classmethod
    def create(cls, server: MailServer) -> Mailbox:
        user = f"t{secrets.token_hex(8)}"  # unique across workers, runs and machines
        password = secrets.token_urlsafe(12)
        mailbox = cls(server, user, password)
        server.client.create_user(user, password, mailbox.address)
        return mailbox

    def remove(self) -> None:
        for client in self._imap_clients:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
        self._imap_clients.clear()
        try:
            self.server.client.delete_user(self.user)
        except ApiError as error:
            if error.status != 404:  # the test may have removed the user itself
                raise

    # ---------------------------------------------------------------- reading mail

    def _received(self, client: Client, summary: Summary) -> ReceivedMessage:
        return ReceivedMessage(client.message(summary.id), client.raw(summary.id))

    def messages(self) -> list[ReceivedMessage]:
        """Every message of this user: INBOX's, then other mailboxes', each in the order they were stored."""
        client = self.server.client
        stored = sorted(client.messages(user=self.user), key=_store_order)
        return [self._received(client, summary) for summary in stored]

    def transcript(self, message: ReceivedMessage | None = None) -> str:
        """The transcript (``C:``/``S:`` lines, secrets masked) of the session that delivered ``message``,
        by default of the newest message; ValueError when it came by no session (``/inject``)."""
        if message is None:
            held = self.messages()
            if not held:
                raise ValueError(f"{self.address} holds no message")
            message = held[-1]
        session_id = message.delivery.session_id if message.delivery is not None else None
        if session_id is None:
            raise ValueError(f"message {message.id} was not delivered by an SMTP or IMAP session")
        return self.server.client.transcript(session_id)

    @overload
    def wait(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: None = None,
    ) -> ReceivedMessage: ...

    @overload
    def wait(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        *,
        count: int,
    ) -> list[ReceivedMessage]: ...

    def wait(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: int | None = None,
    ) -> ReceivedMessage | list[ReceivedMessage]:
        """The message whose subject and From contain these texts (any case), once it is there; given a
        ``count``, the list of the first ``count`` such messages in arrival order. The server answers when the
        mail arrives: nothing polls. Raises :class:`MailNotReceived` after ``timeout`` seconds, saying what
        arrived instead."""
        __tracebackhide__ = True
        client = self.server.client
        try:
            found = client.wait(user=self.user, subject=subject, sender=sender, count=count or 1, timeout=timeout)
        except WaitTimeout:
            held = client.messages(user=self.user)
            everything = None if held else client.messages()
            in_loop = _in_event_loop()
            raise self._not_received(subject, sender, timeout, count or 1, held, everything, in_loop) from None
        received = [self._received(client, summary) for summary in found[: count or 1]]
        return received if count is not None else received[0]

    @overload
    async def wait_async(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: None = None,
    ) -> ReceivedMessage: ...

    @overload
    async def wait_async(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        *,
        count: int,
    ) -> list[ReceivedMessage]: ...

    async def wait_async(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: int | None = None,
    ) -> ReceivedMessage | list[ReceivedMessage]:
        """:meth:`wait` for async tests: the event loop keeps running while the mail is on its way."""
        __tracebackhide__ = True
        async with self.server.async_client() as client:
            try:
                wanted = count or 1
                found = await client.wait(user=self.user, subject=subject, sender=sender, count=wanted, timeout=timeout)
            except WaitTimeout:
                held = await client.messages(user=self.user)
                everything = None if held else await client.messages()
                raise self._not_received(subject, sender, timeout, wanted, held, everything) from None
            received = [await _received_async(client, summary) for summary in found[:wanted]]
        return received if count is not None else received[0]

    def assert_no_mail(
        self, within: float = DEFAULT_QUIET_SECONDS, subject: str | None = None, sender: str | None = None
    ) -> None:
        """Fail (:class:`MailArrived`) the moment a new matching message arrives within ``within`` seconds;
        return when none did. Mail already in the mailbox does not count."""
        __tracebackhide__ = True
        client = self.server.client
        present = len(client.messages(user=self.user, subject=subject, sender=sender))
        try:
            found = client.wait(user=self.user, subject=subject, sender=sender, count=present + 1, timeout=within)
        except WaitTimeout:
            return
        raise arrived(self.address, subject, sender, within, found[-1])

    async def assert_no_mail_async(
        self, within: float = DEFAULT_QUIET_SECONDS, subject: str | None = None, sender: str | None = None
    ) -> None:
        """:meth:`assert_no_mail` for async tests."""
        __tracebackhide__ = True
        async with self.server.async_client() as client:
            present = len(await client.messages(user=self.user, subject=subject, sender=sender))
            try:
                found = await client.wait(
                    user=self.user, subject=subject, sender=sender, count=present + 1, timeout=within
                )
            except WaitTimeout:
                return
        raise arrived(self.address, subject, sender, within, found[-1])

    def _not_received(
        self,
        subject: str | None,
        sender: str | None,
        timeout: float,
        count: int,
        held: list[Summary],
        everything: list[Summary] | None,
        blocking_in_loop: bool = False,
    ) -> MailNotReceived:
        smtp = f"{self.smtp_host}:{self.smtp_port}"
        return not_received(
            self.address, self.user, subject, sender, timeout, count, held, everything, self.created, smtp,
            blocking_in_loop,
        )  # fmt: skip

    # ---------------------------------------------------------------- protocols

    def imap(self) -> imaplib.IMAP4:
        """An imaplib client logged in as this user (logged out after the test)."""
        client = imaplib.IMAP4(self.imap_host, self.imap_port)
        try:
            client.login(self.user, self.password)
        except BaseException:
            client.shutdown()
            raise
        self._imap_clients.append(client)
        return client

    def __repr__(self) -> str:
        return f"Mailbox({self.address!r})"


async def _received_async(client: AsyncClient, summary: Summary) -> ReceivedMessage:
    return ReceivedMessage(await client.message(summary.id), await client.raw(summary.id))
