"""What the pytest plugin's fixtures hand to a test: the server, a fresh mailbox, received messages.

:mod:`elektromail.pytest_plugin` imports this module only when a test asks for one of its fixtures, so
pytest runs that never use them do not load the server or httpx.
"""

from __future__ import annotations

import contextlib
import imaplib
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import msgspec

from elektromail.client import ApiError, AsyncClient, Client, WaitTimeout
from elektromail.delivery.rules import DsnRule
from elektromail.http.schemas import Attachment, Detail, Summary

# Addresses of test mailboxes: the .test top-level domain is reserved for testing (RFC 2606 2).
MAILBOX_DOMAIN = "elektromail.test"
DEFAULT_WAIT_SECONDS = 10.0
# How long an external server may take to answer /healthz with every listener up (a CI service that
# is still starting).
READY_SECONDS = 30.0
READY_RETRY_SECONDS = 0.2

if TYPE_CHECKING:
    from elektromail.config import Config
    from elektromail.server import ServerThread

_parser = BytesParser(policy=policy.default)


class MailNotReceived(AssertionError):
    """No matching mail arrived in time; the message says what the mailbox held instead."""


class Headers:
    """A message's header fields in order; names are case-insensitive (RFC 5322 1.2.2)."""

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.fields = list(fields)

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        return next((value for field, value in self.fields if field.lower() == wanted), default)

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for field, value in self.fields if field.lower() == wanted]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(field for field, _ in self.fields))

    def __repr__(self) -> str:
        return f"Headers({self.fields!r})"


class ReceivedMessage:
    """One stored message, parsed: what a test asserts on. ``detail`` is the server's full answer."""

    def __init__(self, detail: Detail, raw: bytes) -> None:
        self.detail = detail
        self.raw = raw  # exactly as the server received it
        self.id = detail.id
        self.subject = detail.subject
        self.sender = detail.from_  # the address in From
        self.to = detail.to
        self.text = detail.text
        self.html = detail.html
        self.links = detail.links
        self.attachments: list[Attachment] = detail.attachments
        self.envelope = detail.envelope  # MAIL FROM and every RCPT TO this copy was for (Bcc included)
        self.delivery = detail.delivery  # protocol, session, client, EHLO name, TLS, AUTH

    @cached_property
    def headers(self) -> Headers:
        return Headers([(header.name, header.value) for header in self.detail.headers])

    @cached_property
    def email(self) -> EmailMessage:
        """The whole message as the standard library parses it (attachment contents and all)."""
        parsed = _parser.parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def __repr__(self) -> str:
        return f"ReceivedMessage(id={self.id!r}, subject={self.subject!r}, from={self.sender!r})"


class MailServer:
    """The server the tests run against: its control plane, and where SMTP and IMAP listen."""

    def __init__(
        self,
        url: str,
        smtp_port: int,
        imap_port: int,
        token: str | None = None,
        external: bool = False,
        version: str = "",
    ) -> None:
        self.url = url
        self.token = token
        self.host = urlsplit(url).hostname or "127.0.0.1"
        self.smtp_host = self.imap_host = self.host
        self.smtp_port = smtp_port
        self.imap_port = imap_port
        self.external = external
        self.version = version
        self.client = Client(url, token)

    def async_client(self) -> AsyncClient:
        """A new client for the running event loop (an httpx AsyncClient belongs to one loop)."""
        return AsyncClient(self.url, self.token)

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        kind = "external" if self.external else "in-process"
        return f"MailServer({self.url!r}, {kind}, smtp={self.smtp_port}, imap={self.imap_port})"


def connect(url: str, token: str | None, smtp_port: int | None = None, imap_port: int | None = None) -> MailServer:
    """The running server at ``url``, once it reports every listener up. The SMTP and IMAP ports are the
    ones its /healthz reports, unless given (a container that publishes them under other numbers)."""
    url = url.rstrip("/")
    deadline = time.monotonic() + READY_SECONDS
    with Client(url, token) as client:
        while True:
            try:
                health = client.health()
                break
            except ApiError as error:
                if error.status != 503 or time.monotonic() > deadline:
                    raise
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(READY_RETRY_SECONDS)
    smtp_port = smtp_port or health.listeners.get("SMTP")
    imap_port = imap_port or health.listeners.get("IMAP")
    if smtp_port is None or imap_port is None:
        raise RuntimeError(f"the server at {url} reports no SMTP or IMAP listener: {health.listeners}")
    return MailServer(url, smtp_port, imap_port, token, external=True, version=health.version)


