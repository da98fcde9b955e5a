"""Delivery: routes accepted recipients to users, stores one copy per user, and sends bounces.

Used by the SMTP session at the end of DATA and by anything else that injects mail.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import UTC, datetime

from elektromail.config import Config
from elektromail.delivery.bounce import Failure, build_bounce
from elektromail.delivery.routing import Router, split_address
from elektromail.delivery.rules import ACCEPTED, BOUNCE, DsnRules, Verdict, parse_rules
from elektromail.store.memory import Store


class Recipient:
    """An accepted RCPT: the address as given, the user it routes to, and the rule's verdict."""

    __slots__ = ("address", "user", "verdict")

    def __init__(self, address: str, user: str, verdict: Verdict = ACCEPTED) -> None:
        self.address = address
        self.user = user
        self.verdict = verdict


class Delivery:
    """Routing, DSN rules and storage for one server."""

    def __init__(self, store: Store, rules: DsnRules, router: Router, hostname: str) -> None:
        self.store = store
        self.rules = rules
        self.router = router
        self.hostname = hostname

    @classmethod
    def from_config(cls, config: Config, store: Store) -> Delivery:
        """Raises :class:`~elektromail.delivery.rules.RuleError` when the DSN rules are unusable."""
        return cls(store, parse_rules(config.dsn_rules), Router(store.owner_of), local_hostname())

    def recipient(self, sender: str, address: str, local_part: str | None = None) -> Recipient:
        """Route ``address`` and apply the rules; the caller rejects it when the verdict says so."""
        verdict = self.rules.verdict(sender, address) if self.rules else ACCEPTED
        return Recipient(address, self.router.user_for(address, local_part), verdict)

    async def deliver(self, sender: str, recipients: Sequence[Recipient], raw: bytes) -> None:
        """Store ``raw`` once per user; bounced recipients get a report sent to the sender instead."""
        users = [recipient.user for recipient in recipients if recipient.verdict.action != BOUNCE]
        if users:
            await self.store.deliver(users, raw)
        failures = [Failure(r.address, r.verdict) for r in recipients if r.verdict.action == BOUNCE]
        if failures and sender:  # RFC 3464 / RFC 5321 6.1: never report on a message with a null sender
            now = datetime.now(UTC)
            report = build_bounce(
                reporting_mta=self.hostname, sender=sender, failures=failures, original=raw, arrival=now, now=now
            )
            await self.store.deliver([self.router.user_for(sender, split_address(sender)[0])], report)

    async def deliver_to(self, sender: str, addresses: Sequence[str], raw: bytes) -> list[Recipient]:
        """Deliver to plain addresses (for injection outside SMTP); returns the routed recipients.

        Recipients a ``reject`` rule matches are left out of delivery and returned with that verdict.
        """
        routed = [self.recipient(sender, address) for address in addresses]
        await self.deliver(sender, [r for r in routed if r.verdict.action != "reject"], raw)
        return routed


_hostname: str | None = None


def local_hostname() -> str:
    """The host name used in greetings and reports (no DNS lookup: start-up must be instant)."""
    global _hostname
    if _hostname is None:
        _hostname = socket.gethostname() or "localhost"
    return _hostname
