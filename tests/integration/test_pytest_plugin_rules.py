"""The plugin's fault rules as a first-time user writes them: addresses that validators accept, rules that
follow the mailbox however it is addressed, parallel tests on one server that keep each other's rules
intact, and markers checked before anything runs."""

from __future__ import annotations

import pytest

from elektromail.client import Client
from tests.integration.plugin_runs import SEND, TOKEN, run, url_of
from tests.integration.process import ServerProcess

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


def test_the_address_passes_email_validator_and_rules_follow_the_user(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_addresses=SEND
        + """
import smtplib

import pytest
from email_validator import validate_email


def test_the_address_is_valid_for_applications(mailbox):
    assert validate_email(mailbox.address, check_deliverability=False).normalized == mailbox.address


@pytest.mark.elektromail_rules({"action": "reject", "code": 550, "status": "5.1.1"})
@pytest.mark.parametrize("form", ["{user}@example.com", "{user}+signup@elektromail.example.com", "{address}"])
def test_a_rule_without_recipient_covers_every_form_of_the_address(mailbox, form):
    to = form.format(user=mailbox.user, address=mailbox.address)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mailbox, "refused", to=to)
    assert refused.value.recipients[to][0] == 550


def test_without_the_rule_every_form_arrives(mailbox):
    for to in (f"{mailbox.user}@example.com", f"{mailbox.user}+signup@elektromail.example.com"):
        send(mailbox, f"to {to}", to=to)
    assert [m.to for m in mailbox.wait(subject="to ", count=2)] == [
        [f"{mailbox.user}@example.com"], [f"{mailbox.user}+signup@elektromail.example.com"]
    ]
"""
    )
    run(inner).assert_outcomes(passed=5)


RETRIES = (
    SEND
    + """
import smtplib
import time

import pytest


def send_with_one_retry(mailbox, subject):
    try:
        send(mailbox, subject)
        return 1
    except smtplib.SMTPRecipientsRefused as refused:
        assert refused.recipients[mailbox.address][0] == 451
    time.sleep(0.05)
    send(mailbox, subject)
    return 2


@pytest.mark.elektromail_rules({"action": "tempfail", "times": 1})
@pytest.mark.parametrize("n", range(16))
def test_tempfail_once_then_succeed(mailbox, n):
    assert send_with_one_retry(mailbox, f"retry {n}") == 2
    assert mailbox.wait(subject=f"retry {n}").subject == f"retry {n}"


@pytest.mark.elektromail_rules({"action": "greylist", "seconds": 0.3})
@pytest.mark.parametrize("n", range(4))
def test_greylisted_then_accepted(mailbox, n):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mailbox, "first try")
    time.sleep(0.4)
    send(mailbox, f"later {n}")
    mailbox.wait(subject=f"later {n}")
"""
)


def test_times_and_greylist_hold_with_parallel_tests_on_one_server(
    inner: pytest.Pytester, external: ServerProcess
) -> None:
    inner.makepyfile(test_retries=RETRIES)
    url = url_of(external)
    for _ in range(3):  # a PUT of the whole list by each test restarted the others' counters every time
        run(inner, "-n", "4", f"--elektromail-url={url}", f"--elektromail-token={TOKEN}").assert_outcomes(passed=20)
    with Client(url, TOKEN) as client:
        assert client.rules() == []


def test_markers_take_lists_and_rule_structs(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_lists=SEND
        + """
import smtplib

import pytest

from elektromail.rules import Tempfail

BOTH = [
    {"action": "tempfail", "times": 1, "code": 452, "status": "4.2.2"},
    {"action": "reject", "code": 554, "status": "5.7.1"},
]


@pytest.mark.elektromail_rules(BOTH)
def test_a_list_of_rules_is_installed_in_order(mailbox):
    codes = []
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mailbox, "x")
        codes.append(refused.value.recipients[mailbox.address][0])
    assert codes == [452, 554]


def test_installed_structs_stay_as_given(mailbox, elektromail_rules):
    (rule,) = elektromail_rules.install(Tempfail(user=mailbox.user, times=1))
    assert rule == Tempfail(user=mailbox.user, times=1)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mailbox, "x")
    send(mailbox, "y")
    assert mailbox.wait(subject="y").subject == "y"
"""
    )
    run(inner).assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ('{"action": "drop"}', "Invalid value 'drop' - at `$.action`"),
        ('[{"action": "tempfail"}, {"action": "tempfail", "times": 0}]', "Expected `int` >= 1 - at `$.times`"),
        ('"tempfail"', "'tempfail' is not a rule: give a dict"),
    ],
)
def test_a_bad_marker_rule_stops_collection_naming_the_test_and_the_actions(
    inner: pytest.Pytester, marker: str, problem: str
) -> None:
    inner.makepyfile(
        test_bad=f"""
import pytest


@pytest.mark.elektromail_rules({marker})
def test_with_a_bad_rule(mailbox):
    pass
"""
    )
    result = run(inner)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "test_bad.py::test_with_a_bad_rule: @pytest.mark.elektromail_rules:" in errors
    assert problem in errors
    if "not a rule" not in problem:
        assert "actions: reject, bounce, accept, tempfail, greylist, delay, disconnect" in errors
