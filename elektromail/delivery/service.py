"""Delivery: routes accepted recipients to users, stores one copy per user, and sends delivery status
notifications: failures (a ``bounce`` rule) unless the recipient's NOTIFY excludes them, successes when
its NOTIFY asks for them (RFC 3461).

Used by the SMTP session at the end of DATA and by anything else that injects mail.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec

from elektromail.config import Config
from elektromail.delivery.bounce import DELIVERED, FAILED, ReportAction, Reported, build_report
from elektromail.delivery.routing import Router, split_address
from elektromail.delivery.rules import ACCEPTED, BOUNCE, DsnRules, Verdict, parse_rules
from elektromail.store import Store
from elektromail.store.model import Message
from elektromail.store.provenance import BOUNCE as BOUNCE_PROTOCOL
from elektromail.store.provenance import Delivery as DeliveryFacts
from elektromail.store.provenance import Envelope, Provenance, shared_envelope

# RFC 3461 4.1: the NOTIFY keywords (NEVER is the empty set). Without NOTIFY, a server reports failures
# (and delays), never successes.
SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
DELAY = "DELAY"
DEFAULT_NOTIFY = frozenset({FAILURE, DELAY})


class Recipient:
    """An accepted RCPT: the address as given, the user it routes to, the rule's verdict, and what the
    client asked to be told about it (RFC 3461 NOTIFY and ORCPT)."""

    __slots__ = ("address", "user", "verdict", "notify", "original_recipient")

    def __init__(self, address: str, user: str, verdict: Verdict = ACCEPTED) -> None:
        self.address = address
        self.user = user
        self.verdict = verdict
        self.notify = DEFAULT_NOTIFY
        self.original_recipient: str | None = None


class Arrival(msgspec.Struct, frozen=True, gc=False):
    """How a message came in: the delivery facts, and the envelope with every recipient of the
    transaction (each stored copy keeps the recipients routed to its user). Made in C, once per message."""

    delivery: DeliveryFacts
    envelope: Envelope


class ReportRequest(NamedTuple):
    """The MAIL parameters of RFC 3461: how much of the message a report returns, and the envelope id."""

    full_content: bool | None = None  # RET=FULL / RET=HDRS; None: failures return the whole message
    envelope_id: str | None = None


NO_REQUEST = ReportRequest()


class Delivery:
    """Routing, DSN rules and storage for one server."""

    def __init__(self, store: Store, rules: DsnRules, router: Router, hostname: str) -> None:
        self.store = store
        self.router = router
        self.rules = rules
        self.hostname = hostname

    @property
    def rules(self) -> DsnRules:
        return self._rules

    @rules.setter
    def rules(self, rules: DsnRules) -> None:
        # A rule naming a `user` must see recipients routed as delivery routes them.
        rules.route = self.router.user_for
        self._rules = rules
        # The stages the rules decide at, as a plain attribute: an SMTP session asks at every stage.
        self.stages = rules.stages

    @classmethod
    def from_config(cls, config: Config, store: Store) -> Delivery:
        """Raises :class:`~elektromail.delivery.rules.RuleError` when the DSN rules are unusable."""
        return cls(store, parse_rules(config.dsn_rules), Router(store.owner_of), local_hostname())

    def recipient(
        self, sender: str, address: str, local_part: str | None = None, verdict: Verdict | None = None
    ) -> Recipient:
        """Route ``address`` with the rules' verdict (the delivery rules' when none is given); the caller
        rejects it when the verdict says so."""
        if verdict is None:
            verdict = self.rules.verdict(sender, address) if self.rules else ACCEPTED
        return Recipient(address, self.router.user_for(address, local_part), verdict)

    async def deliver(
        self,
        sender: str,
        recipients: Sequence[Recipient],
        raw: bytes,
        request: ReportRequest = NO_REQUEST,
        how: Arrival | None = None,
    ) -> list[str]:
        """Store ``raw`` once per user; bounced recipients get a failure report sent to the sender instead,
        and recipients whose NOTIFY has SUCCESS a success report. Returns the ids of the copies stored
        for the recipients (not of reports)."""
        arrival = datetime.now(UTC)
        delivered = [recipient for recipient in recipients if recipient.verdict.action != BOUNCE]
        stored_ids: list[str] = []
        if delivered:
            users = list(dict.fromkeys(recipient.user.lower() for recipient in delivered))
            provenance = _per_user(how, delivered) if how is not None else None
            stored_ids = self._ids(users, await self.store.deliver(users, raw, provenance))
        if not sender:  # RFC 3461 6.2 / RFC 5321 6.1: never report on a message with a null sender
            return stored_ids
        if len(delivered) < len(recipients):
            failures = [
                Reported(r.address, r.verdict.status, r.verdict.code, r.verdict.text, r.original_recipient)
                for r in recipients
                if r.verdict.action == BOUNCE and FAILURE in r.notify
            ]
            # RFC 3461 4.3: RET asks for the content in failure reports; a success report returns the header.
            await self._report(FAILED, sender, failures, raw, arrival, request, request.full_content is not False)
        successes = [
            Reported(r.address, "2.0.0", 250, "delivered", r.original_recipient)
            for r in delivered
            if SUCCESS in r.notify
        ]
        if successes:
            await self._report(DELIVERED, sender, successes, raw, arrival, request, False)
        return stored_ids

    def deliver_at_once(self, recipients: Sequence[Recipient], raw: bytes, how: Arrival) -> list[str] | None:
        """:meth:`deliver` in one synchronous step where it can be: the store commits at once and no report is
        due (no recipient bounced or asked to hear of success). None: nothing was done, :meth:`deliver` must."""
        if not self.store.journal.commits_at_once:
            return None
        for recipient in recipients:
            if recipient.verdict.action == BOUNCE or SUCCESS in recipient.notify:
                return None
        envelope = how.envelope
        if len(recipients) == 1 and envelope.rcpt_to == (recipients[0].address,) and not envelope.recipient_parameters:
            # The usual transaction, one recipient: its copy keeps the envelope as it is (see _per_user), the
            # one record every copy with an equal envelope shares.
            users = [recipients[0].user.lower()]
            provenance: Provenance | dict[str, Provenance] = Provenance(
                delivery=how.delivery, envelope=shared_envelope(envelope)
            )
        else:
            users = list(dict.fromkeys(recipient.user.lower() for recipient in recipients))
            provenance = _per_user(how, recipients)
        return self._ids(users, self.store.deliver_at_once(users, raw, provenance))

    def _ids(self, users: list[str], stored: list[Message]) -> list[str]:
        """The server-wide ids of the copies stored for ``users``, in order."""
        assert len(users) == len(stored), "one copy per user"
        ids: list[str] = []
        account_of = self.store.account
        for index, message in enumerate(stored):  # a loop of one, mostly: no zip made with its keyword
            account = account_of(users[index])
            if account is not None:
                ids.append(account.inbox.message_id(message.uid))
        return ids

    async def _report(
        self,
        action: ReportAction,
        sender: str,
        recipients: list[Reported],
        raw: bytes,
        arrival: datetime,
        request: ReportRequest,
        full_content: bool,
    ) -> None:
        if not recipients:
            return
        report = build_report(
            action=action,
            reporting_mta=self.hostname,
            sender=sender,
            recipients=recipients,
            original=raw,
            arrival=arrival,
            now=datetime.now(UTC),
            full_content=full_content,
            envelope_id=request.envelope_id,
        )
        # A report is sent by the server itself, from the null reverse path (RFC 3461 6.2) to the sender.
        provenance = Provenance(
            delivery=DeliveryFacts(protocol=BOUNCE_PROTOCOL, received_at=datetime.now(UTC)),
            envelope=Envelope(mail_from="", rcpt_to=(sender,)),
        )
        await self.store.deliver([self.router.user_for(sender, split_address(sender)[0])], report, provenance)

    async def deliver_to(
        self, sender: str, addresses: Sequence[str], raw: bytes, how: Arrival | None = None
    ) -> list[Recipient]:
        """Deliver to plain addresses (for injection outside SMTP); returns the routed recipients.

        Recipients a ``reject`` rule matches are left out of delivery and returned with that verdict.
        """
        routed = [self.recipient(sender, address) for address in addresses]
        await self.deliver(sender, [r for r in routed if r.verdict.action != "reject"], raw, NO_REQUEST, how)
        return routed


def _per_user(how: Arrival, delivered: Sequence[Recipient]) -> dict[str, Provenance]:
    """Each user's copy with the envelope recipients routed to that user (RFC 5321 3.3: one transaction
    may carry recipients of several mailboxes; a copy only tells of its own)."""
    by_user: dict[str, list[str]] = {}
    for recipient in delivered:
        by_user.setdefault(recipient.user.lower(), []).append(recipient.address)
    envelope = how.envelope
    if len(by_user) == 1 and not envelope.recipient_parameters:
        ((user, addresses),) = by_user.items()
        if envelope.rcpt_to == tuple(addresses):  # the usual: the copy has every recipient, as the envelope
            return {user: Provenance(delivery=how.delivery, envelope=shared_envelope(envelope))}
    return {
        user: Provenance(delivery=how.delivery, envelope=shared_envelope(_envelope_for(envelope, addresses)))
        for user, addresses in by_user.items()
    }


def _envelope_for(envelope: Envelope, addresses: list[str]) -> Envelope:
    """``envelope`` with only ``addresses`` among its recipients (itself when they are all of them)."""
    parameters = tuple(p for p in envelope.recipient_parameters if p.address in addresses)
    if tuple(addresses) == envelope.rcpt_to and parameters == envelope.recipient_parameters:
        return envelope
    return msgspec.structs.replace(envelope, rcpt_to=tuple(addresses), recipient_parameters=parameters)


_hostname: str | None = None


def local_hostname() -> str:
    """The host name used in greetings and reports (no DNS lookup: start-up must be instant)."""
    global _hostname
    if _hostname is None:
        _hostname = socket.gethostname() or "localhost"
    return _hostname
