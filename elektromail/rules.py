"""The delivery and fault rules, for code that builds them (``ELEKTROMAIL_DSN_RULES``, ``/rules``, the
pytest plugin's ``elektromail_rules``)::

    from elektromail.rules import Tempfail

    client.add_rule(Tempfail(user="alice", times=1))

One Struct per ``action``; their fields are documented in docs/smtp.md (fault rules).
"""

from __future__ import annotations

from elektromail.delivery.rules import (
    Accept,
    Action,
    Bounce,
    Delay,
    Disconnect,
    DsnRule,
    Greylist,
    Reject,
    RuleError,
    Stage,
    Tempfail,
    parse_rule,
    parse_rules,
)

__all__ = [
    "Accept",
    "Action",
    "Bounce",
    "Delay",
    "Disconnect",
    "DsnRule",
    "Greylist",
    "Reject",
    "RuleError",
    "Stage",
    "Tempfail",
    "parse_rule",
    "parse_rules",
]