class FaultRules:
    """Delivery rules installed for one test, in front of the server's own, and removed after it.

    A rule that names no ``recipient`` applies to this test's mailbox only. The server holds one list
    for everyone, so a change reads it, edits it and writes it back while holding a file lock that every
    pytest process on this machine (xdist workers included) shares.
    """

    def __init__(self, server: MailServer, address: str, lock_path: Path) -> None:
        self.server = server
        self.address = address
        self.lock_path = lock_path
        self.installed: list[DsnRule] = []

    def rule(self, spec: Mapping[str, Any] | DsnRule) -> DsnRule:
        if not isinstance(spec, Mapping):
            return spec
        fields = dict(spec)
        fields.setdefault("recipient", self.address)
        rule: DsnRule = msgspec.convert(fields, DsnRule)
        return rule

    def install(self, *specs: Mapping[str, Any] | DsnRule) -> list[DsnRule]:
        """Put these rules (dicts as in ELEKTROMAIL_DSN_RULES, or rule Structs) first: the first match wins.
        Returns them decoded; a malformed one raises ``msgspec.ValidationError`` naming the field."""
        rules = [self.rule(spec) for spec in specs]
        with self._locked():
            current = self.server.client.rules()
            self.server.client.set_rules([*rules, *current])
        self.installed += rules
        return rules

    def remove(self) -> None:
        """Take out what this test installed; rules anyone else installed meanwhile stay."""
        if not self.installed:
            return
        mine = list(self.installed)
        with self._locked():
            current = self.server.client.rules()
            for rule in mine:
                if rule in current:
                    current.remove(rule)
            self.server.client.set_rules(current)
        self.installed.clear()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # Windows: workers of one run are not serialised
            yield
            return
        with open(self.lock_path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _store_order(summary: Summary) -> tuple[int, int]:
    """Mailbox by mailbox in the order they were made, each in UID order: ids are ``<mailbox>-<uid>``."""
    mailbox, _, uid = summary.id.partition("-")
    return int(mailbox), int(uid)


class Mailbox:
    """A user created for one test, with a unique address, removed with its mail after the test."""

    def __init__(self, server: MailServer, user: str, password: str, rules_lock: Path) -> None:
        self.server = server
        self.user = user
        self.password = password
        self.address = f"{user}@{MAILBOX_DOMAIN}"
        self.rules = FaultRules(server, self.address, rules_lock)
        self.smtp_host = server.smtp_host
        self.smtp_port = server.smtp_port
        self.imap_host = server.imap_host
        self.imap_port = server.imap_port
        self._imap_clients: list[imaplib.IMAP4] = []

    @classmethod
    def create(cls, server: MailServer, rules_lock: Path) -> Mailbox:
        user = f"t{secrets.token_hex(8)}"  # unique across workers, runs and machines
        password = secrets.token_urlsafe(12)
        mailbox = cls(server, user, password, rules_lock)
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

    def wait(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: int = 1,
    ) -> ReceivedMessage:
        """The ``count``-th message (in arrival order) whose subject and From contain these texts (any
        case), once it is there: the server answers when it arrives, nothing polls. Raises
        :class:`MailNotReceived` after ``timeout`` seconds."""
        client = self.server.client
        try:
            found = client.wait(user=self.user, subject=subject, sender=sender, count=count, timeout=timeout)
        except WaitTimeout:
            raise self._not_received(subject, sender, timeout, count, client.messages(user=self.user)) from None
        return self._received(client, found[count - 1])

    async def wait_async(
        self,
        subject: str | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
        count: int = 1,
    ) -> ReceivedMessage:
        """:meth:`wait` for async tests: the event loop keeps running while the mail is on its way."""
        async with self.server.async_client() as client:
            try:
                found = await client.wait(user=self.user, subject=subject, sender=sender, count=count, timeout=timeout)
            except WaitTimeout:
                held = await client.messages(user=self.user)
                raise self._not_received(subject, sender, timeout, count, held) from None
            summary = found[count - 1]
            return ReceivedMessage(await client.message(summary.id), await client.raw(summary.id))

    def _not_received(
        self, subject: str | None, sender: str | None, timeout: float, count: int, held: list[Summary]
    ) -> MailNotReceived:
        wanted = ", ".join(f"{name}={value!r}" for name, value in (("subject", subject), ("sender", sender)) if value)
        what = f"{count} messages" if count > 1 else "a message"
        matching = f" matching {wanted}" if wanted else ""
        listed = [f"{message.subject!r} from {message.from_!r}" for message in held] or ["nothing"]
        return MailNotReceived(
            f"{what}{matching} did not arrive at {self.address} within {timeout:g} s; it holds: " + "; ".join(listed)
        )

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


def in_process_server(config: Config | None = None) -> tuple[MailServer, ServerThread]:
    """A server in this process on free loopback ports, with HTTP; returns it and its ServerThread."""
    from elektromail import __version__
    from elektromail.config import Config
    from elektromail.server import ServerThread

    local: dict[str, Any] = {"smtp_port": 0, "imap_port": 0, "http_port": 0, "bind_addr": "127.0.0.1"}
    settings = msgspec.structs.replace(config, **local) if config is not None else Config(**local)
    thread = ServerThread(settings).start()
    url = f"http://127.0.0.1:{thread.http_port}"
    return MailServer(url, thread.smtp_port, thread.imap_port, version=__version__), thread


def lock_path(base: Path) -> Path:
    """One lock file for all workers of a run: xdist gives each worker a directory inside ``base``."""
    return base / "elektromail-rules.lock"
