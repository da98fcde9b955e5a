"""What the pytest plugin's fixtures hand to a test: the server, a fresh mailbox, received messages.

:mod:`elektromail.pytest_plugin` imports this package only when a test asks for one of its fixtures, so
pytest runs that never use them do not load the server or httpx.
"""

from __future__ import annotations

from elektromail.testing.diagnosis import MailArrived, MailNotReceived
from elektromail.testing.mailbox import DEFAULT_QUIET_SECONDS, DEFAULT_WAIT_SECONDS, MAILBOX_DOMAIN, Mailbox
from elektromail.testing.messages import Headers, NotFound, ReceivedMessage
from elektromail.testing.rules import BadRule, FaultRules
from elektromail.testing.server import (
    READY_SECONDS,
    MailServer,
    ServerUnavailable,
    connect,
    in_process_server,
)

__all__ = [
    "DEFAULT_QUIET_SECONDS",
    "DEFAULT_WAIT_SECONDS",
    "MAILBOX_DOMAIN",
    "READY_SECONDS",
    "BadRule",
    "FaultRules",
    "Headers",
    "MailArrived",
    "MailNotReceived",
    "MailServer",
    "Mailbox",
    "NotFound",
    "ReceivedMessage",
    "ServerUnavailable",
    "connect",
    "in_process_server",
]
