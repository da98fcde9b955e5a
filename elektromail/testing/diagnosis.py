"""What a failed wait says: what the mailbox holds, what else the server took meanwhile, and the likely
causes when that is nothing at all (a framework's test mode keeping the mail to itself)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from elektromail.http.schemas import Summary

# How many of the other addresses that received mail meanwhile a failure names.
OTHERS_SHOWN = 5
# INTERNALDATE has whole seconds: a message stored in the second the test began counts as meanwhile.
CLOCK_SLACK_SECONDS = 1.0

TEST_MODES = (
    "Django under pytest-django keeps mail in django.core.mail.outbox: set "
    'settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"; '
    "Flask-Mail sends nothing while TESTING is on: MAIL_SUPPRESS_SEND = False; "
    "fastapi-mail: SUPPRESS_SEND = 0"
)


class MailNotReceived(AssertionError):
    """No matching mail arrived in time; the message says what the mailbox held and what the server took."""


class MailArrived(AssertionError):
    """Mail arrived where a test said none would."""


def wanted(subject: str | None, sender: str | None) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in (("subject", subject), ("sender", sender)) if value)


def _listed(summary: Summary) -> str:
    return f"{summary.subject!r} from {summary.from_!r}"


def not_received(
    address: str,
    user: str,
    subject: str | None,
    sender: str | None,
    timeout: float,
    count: int,
    held: Sequence[Summary],
    everything: Sequence[Summary] | None,
    since: datetime,
    smtp: str,
    blocking_in_loop: bool = False,
) -> MailNotReceived:
    """The failure of a wait: ``held`` is the mailbox's mail, ``everything`` the server's (None: unknown),
    ``since`` when the test began (by this machine's clock)."""
    what = f"{count} messages" if count > 1 else "a message"
    filters = wanted(subject, sender)
    matching = f" matching {filters}" if filters else ""
    listed = [_listed(message) for message in held] or ["nothing"]
    lines = [f"{what}{matching} did not arrive at {address} within {timeout:g} s; it holds: " + "; ".join(listed)]
    if everything is not None and not held:
        lines.append(_meanwhile(user, everything, since, smtp))
    if blocking_in_loop:
        lines.append(
            "mailbox.wait() blocked the event loop of this async test, so mail sent from that loop could not "
            "go out: use `await mailbox.wait_async(...)`"
        )
    return MailNotReceived("\n".join(lines))


def _meanwhile(user: str, everything: Sequence[Summary], since: datetime, smtp: str) -> str:
    start = since.timestamp() - CLOCK_SLACK_SECONDS
    others = [m for m in everything if m.user.lower() != user.lower() and m.internal_date.timestamp() >= start]
    if not others:
        return (
            "the server stored no mail at all while this test ran: the application sent none to it. "
            f"Is it sending to {smtp}? Frameworks keep mail to themselves in test mode: {TEST_MODES}."
        )
    shown = [f"{', '.join(m.to) or '(no To)'} (user {m.user}): {_listed(m)}" for m in others[:OTHERS_SHOWN]]
    more = f" and {len(others) - OTHERS_SHOWN} more" if len(others) > OTHERS_SHOWN else ""
    return (
        "meanwhile the server stored mail for other users only (a misspelt address? parallel tests' mail shows "
        "here too): " + "; ".join(shown) + more
    )


def arrived(address: str, subject: str | None, sender: str | None, within: float, found: Summary) -> MailArrived:
    filters = wanted(subject, sender)
    matching = f" matching {filters}" if filters else ""
    return MailArrived(f"expected no mail{matching} at {address} within {within:g} s; got {_listed(found)}")
