"""Delivery and fault rules (``ELEKTROMAIL_DSN_RULES``, ``GET``/``PUT /rules``): what the server does with a
sender and recipient, and which failures it stages for clients to cope with.

The setting is a JSON list decoded once, with msgspec, into typed rules (one Struct per ``action``)::

    [{"recipient": "*@bounce.test", "action": "bounce"},
     {"recipient": "full@*", "action": "reject", "code": 452, "status": "4.2.2", "text": "Mailbox full"},
     {"recipient": "*@slow.test", "action": "delay", "stage": "data", "ms": 2000},
     {"sender": "retry@*", "action": "greylist", "seconds": 2}]

Patterns match whole addresses, case-insensitively, with ``*`` standing for any run of characters. The
null reverse-path ``<>`` is the empty sender, which ``*`` matches. At each stage of a session (greeting,
MAIL, RCPT, end of DATA) the rules of that stage are tried in order and the first that acts decides;
``delay`` only waits and lets the rules after it decide. A rule acts when its patterns match, its
``times`` are not used up and its seeded ``probability`` draw succeeds; a greylisted pair that waited
long enough passes on to the next rule. An address no rule decides is accepted.

A rule may name a ``user`` instead of (or as well as) a recipient pattern: it then matches every address
that routes to that user (``+tags``, any domain, the user's own email address; see
:mod:`elektromail.delivery.routing`).

The rules in force change as a whole (``PUT /rules``) or one at a time (``POST /rules``,
``DELETE /rules/{id}``); either way a rule that stays keeps its id and its state (uses left, random
draws, greylisted pairs), so a test's ``times`` or greylist is not restarted by another test's change.
"""

from __future__ import annotations

import functools
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Literal, TypeAlias, TypeVar

import msgspec

from elektromail.delivery.routing import split_address, user_for_local_part

Action = Literal["reject", "bounce", "accept", "tempfail", "greylist", "delay", "disconnect"]
Stage = Literal["greeting", "mail", "rcpt", "data"]

REJECT: Action = "reject"
BOUNCE: Action = "bounce"
ACCEPT: Action = "accept"
TEMPFAIL: Action = "tempfail"
GREYLIST: Action = "greylist"
DELAY: Action = "delay"
DISCONNECT: Action = "disconnect"

GREETING: Stage = "greeting"
MAIL: Stage = "mail"
RCPT: Stage = "rcpt"
DATA: Stage = "data"
STAGES: tuple[Stage, ...] = (GREETING, MAIL, RCPT, DATA)

# RFC 5321 4.2: a negative reply is 4yz (transient) or 5yz (permanent); RFC 3463 2: class.subject.detail.
EnhancedStatus = Annotated[str, msgspec.Meta(pattern=r"^[45]\.\d{1,3}\.\d{1,3}$")]
ReplyText = Annotated[str, msgspec.Meta(pattern=r"^[^\r\n]*$", max_length=400)]
# Greylist memory per rule: enough for any test run, bounded against a client inventing pairs.
GREYLIST_PAIRS_MAX = 100_000


class _Rule(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, tag_field="action"
):
    """What every rule has: the patterns it matches, and how often it acts."""

    recipient: str = "*"
    sender: str = "*"
    user: str | None = None  # the recipient must also route to this user (however it is addressed)
    times: Annotated[int, msgspec.Meta(ge=1)] | None = None  # act on the first N matches only
    probability: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 1.0  # chance to act on a match
    seed: int = 0  # the probability draws are reproducible: one generator per rule, seeded with this


class Reject(_Rule, frozen=True, tag="reject"):
    """Refuse the recipient at RCPT."""

    code: Annotated[int, msgspec.Meta(ge=400, le=599)] | None = None  # default 550
    status: EnhancedStatus | None = None  # default 5.1.1 (4.1.1 with a 4xx code)
    text: ReplyText | None = None


class Bounce(_Rule, frozen=True, tag="bounce"):
    """Accept the recipient, deliver nothing to it, and send the sender a failure report."""

    code: Annotated[int, msgspec.Meta(ge=500, le=599)] | None = None  # the Diagnostic-Code, default 550
    status: EnhancedStatus | None = None  # default 5.1.1
    text: ReplyText | None = None


