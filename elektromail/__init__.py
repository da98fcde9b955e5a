"""elektromail: a test mail server with SMTP, IMAP4rev2 and an HTTP control plane in one process.

The names below are imported on first use, so that importing the package (as pytest does for its plugin,
or an application for :mod:`elektromail.client`) does not load the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from elektromail.config import Config, ConfigError, UserSpec, load_config
    from elektromail.server import Server, ServerThread

__all__ = ["Config", "ConfigError", "Server", "ServerThread", "UserSpec", "__version__", "load_config"]

_FROM_CONFIG = frozenset({"Config", "ConfigError", "UserSpec", "load_config"})
_FROM_SERVER = frozenset({"Server", "ServerThread"})


def __getattr__(name: str) -> Any:
    # Plain imports (no import by string), so frozen builds still see both modules.
    if name in _FROM_CONFIG:
        from elektromail import config

        return getattr(config, name)
    if name in _FROM_SERVER:
        from elektromail import server

        return getattr(server, name)
    raise AttributeError(f"module 'elektromail' has no attribute {name!r}")
