"""How tests get a server: in-process (``ServerThread``), the executable named by ELEKTROMAIL_BINARY, or
the running server named by ELEKTROMAIL_URL (tests/external.py).

With ``ELEKTROMAIL_BINARY`` set, every server a test starts is that executable, configured through its
environment variables exactly as users configure it, on OS-chosen ports read from its log lines. Tests
that reach into the process (its store, its event loop) cannot run against an executable: they are
skipped with that reason, and every test that speaks only the protocols runs unchanged.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn, cast

import pytest

from elektromail import Config, ConfigError, ServerThread
from elektromail.cli import EXIT_USAGE
from elektromail.config import SETTINGS
from elektromail.tls import CERT_FILE_NAME
from tests.external import ExternalServer, external_mode, external_target
from tests.integration.process import ServerProcess

BINARY_ENV = "ELEKTROMAIL_BINARY"
IN_PROCESS_ONLY = "reads the server's in-process state, which an executable does not expose"
_DEFAULTS = Config()


def binary_mode() -> bool:
    return bool(os.environ.get(BINARY_ENV))


def client_host() -> str:
    """The address tests connect to: the running server's host under ELEKTROMAIL_URL, else loopback."""
    return external_target().host if external_mode() else "127.0.0.1"


def config_env(config: Config) -> dict[str, str]:
    """The environment variables that configure an executable like ``config`` (non-default values)."""
    env: dict[str, str] = {}
    for setting in SETTINGS:
        value = getattr(config, setting.field)
        if value == getattr(_DEFAULTS, setting.field) and setting.field not in ("smtp_port", "imap_port", "bind_addr"):
            continue
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif setting.field == "users":
            text = ",".join(
                f"{user.name}:{user.email}:{user.password}" if user.email else f"{user.name}:{user.password}"
                for user in value
            )
        elif isinstance(value, tuple):
            text = ",".join(value)
        elif isinstance(value, float):
            text = repr(value)
        else:
            text = str(value)
        env[setting.env] = text
    return env


class BinaryServer:
    """A running executable, offering the same ports as :class:`ServerThread`."""

    def __init__(self, config: Config) -> None:
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        if config.tls_dir is None and config.tls_cert is None:
            # Tests trust the certificate the server generated: have it written where they can read it.
            self._tls_dir = tempfile.TemporaryDirectory(prefix="elektromail-test-tls-")
            config = Config(**{**_as_dict(config), "tls_dir": self._tls_dir.name})
        self.config = config
        process = ServerProcess(config_env(config))
        try:
            self.process = process.wait_ready()
        except RuntimeError:
            status = process.wait(10)
            process.stop()
            if self._tls_dir is not None:
                self._tls_dir.cleanup()
            # A refused setting ends the executable with "elektromail: <setting>: <problem>" and exit 2,
            # which ServerThread reports as ConfigError: report it the same way.
            if status == EXIT_USAGE and process.log:
                raise ConfigError(process.log[-1].strip().removeprefix("elektromail: ")) from None
            raise

    def port(self, name: str) -> int:
        return self.process.ports[name]

    @property
    def smtp_port(self) -> int:
        return self.port("SMTP")

    @property
    def imap_port(self) -> int:
        return self.port("IMAP")

    @property
    def http_port(self) -> int:
        return self.port("HTTP")

    @property
    def server(self) -> NoReturn:
        pytest.skip(IN_PROCESS_ONLY)

    def call(self, *args: Any, **kwargs: Any) -> NoReturn:
        pytest.skip(IN_PROCESS_ONLY)

    def certificate_pem(self, timeout: float = 10.0) -> bytes:
        """The certificate the executable presents, from its TLS directory (written once generated)."""
        path = Path(self.config.tls_cert or Path(self.config.tls_dir or "", CERT_FILE_NAME))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_size > 0:
                return path.read_bytes()
            time.sleep(0.02)
        raise TimeoutError(f"no certificate at {path}")

    def stop(self) -> None:
        self.process.stop()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()


def require_in_process(server: object) -> None:
    """Skip now, before starting threads or clients, when the test needs the in-process server."""
    if isinstance(server, BinaryServer | ExternalServer):
        server.call()


def _as_dict(config: Config) -> dict[str, Any]:
    return {field: getattr(config, field) for field in config.__struct_fields__}


def start_server(config: Config) -> ServerThread:
    """A started server for ``config``; in binary mode a :class:`BinaryServer` standing in for it, and
    under ELEKTROMAIL_URL the running server, reset (or a skip when ``config`` needs settings of its own)."""
    if external_mode():
        return cast(ServerThread, ExternalServer(config))
    if binary_mode():
        return cast(ServerThread, BinaryServer(config))
    return ServerThread(config).start()


def release(server: ServerThread) -> None:
    """The end of a test's server: stop one the test started, let go of the running one."""
    if isinstance(server, ExternalServer):
        server.close()
    else:
        server.stop()