class Accept(_Rule, frozen=True, tag="accept"):
    """Deliver (stops later rules from matching this pair)."""


class Tempfail(_Rule, frozen=True, tag="tempfail"):
    """A transient failure at RCPT or in reply to the end of DATA (the message is then not stored)."""

    stage: Literal["rcpt", "data"] = "rcpt"
    code: Annotated[int, msgspec.Meta(ge=400, le=499)] = 451
    status: EnhancedStatus = "4.3.0"
    text: ReplyText = "Temporary failure, try again later"


class Greylist(_Rule, frozen=True, tag="greylist"):
    """451 4.7.1 at RCPT for a sender/recipient pair until ``seconds`` after its first attempt."""

    seconds: Annotated[float, msgspec.Meta(ge=0.0, le=86400.0)] = 1.0
    text: ReplyText = "Greylisted, try again later"


class Delay(_Rule, frozen=True, tag="delay"):
    """Wait ``ms`` milliseconds before the reply at ``stage``; the rules after it decide the reply."""

    ms: Annotated[int, msgspec.Meta(ge=0, le=3_600_000)]
    stage: Stage = "rcpt"


class Disconnect(_Rule, frozen=True, tag="disconnect"):
    """Close the connection at ``stage`` instead of replying."""

    stage: Stage = "rcpt"


DsnRule: TypeAlias = Reject | Bounce | Accept | Tempfail | Greylist | Delay | Disconnect


class AddedRule(msgspec.Struct, frozen=True, kw_only=True):
    """A rule added on its own (``POST /rules``), with the id that removes it (``DELETE /rules/{id}``)."""

    id: str
    rule: DsnRule


class RuleError(ValueError):
    """The rules cannot be used; the message says where and why. ``malformed``: the text is not JSON."""

    def __init__(self, message: str, malformed: bool = False) -> None:
        super().__init__(message)
        self.malformed = malformed


class Verdict(msgspec.Struct, frozen=True):
    """What the deciding rule says, with the code, status and text to report."""

    action: Action
    code: int
    status: str
    text: str


ACCEPTED = Verdict(ACCEPT, 250, "2.1.5", "Recipient OK")
DEFAULT_CODE = 550
DEFAULT_STATUS = "5.1.1"
DEFAULT_REJECT_TEXT = "Recipient address rejected"
DEFAULT_BOUNCE_TEXT = "Mailbox unavailable"
GREYLIST_STATUS = "4.7.1"  # RFC 3463 3.8: delivery not authorized (yet)


@functools.cache
def _decoder() -> msgspec.json.Decoder[list[DsnRule]]:
    # Made on first use: importing msgspec.json costs start-up time, and most runs have no rules.
    import msgspec.json

    return msgspec.json.Decoder(list[DsnRule])


@functools.cache
def _one_rule_decoder() -> msgspec.json.Decoder[DsnRule]:
    import msgspec.json

    return msgspec.json.Decoder(DsnRule)


Decoded = TypeVar("Decoded")
Clock = Callable[[], float]
# The user a recipient address routes to (the server's Router binds its own).
Route = Callable[[str], str]


def _verdict(rule: DsnRule) -> Verdict | None:
    match rule:
        case Reject() | Bounce():
            code = rule.code or DEFAULT_CODE
            status = rule.status or (DEFAULT_STATUS if code >= 500 else "4" + DEFAULT_STATUS[1:])
            text = rule.text or (DEFAULT_REJECT_TEXT if isinstance(rule, Reject) else DEFAULT_BOUNCE_TEXT)
            return Verdict(REJECT if isinstance(rule, Reject) else BOUNCE, code, status, text)
        case Accept():
            return ACCEPTED
        case Tempfail():
            return Verdict(TEMPFAIL, rule.code, rule.status, rule.text)
        case Greylist():
            return Verdict(GREYLIST, 451, GREYLIST_STATUS, rule.text)
        case Disconnect():
            return Verdict(DISCONNECT, 421, "4.4.2", "Connection dropped by rule")  # for logs: never sent
        case Delay():
            return None


def rule_stage(rule: DsnRule) -> Stage:
    return rule.stage if isinstance(rule, Tempfail | Delay | Disconnect) else RCPT


