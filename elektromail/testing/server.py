"""The server a test session runs against: an in-process one, or a running one found by its URL."""

from __future__ import annotations

import ssl
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import msgspec

from elektromail.client import ApiError, AsyncClient, BadUrl, Client
from elektromail.client.errors import checked_url
from elektromail.http.schemas import Health

if TYPE_CHECKING:
    from elektromail.config import Config
    from elektromail.server import ServerThread

# How long an external server may take to answer /healthz with every listener up (a CI service that
# is still starting).
READY_SECONDS = 30.0
READY_RETRY_SECONDS = 0.2


class ServerUnavailable(RuntimeError):
    """The server at the URL cannot be used; the message is one line: which URL, from where, what happened."""


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
        self._certificate: str | None = None

    def async_client(self) -> AsyncClient:
        """A new client for the running event loop (an httpx AsyncClient belongs to one loop)."""
        return AsyncClient(self.url, self.token)

    def tls_certificate(self) -> str:
        """The server's TLS certificate (PEM), fetched once."""
        if self._certificate is None:
            self._certificate = self.client.tls_certificate()
        return self._certificate

    def ssl_context(self) -> ssl.SSLContext:
        """A client-side SSL context that trusts this server's certificate (STARTTLS, SMTPS, IMAPS): give it
        to aiosmtplib (``tls_context=``), smtplib's ``starttls(context=...)`` or imaplib."""
        return ssl.create_default_context(cadata=self.tls_certificate())

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        kind = "external" if self.external else "in-process"
        return f"MailServer({self.url!r}, {kind}, smtp={self.smtp_port}, imap={self.imap_port})"


def connect(
    url: str,
    token: str | None,
    smtp_port: int | None = None,
    imap_port: int | None = None,
    source: str = "the URL given",
    ready_seconds: float = READY_SECONDS,
) -> MailServer:
    """The running server at ``url``, once it reports every listener up. The SMTP and IMAP ports are the
    ones its /healthz reports, unless given (a container that publishes them under other numbers).

    ``source`` says where the URL came from (an option or variable), for the one-line
    :class:`ServerUnavailable` that a bad URL, a wrong token or a server that never gets ready raises.
    """
    where = f"elektromail at {url} (from {source})"
    try:
        url = checked_url(url)
    except BadUrl as error:
        raise ServerUnavailable(f"{source}: {error}") from None
    health = _ready_health(url, token, where, ready_seconds)
    smtp_port = smtp_port or health.listeners.get("SMTP")
    imap_port = imap_port or health.listeners.get("IMAP")
    if smtp_port is None or imap_port is None:
        raise ServerUnavailable(f"{where} reports no SMTP or IMAP listener: {health.listeners}")
    return MailServer(url, smtp_port, imap_port, token, external=True, version=health.version)


def _ready_health(url: str, token: str | None, where: str, ready_seconds: float) -> Health:
    deadline = time.monotonic() + ready_seconds
    with Client(url, token) as client:
        while True:
            try:
                health = client.health()
                if health.listeners:
                    return health
                # Served without a token the answer is the bare status: the ports need it.
                raise ServerUnavailable(f"{where} answers /healthz without its listeners: is a token needed?")
            except ApiError as error:
                if error.status != 503:
                    raise ServerUnavailable(f"{where} answered /healthz with ApiError: {error}") from None
                problem = f"it answered {error.status} (starting or stopping)"
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            except msgspec.DecodeError as error:
                problem = f"not elektromail's answer: {error}"
                raise ServerUnavailable(f"{where} answered /healthz with something else: {problem}") from None
            if time.monotonic() > deadline:
                raise ServerUnavailable(f"{where} not ready after {ready_seconds:g} s; last attempt: {problem}")
            time.sleep(READY_RETRY_SECONDS)


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
