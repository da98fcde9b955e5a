"""elektromail: a test mail server with SMTP, IMAP4rev2 and an HTTP control plane in one process."""

from __future__ import annotations

__version__ = "0.1.0"

from elektromail.config import Config, ConfigError, UserSpec, load_config
from elektromail.server import Server, ServerThread

__all__ = ["Config", "ConfigError", "Server", "ServerThread", "UserSpec", "__version__", "load_config"]