class CompiledRule:
    """One rule ready to match, with its run-time state: uses left, random draws, greylisted pairs."""

    __slots__ = (
        "id",
        "rule",
        "stage",
        "recipient",
        "sender",
        "user",
        "verdict",
        "delay_ms",
        "_left",
        "_random",
        "_seen",
    )

    def __init__(self, rule: DsnRule) -> None:
        self.id = os.urandom(6).hex()  # random: an id of a rule from before a restart or reset finds nothing
        self.rule = rule
        self.stage = rule_stage(rule)
        self.recipient = None if rule.recipient == "*" else compile_pattern(rule.recipient)
        self.sender = None if rule.sender == "*" else compile_pattern(rule.sender)
        self.user = None if rule.user is None else rule.user.lower()
        self.verdict = _verdict(rule)
        self.delay_ms = rule.ms if isinstance(rule, Delay) else 0
        self._left = rule.times
        self._random = random.Random(rule.seed) if rule.probability < 1.0 else None
        self._seen: dict[tuple[str, str], float] = {}  # greylist: pair -> first attempt

    def matches(self, sender: str, recipients: Sequence[str], route: Route) -> bool:
        if self.sender is not None and not self.sender.fullmatch(sender):
            return False
        return any(self._matches_recipient(recipient, route) for recipient in recipients) or (
            not recipients and self.recipient is None and self.user is None
        )

    def _matches_recipient(self, recipient: str, route: Route) -> bool:
        if self.recipient is not None and not self.recipient.fullmatch(recipient):
            return False
        return self.user is None or route(recipient).lower() == self.user

    def acts(self, sender: str, recipients: Sequence[str], now: Clock, route: Route) -> bool:
        """Whether the rule acts on this attempt; counts the use when it does."""
        if self._left == 0 or not self.matches(sender, recipients, route):
            return False
        if isinstance(self.rule, Greylist) and not self._greylisted(sender, recipients[0], now()):
            return False
        if self._random is not None and self._random.random() >= self.rule.probability:
            return False
        if self._left is not None:
            self._left -= 1
        return True

    def _greylisted(self, sender: str, recipient: str, now: float) -> bool:
        pair = (sender.lower(), recipient.lower())
        first = self._seen.get(pair)
        if first is None:
            if len(self._seen) >= GREYLIST_PAIRS_MAX:
                del self._seen[next(iter(self._seen))]
            self._seen[pair] = now
            return True
        assert isinstance(self.rule, Greylist)
        return now - first < self.rule.seconds


class Decision(msgspec.Struct, frozen=True):
    """The outcome at one stage: milliseconds to wait first, then the verdict (None: carry on as usual)."""

    delay_ms: int = 0
    verdict: Verdict | None = None


CARRY_ON = Decision()


def _local_part_route(address: str) -> str:
    return user_for_local_part(split_address(address)[0])


