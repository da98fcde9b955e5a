"""A server the suite did not start: the one ``ELEKTROMAIL_URL`` names, or the image the suite runs itself.

``ELEKTROMAIL_URL`` is the base URL of a running server's HTTP control plane (``http://mail:8080``), the
same variable, with the same meaning, as the pytest plugin's: SMTP and IMAP are reached on the URL's host
at the ports the server reports in ``GET /healthz``, or at ``ELEKTROMAIL_SMTP_PORT`` and
``ELEKTROMAIL_IMAP_PORT`` where they are published under other numbers.

Every test that asks for a server gets this one after ``POST /reset`` (seed users back, no mail), so tests
stay independent on one shared server. A test that needs settings of its own, or the process itself, is
skipped with that reason.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

import httpx
import pytest

from elektromail import Config

URL_ENV = "ELEKTROMAIL_URL"
SMTP_PORT_ENV = "ELEKTROMAIL_SMTP_PORT"
IMAP_PORT_ENV = "ELEKTROMAIL_IMAP_PORT"
READY_TIMEOUT_SECONDS = 60.0
OWN_PROCESS = "starts a server process of its own; this run tests the running server at " + URL_ENV
# Settings a test may ask for that a running server already satisfies: any free port for its listeners
# (it has its own), the HTTP control plane (the URL is that), seed users (checked against it), the store.
_ANY_PORT = frozenset({"smtp_port", "imap_port", "http_port"})
_SATISFIED = frozenset({"bind_addr", "users", "db"})
_DEFAULTS = Config()


def external_mode() -> bool:
    return bool(os.environ.get(URL_ENV))


@dataclass(frozen=True)
class ExternalTarget:
    url: str
    host: str
    smtp_port: int
    imap_port: int
    http_port: int


def wait_healthy(url: str, timeout: float = READY_TIMEOUT_SECONDS) -> dict[str, int]:
    """The listener ports of the server at ``url`` once ``/healthz`` answers 200 (bounded wait)."""
    deadline = time.monotonic() + timeout
    problem = "no answer"
    with httpx.Client(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                response = client.get("/healthz")
                if response.status_code == 200:
                    listeners: dict[str, int] = response.json()["listeners"]
                    return listeners
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = str(error) or type(error).__name__
            time.sleep(0.2)
    raise TimeoutError(f"{url}/healthz not ready in {timeout:.0f}s: {problem}")


@functools.cache
def external_target() -> ExternalTarget:
    url = os.environ[URL_ENV].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{URL_ENV}={url!r}: expected the control plane's base URL, such as http://mail:8080")
    listeners = wait_healthy(url)
    return ExternalTarget(
        url=url,
        host=parts.hostname,
        smtp_port=int(os.environ.get(SMTP_PORT_ENV) or listeners["SMTP"]),
        imap_port=int(os.environ.get(IMAP_PORT_ENV) or listeners["IMAP"]),
        http_port=parts.port or (443 if parts.scheme == "https" else 80),
    )


def foreign_settings(config: Config) -> list[str]:
    """The settings of ``config`` a running server cannot be assumed to have (non-default, not satisfied)."""
    return [
        field
        for field in config.__struct_fields__
        if not (field in _SATISFIED or (field in _ANY_PORT and getattr(config, field) in (0, None)))
        and getattr(config, field) != getattr(_DEFAULTS, field)
    ]


class ExternalServer:
    """The running server, reset for this test, offering the same ports as :class:`ServerThread`."""

    def __init__(self, config: Config) -> None:
        foreign = foreign_settings(config)
        if foreign:
            pytest.skip(f"needs a server started with {', '.join(foreign)}; the server at {URL_ENV} has its own")
        self.target = external_target()
        self.config = config
        self.http = httpx.Client(base_url=self.target.url, timeout=10)
        response = self.http.post("/reset")
        assert response.status_code == 200, f"POST /reset: {response.status_code} {response.text}"
        self._check_users(config)

    def _check_users(self, config: Config) -> None:
        present = {(user["name"], user.get("email")) for user in self.http.get("/users?include_email=true").json()}
        wanted = {(user.name, user.email) for user in config.users}
        missing = wanted - present
        assert not missing, (
            f"the server at {URL_ENV} lacks seed users {sorted(missing, key=str)}: start it with "
            "ELEKTROMAIL_USERS=user:pass,alice:alice@example.com:wonderland"
        )

    @property
    def host(self) -> str:
        return self.target.host

    @property
    def smtp_port(self) -> int:
        return self.target.smtp_port

    @property
    def imap_port(self) -> int:
        return self.target.imap_port

    @property
    def http_port(self) -> int:
        return self.target.http_port

    def port(self, name: str) -> int:
        ports = {"SMTP": self.smtp_port, "IMAP": self.imap_port, "HTTP": self.http_port}
        if name not in ports:
            pytest.skip(f"needs a {name} listener, which the server at {URL_ENV} is not known to have")
        return ports[name]

    @property
    def server(self) -> NoReturn:
        pytest.skip(f"reads the server's in-process state; the server at {URL_ENV} runs elsewhere")

    def call(self, *args: object, **kwargs: object) -> NoReturn:
        pytest.skip(f"reads the server's in-process state; the server at {URL_ENV} runs elsewhere")

    def certificate_pem(self, timeout: float = 10.0) -> bytes:
        response = self.http.get("/tls/certificate", timeout=timeout)
        if response.status_code == 404:
            pytest.skip(f"the server at {URL_ENV} has TLS turned off")
        response.raise_for_status()
        return response.content

    def stop(self) -> NoReturn:
        pytest.skip(f"stops the server; the server at {URL_ENV} keeps running for other tests")

    def close(self) -> None:
        """Let go of the running server at the end of a test (it keeps running)."""
        self.http.close()


def require_own_process() -> None:
    """Skip a test that starts a process of its own when the suite runs against a running server."""
    if external_mode():
        pytest.skip(OWN_PROCESS)
