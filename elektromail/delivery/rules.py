"""DSN rules (``ELEKTROMAIL_DSN_RULES``): which recipients are rejected, bounced or accepted.

The setting is a JSON list decoded once, with msgspec, into typed rules::

    [{"recipient": "*@bounce.test", "sender": "*", "action": "bounce"},
     {"recipient": "full@*", "action": "reject", "code": 452, "status": "4.2.2", "text": "Mailbox full"}]

Patterns match whole addresses, case-insensitively, with ``*`` standing for any run of characters. The
null reverse-path ``<>`` is the empty sender, which ``*`` matches. The first matching rule wins; an address
no rule matches is accepted.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import msgspec

Action = Literal["reject", "bounce", "accept"]

REJECT: Action = "reject"
BOUNCE: Action = "bounce"
ACCEPT: Action = "accept"

# RFC 5321 4.2: a negative reply is 4yz (transient) or 5yz (permanent).
_ENHANCED_STATUS = re.compile(r"[45]\.\d{1,3}\.\d{1,3}")


class DsnRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rule as written in the setting."""

    action: Action
    recipient: str = "*"
    sender: str = "*"
    code: int | None = None  # reply code for reject (default 550), Diagnostic-Code for bounce
    status: str | None = None  # RFC 3463 enhanced status (default 5.1.1)
    text: str | None = None


class RuleError(ValueError):
    """The setting cannot be used; the message says where and why."""


class Verdict(msgspec.Struct, frozen=True):
    """What a matching rule decided for one recipient, with the code, status and text to report."""

    action: Action
    code: int
    status: str
    text: str


ACCEPTED = Verdict(ACCEPT, 250, "2.1.5", "Recipient OK")
DEFAULT_CODE = 550
DEFAULT_STATUS = "5.1.1"
DEFAULT_REJECT_TEXT = "Recipient address rejected"
DEFAULT_BOUNCE_TEXT = "Mailbox unavailable"


@functools.cache
def _decoder() -> msgspec.json.Decoder[list[DsnRule]]:
    # Made on first use: importing msgspec.json costs start-up time, and most runs have no rules.
    import msgspec.json

    return msgspec.json.Decoder(list[DsnRule])


class CompiledRule:
    __slots__ = ("recipient", "sender", "verdict")

    def __init__(self, rule: DsnRule) -> None:
        self.recipient = compile_pattern(rule.recipient)
        self.sender = compile_pattern(rule.sender)
        if rule.action == ACCEPT:
            self.verdict = ACCEPTED
        else:
            default_text = DEFAULT_REJECT_TEXT if rule.action == REJECT else DEFAULT_BOUNCE_TEXT
            self.verdict = Verdict(
                rule.action, rule.code or DEFAULT_CODE, rule.status or DEFAULT_STATUS, rule.text or default_text
            )


class DsnRules:
    """The decoded rules, matched first to last."""

    def __init__(self, rules: list[DsnRule] | tuple[DsnRule, ...] = ()) -> None:
        self.rules = tuple(rules)
        self._compiled = tuple(CompiledRule(rule) for rule in rules)

    def __bool__(self) -> bool:
        return bool(self._compiled)

    def verdict(self, sender: str, recipient: str) -> Verdict:
        for rule in self._compiled:
            if rule.recipient.fullmatch(recipient) and rule.sender.fullmatch(sender):
                return rule.verdict
        return ACCEPTED


def parse_rules(text: str | None) -> DsnRules:
    """Decode the setting's JSON; any problem raises :class:`RuleError` naming the rule and field."""
    if text is None or not text.strip():
        return DsnRules()
    try:
        rules = _decoder().decode(text)
    except msgspec.ValidationError as error:
        raise RuleError(f"invalid rule: {error}") from None
    except msgspec.DecodeError as error:
        raise RuleError(f"not valid JSON: {error}") from None
    for index, rule in enumerate(rules):
        where = f"rule {index + 1}"
        if rule.code is not None and not 400 <= rule.code <= 599:
            raise RuleError(f"{where}: code {rule.code} is not a 4xx or 5xx reply code")
        if rule.status is not None:
            if not _ENHANCED_STATUS.fullmatch(rule.status):
                raise RuleError(f"{where}: status {rule.status!r} is not an enhanced status code such as 5.1.1")
            if rule.code is not None and str(rule.code)[0] != rule.status[0]:
                raise RuleError(f"{where}: code {rule.code} and status {rule.status} disagree on the class")
        if rule.action == BOUNCE and rule.code is not None and rule.code < 500:
            raise RuleError(f"{where}: a bounce reports a permanent failure, so its code must be 5xx")
        if rule.text is not None and any(ch in rule.text for ch in "\r\n"):
            raise RuleError(f"{where}: text must be a single line")
    return DsnRules(rules)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` matches any run of characters; everything else is literal; case does not matter."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.IGNORECASE | re.DOTALL)