class DsnRules:
    """The decoded rules, matched first to last, with their run-time state.

    A set never changes its list: :meth:`replaced`, :meth:`added` and :meth:`removed` make the next one,
    handing on the compiled rules (ids and state) of every rule that stays.
    """

    def __init__(
        self,
        rules: Sequence[DsnRule] | Sequence[CompiledRule] = (),
        clock: Clock = time.monotonic,
        route: Route = _local_part_route,
    ) -> None:
        self._compiled = tuple(rule if isinstance(rule, CompiledRule) else CompiledRule(rule) for rule in rules)
        self.rules = tuple(rule.rule for rule in self._compiled)
        self._by_stage = {stage: tuple(rule for rule in self._compiled if rule.stage == stage) for stage in STAGES}
        # The stages the session must ask about; RCPT is asked whenever there is any rule.
        self.stages = frozenset(stage for stage, found in self._by_stage.items() if found)
        self._clock = clock
        # Set by the server's Delivery, so that `user` rules route as delivery does.
        self.route = route

    def __bool__(self) -> bool:
        return bool(self._compiled)

    @property
    def ids(self) -> tuple[str, ...]:
        """Each rule's id, in the order of :attr:`rules`."""
        return tuple(rule.id for rule in self._compiled)

    def _next(self, compiled: Sequence[CompiledRule]) -> DsnRules:
        return DsnRules(compiled, self._clock, self.route)

    def replaced(self, new: DsnRules) -> DsnRules:
        """``new``'s rules, each equal to one of these (counted with repeats) keeping that one's id and state."""
        unused: dict[DsnRule, list[CompiledRule]] = {}
        for rule in self._compiled:
            unused.setdefault(rule.rule, []).append(rule)
        kept = [unused[rule.rule].pop(0) if unused.get(rule.rule) else rule for rule in new._compiled]
        return self._next(kept)

    def added(self, rule: DsnRule) -> tuple[DsnRules, str]:
        """These rules with ``rule`` in front (it decides before them); and its id."""
        compiled = CompiledRule(rule)
        return self._next((compiled, *self._compiled)), compiled.id

    def removed(self, rule_id: str) -> DsnRules | None:
        """These rules without the one with this id; None when there is none."""
        kept = tuple(rule for rule in self._compiled if rule.id != rule_id)
        return None if len(kept) == len(self._compiled) else self._next(kept)

    def decide(self, stage: Stage, sender: str = "", recipients: Sequence[str] = ()) -> Decision:
        """Try the rules of ``stage`` in order; at the end of DATA a recipient pattern matches any recipient."""
        delay_ms = 0
        for rule in self._by_stage[stage]:
            if rule.acts(sender, recipients, self._clock, self.route):
                if rule.verdict is not None:
                    return Decision(delay_ms, rule.verdict)
                delay_ms = delay_ms or rule.delay_ms  # the first delay that acts is the wait
        return Decision(delay_ms) if delay_ms else CARRY_ON

    def verdict(self, sender: str, recipient: str) -> Verdict:
        """The delivery verdict for one recipient outside SMTP (injection): faults do not apply there."""
        for rule in self._by_stage[RCPT]:
            decides_delivery = isinstance(rule.rule, Reject | Bounce | Accept)
            if decides_delivery and rule.acts(sender, (recipient,), self._clock, self.route):
                assert rule.verdict is not None
                return rule.verdict
        return ACCEPTED


def _decode_or_raise_rule_error(decoder: msgspec.json.Decoder[Decoded], text: str | bytes) -> Decoded:
    """Decode with ``decoder``; bad JSON or a wrong shape raises :class:`RuleError` saying which."""
    try:
        return decoder.decode(text)
    except msgspec.ValidationError as error:
        raise RuleError(f"invalid rule: {error}") from None
    except msgspec.DecodeError as error:
        raise RuleError(f"not valid JSON: {error}", malformed=True) from None


def parse_rules(text: str | bytes | None) -> DsnRules:
    """Decode the setting's JSON (or a ``PUT /rules`` body); a problem raises :class:`RuleError` naming the
    rule and field."""
    if text is None or not text.strip():
        return DsnRules()
    rules = _decode_or_raise_rule_error(_decoder(), text)
    for index, rule in enumerate(rules):
        _check(rule, f"rule {index + 1}", f"$[{index}]")
    return DsnRules(rules)


def parse_rule(text: str | bytes) -> DsnRule:
    """Decode one rule (a ``POST /rules`` body) and check it as :func:`parse_rules` does."""
    rule = _decode_or_raise_rule_error(_one_rule_decoder(), text)
    _check(rule, "the rule", "$")
    return rule


def _check(rule: DsnRule, where: str, path: str) -> None:
    """What the types cannot say: classes that must agree, and patterns a stage can match."""
    code = getattr(rule, "code", None)
    status = getattr(rule, "status", None)
    if code is not None and status is not None and str(code)[0] != status[0]:
        raise RuleError(f"{where}: code {code} and status {status} disagree on the class - at `{path}.status`")
    stage = rule_stage(rule)
    if stage == GREETING and (rule.sender != "*" or rule.recipient != "*" or rule.user is not None):
        raise RuleError(f"{where}: at the greeting there is no sender or recipient to match - at `{path}.stage`")
    if stage == MAIL and (rule.recipient != "*" or rule.user is not None):
        field = "recipient" if rule.recipient != "*" else "user"
        raise RuleError(f"{where}: at MAIL there is no recipient to match - at `{path}.{field}`")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` matches any run of characters; everything else is literal; case does not matter."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.IGNORECASE | re.DOTALL)
