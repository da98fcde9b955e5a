"""Fault rules one test installs for its own mail, and the checks a rules marker gets at collection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, get_args

import msgspec

from elektromail.client import ApiError
from elektromail.delivery.rules import Action, DsnRule, RuleError, parse_rule
from elektromail.testing.server import MailServer

ACTIONS = get_args(Action)
RuleSpec = Mapping[str, Any] | DsnRule


class BadRule(ValueError):
    """A rule given to the plugin cannot be used; the message names it, the problem and the valid actions."""


def flatten(specs: Iterable[object]) -> list[object]:
    """Rules as given to the marker or to :meth:`FaultRules.install`: each alone, or in lists."""
    flat: list[object] = []
    for spec in specs:
        if isinstance(spec, list | tuple):
            flat += flatten(spec)
        else:
            flat.append(spec)
    return flat


def check(spec: object, user: str | None = None) -> DsnRule:
    """One rule as a Struct (a dict as in ELEKTROMAIL_DSN_RULES, or a rule Struct), checked as the server
    checks it. Without a ``recipient`` or ``user``, a dict's rule applies to ``user``'s mail."""
    if isinstance(spec, DsnRule):
        return spec
    if not isinstance(spec, Mapping):
        raise BadRule(f"{spec!r} is not a rule: give a dict such as {{'action': 'tempfail', 'times': 1}}")
    fields = dict(spec)
    if user is not None and "recipient" not in fields and "user" not in fields:
        fields["user"] = user
    try:
        return parse_rule(msgspec.json.encode(fields))
    except (RuleError, TypeError) as error:
        actions = ", ".join(ACTIONS)
        raise BadRule(f"{spec!r}: {error} (actions: {actions}; fields: docs/smtp.md, fault rules)") from None


class FaultRules:
    """Delivery rules installed for one test, in front of the server's own, and removed after it.

    A rule that names no ``recipient`` (nor ``user``) applies to this test's mailbox only, whatever address
    its mail is sent to (``+tags``, another domain). Each rule is added and removed on its own
    (``POST /rules``, ``DELETE /rules/{id}``): parallel tests on one server, on any number of machines,
    never touch each other's rules or restart their ``times`` and greylisting.
    """

    def __init__(self, server: MailServer, user: str) -> None:
        self.server = server
        self.user = user
        self.installed: list[tuple[str, DsnRule]] = []

    def rule(self, spec: object) -> DsnRule:
        return check(spec, self.user)

    def install(self, *specs: RuleSpec | list[RuleSpec]) -> list[DsnRule]:
        """Put these rules (dicts as in ELEKTROMAIL_DSN_RULES, or rule Structs from :mod:`elektromail.rules`)
        first, in the order given: the first match wins. Returns them decoded; a malformed one raises
        :class:`BadRule` naming it and the valid actions, before any is installed."""
        __tracebackhide__ = True
        rules = [self.rule(spec) for spec in flatten(specs)]
        for rule in reversed(rules):  # each goes in front: the last added decides first
            self.installed.append((self.server.client.add_rule(rule), rule))
        return rules

    def remove(self) -> None:
        """Take out what this test installed; rules anyone else installed stay, with their state."""
        while self.installed:
            rule_id, _ = self.installed.pop()
            try:
                self.server.client.remove_rule(rule_id)
            except ApiError as error:
                if error.status != 404:  # a PUT /rules or /reset of the test's own took it out already
                    raise
