"""Fault-rule staging: how a rule's decision turns the reply a command would get into the one it gets.

Pure: the rules decide (:mod:`elektromail.delivery.rules`), this says what the client then sees.
"""

from __future__ import annotations

from elektromail.delivery.rules import ACCEPTED, DISCONNECT, Decision
from elektromail.smtp.actions import Deferred
from elektromail.smtp.replies import Reply


def staged(decision: Decision, reply: Reply) -> Reply | Deferred | None:
    """``reply`` unless the verdict replaces it, after any delay; None: hang up without a reply."""
    verdict = decision.verdict
    answer: Reply | None = reply
    if verdict is not None and verdict is not ACCEPTED:
        answer = None if verdict.action == DISCONNECT else Reply(verdict.code, verdict.status, verdict.text)
    if decision.delay_ms:
        return Deferred(decision.delay_ms, None, answer)
    return answer
