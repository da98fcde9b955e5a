"""The pytest helpers' pure parts: the mailbox domain, links and codes of a message, what a failed wait
says, and the rules a marker accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from email_validator import EmailNotValidError, validate_email

from elektromail.http.schemas import Detail, Summary
from elektromail.rules import Tempfail
from elektromail.testing import MAILBOX_DOMAIN, NotFound, ReceivedMessage
from elektromail.testing.diagnosis import not_received
from elektromail.testing.rules import BadRule, check, flatten

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def detail(text: str | None, html: str | None = None, links: list[str] | None = None) -> Detail:
    return Detail(
        id="1-1", uid=1, user="t1", mailbox="INBOX", from_="app@example.com", to=["t1@x"], cc=[],
        subject="Your code", date=None, message_id=None, internal_date=NOW, flags=[], size=1, headers=[],
        text=text, html=html, attachments=[], links=links or [], envelope=None, delivery=None,
    )  # fmt: skip


def summary(user: str, to: str, subject: str, seconds_after: float) -> Summary:
    return Summary(
        id="1-2", uid=2, user=user, mailbox="INBOX", from_="app@example.com", to=[to], subject=subject,
        date=None, internal_date=NOW + timedelta(seconds=seconds_after), flags=[], size=1, links=[],
        envelope=None, delivery=None,
    )  # fmt: skip


def test_the_mailbox_domain_passes_email_validator_which_refuses_the_old_one() -> None:
    address = f"t0123456789abcdef@{MAILBOX_DOMAIN}"
    assert validate_email(address, check_deliverability=False).normalized == address
    with pytest.raises(EmailNotValidError, match="special-use or reserved name"):
        validate_email("t0123456789abcdef@elektromail.test", check_deliverability=False)


def test_link_finds_the_first_link_containing_the_text() -> None:
    message = ReceivedMessage(detail("x", links=["https://a.example/home", "https://a.example/reset?t=1"]), b"")
    assert message.link() == "https://a.example/home"
    assert message.link(contains="reset") == "https://a.example/reset?t=1"
    with pytest.raises(NotFound, match=r"no link containing 'confirm'.*'https://a.example/home'"):
        message.link(contains="confirm")


@pytest.mark.parametrize(
    ("text", "html", "code"),
    [
        ("Your code is 481516. It expires in 10 minutes.", None, "481516"),
        ("Use X7K2PQ to sign in (not HELLO, not 12).", None, "X7K2PQ"),
        ("Order ABC-1234 ... code: 9921", None, "9921"),  # part of a longer word is not a code
        (None, "<p>Enter <b>7305</b> in the app</p>", "7305"),
        ("https://x.example/verify?code=55555&u=1 then 8080", None, "55555"),
    ],
)
def test_code_finds_a_one_time_code(text: str | None, html: str | None, code: str) -> None:
    assert ReceivedMessage(detail(text, html), b"").code() == code


def test_code_takes_a_pattern_and_says_what_the_text_was() -> None:
    message = ReceivedMessage(detail("token: abc-def-ghi, nothing else"), b"")
    assert message.code(r"token: ([a-z-]+)") == "abc-def-ghi"
    with pytest.raises(NotFound, match=r"no code matching .* its text begins: 'token: abc-def-ghi"):
        message.code()


def test_a_failed_wait_says_when_the_server_took_no_mail_at_all() -> None:
    failure = str(not_received("t1@x", "t1", "Welcome", None, 10, 1, [], [], NOW, "127.0.0.1:2525"))
    assert "did not arrive at t1@x within 10 s; it holds: nothing" in failure
    assert "stored no mail at all while this test ran" in failure
    assert "Is it sending to 127.0.0.1:2525?" in failure
    assert "EMAIL_BACKEND" in failure and "MAIL_SUPPRESS_SEND = False" in failure and "SUPPRESS_SEND = 0" in failure


def test_a_failed_wait_names_the_other_addresses_that_got_mail_meanwhile() -> None:
    before = summary("old", "old@x", "Before the test", -5)
    misspelt = summary("t2", "t2@x", "Welcome", 1)
    failure = str(not_received("t1@x", "t1", "Welcome", None, 10, 1, [], [before, misspelt], NOW, "h:1"))
    assert "meanwhile the server stored mail for other users only" in failure
    assert "t2@x (user t2): 'Welcome' from 'app@example.com'" in failure
    assert "Before the test" not in failure
    assert "no mail at all" not in failure


def test_a_failed_wait_with_mail_held_lists_it_and_hints_at_wait_async_in_a_loop() -> None:
    held = [summary("t1", "t1@x", "Something else", 1)]
    failure = str(not_received("t1@x", "t1", "Welcome", None, 1, 2, held, None, NOW, "h:1", blocking_in_loop=True))
    assert "2 messages matching subject='Welcome' did not arrive" in failure
    assert "it holds: 'Something else' from 'app@example.com'" in failure
    assert "use `await mailbox.wait_async(...)`" in failure


def test_marker_rules_apply_to_the_user_unless_they_name_a_recipient() -> None:
    assert check({"action": "tempfail", "times": 1}, "t1") == Tempfail(user="t1", times=1)
    assert check({"action": "tempfail", "recipient": "*"}, "t1") == Tempfail(recipient="*")
    assert check(Tempfail(times=2), "t1") == Tempfail(times=2)
    assert flatten([{"a": 1}, [{"b": 2}, ({"c": 3},)]]) == [{"a": 1}, {"b": 2}, {"c": 3}]
    with pytest.raises(BadRule, match=r"Invalid value 'drop' - at `\$.action` \(actions: reject, bounce"):
        check({"action": "drop"}, "t1")
    with pytest.raises(BadRule, match="is not a rule"):
        check("tempfail")
