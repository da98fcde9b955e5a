"""The pytest plugin, used the way its users use it: test files run by a separate pytest (pytester).

Each scenario writes a small test suite, runs it in a fresh pytest process with ``-W error`` (the plugin
comes in through its ``pytest11`` entry point) and checks the outcome; the external-server scenarios
also check what the server holds afterwards.
"""

from __future__ import annotations

import pytest

from elektromail.client import Client
from tests.integration.plugin_runs import SEND, TOKEN, run, url_of
from tests.integration.process import ServerProcess

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

# Twelve tests that each send their own mail and must see only that; run in parallel they share a server.
ISOLATION = (
    SEND
    + """
import pytest


@pytest.mark.parametrize("n", range(12))
def test_only_my_own_mail(mailbox, n):
    for i in range(3):
        send(mailbox, f"test {n} message {i}")
    arrived = mailbox.wait(subject=f"test {n} message", count=3)
    assert [m.subject for m in arrived] == [f"test {n} message {i}" for i in range(3)]
    assert [m.subject for m in mailbox.messages()] == [f"test {n} message {i}" for i in range(3)]
    assert all(m.to == [mailbox.address] for m in mailbox.messages())
"""
)


def test_in_process_mailbox_receives_parses_and_cleans_up(inner: pytest.Pytester) -> None:
    inner.makeconftest(
        """
import pytest


@pytest.fixture(scope="session")
def elektromail_config():
    from elektromail import Config

    return Config(tls_disabled=True, smtp_port=2525)  # the plugin still picks free ports
"""
    )
    inner.makepyfile(
        test_mail=SEND
        + """
import sys

MY_USERS = []


def test_unused_plugin_loads_nothing():
    loaded = [name for name in sys.modules if name.startswith(("elektromail.server", "elektromail.client", "httpx"))]
    assert loaded == []


def test_wait_returns_the_parsed_message(mailbox, elektromail_server):
    assert not elektromail_server.external
    MY_USERS.append(mailbox.user)
    send(
        mailbox,
        "Confirm your account",
        text="Open https://app.example/confirm?token=abc to confirm.",
        html='<p><a href="https://app.example/confirm?token=abc">Confirm</a></p>',
        attachment=b"%PDF-1.4 invoice",
    )
    message = mailbox.wait(subject="confirm your", sender="app@example.com")
    assert message.subject == "Confirm your account"
    assert message.sender == "app@example.com"
    assert "https://app.example/confirm?token=abc" in message.text
    assert 'href="https://app.example/confirm?token=abc"' in message.html
    assert message.links == ["https://app.example/confirm?token=abc"]
    assert [(a.filename, a.content_type) for a in message.attachments] == [("invoice.pdf", "application/pdf")]
    assert message.headers["subject"] == "Confirm your account"
    assert message.headers.get_all("To") == [mailbox.address]
    assert b"\\r\\nSubject: Confirm your account\\r\\n" in message.raw
    (attachment,) = message.email.iter_attachments()
    assert attachment.get_content() == b"%PDF-1.4 invoice"
    assert [m.id for m in mailbox.messages()] == [message.id]

    imap = mailbox.imap()
    assert imap.select("INBOX") == ("OK", [b"1"])


def test_the_configured_settings_apply(mailbox):
    assert mailbox.smtp_port != 2525
    with smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("starttls")


def test_the_previous_mailbox_is_gone(mailbox, elektromail_server):
    (previous,) = MY_USERS
    assert previous not in [user.name for user in elektromail_server.client.users()]
    assert mailbox.user != previous
    assert mailbox.messages() == []
"""
    )
    run(inner).assert_outcomes(passed=4)


def test_wait_returns_on_arrival_and_times_out_with_what_arrived(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_wait=SEND
        + """
import threading

import pytest

from elektromail.testing import MailNotReceived


def test_wait_returns_when_the_mail_arrives(mailbox):
    # The mail is sent while the wait is already pending.
    sender = threading.Timer(0.3, send, (mailbox, "late arrival"))
    sender.start()
    try:
        assert mailbox.wait(subject="late", timeout=60).subject == "late arrival"
    finally:
        sender.join()


def test_wait_times_out_and_says_what_arrived(mailbox):
    send(mailbox, "something else")
    with pytest.raises(MailNotReceived) as raised:
        mailbox.wait(subject="never sent", timeout=0.5)
    assert "subject='never sent'" in str(raised.value)
    assert "'something else' from 'app@example.com'" in str(raised.value)


def test_a_failed_wait_fails_the_test(mailbox):
    mailbox.wait(subject="never sent", timeout=0.2)
"""
    )
    result = run(inner)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*MailNotReceived: a message matching subject='never sent' did not arrive*"])


def test_async_tests_wait_without_blocking_the_loop(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_async="""
import asyncio

import aiosmtplib


async def test_wait_async_while_the_loop_sends(mailbox):
    async def send_soon():
        await asyncio.sleep(0.2)
        message = b"From: app@example.com\\r\\nSubject: async hello\\r\\n\\r\\nhi https://a.example/x\\r\\n"
        await aiosmtplib.send(
            message, sender="app@example.com", recipients=[mailbox.address],
            hostname=mailbox.smtp_host, port=mailbox.smtp_port, start_tls=False,
        )

    # The wait is pending while the same loop sends the message: it must not block the loop.
    received, _ = await asyncio.gather(mailbox.wait_async(subject="async", timeout=60), send_soon())
    assert received.subject == "async hello"
    assert received.links == ["https://a.example/x"]


async def test_async_wait_times_out(mailbox):
    from elektromail.testing import MailNotReceived

    try:
        await mailbox.wait_async(subject="nothing", timeout=0.3)
    except MailNotReceived as error:
        assert mailbox.address in str(error)
    else:
        raise AssertionError("the wait should have timed out")
"""
    )
    run(inner).assert_outcomes(passed=2)


FAULTS = (
    SEND
    + """
import smtplib

import pytest


@pytest.mark.elektromail_rules({"action": "tempfail", "code": 451, "status": "4.3.0", "text": "Come back later"})
def test_marker_rule_applies_to_this_tests_mailbox(mailbox, elektromail_server):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mailbox, "refused")
    assert refused.value.recipients[mailbox.address] == (451, b"4.3.0 Come back later")
    assert mailbox.messages() == []


def test_rules_installed_during_a_test(mailbox, elektromail_rules):
    send(mailbox, "before the rule")
    elektromail_rules.install({"action": "reject", "code": 550, "status": "5.1.1", "text": "No such user"})
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mailbox, "after the rule")
    assert refused.value.recipients[mailbox.address][0] == 550
    assert [m.subject for m in mailbox.messages()] == ["before the rule"]


@pytest.mark.parametrize("n", range(6))
def test_without_rules_mail_arrives(mailbox, n):
    send(mailbox, f"plain {n}")
    assert mailbox.wait(subject=f"plain {n}").subject == f"plain {n}"
"""
)


def test_fault_rules_last_for_one_test_only(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_faults=FAULTS)
    run(inner).assert_outcomes(passed=8)


def test_rules_marker_without_a_mailbox_is_a_usage_error(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_bad="""
import pytest


@pytest.mark.elektromail_rules({"action": "reject"})
def test_forgot_the_mailbox():
    pass
"""
    )
    result = run(inner)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*elektromail_rules needs the mailbox fixture*"])


def test_external_server_by_url_with_four_workers(inner: pytest.Pytester, external: ServerProcess) -> None:
    inner.makepyfile(test_isolation=ISOLATION, test_faults=FAULTS)
    inner.makepyfile(
        test_where="""
def test_runs_against_the_external_server(elektromail_server, mailbox):
    assert elektromail_server.external
    assert (mailbox.smtp_port, mailbox.imap_port) == (SMTP, IMAP)
""".replace("SMTP", str(external.ports["SMTP"])).replace("IMAP", str(external.ports["IMAP"]))
    )
    url = url_of(external)
    result = run(inner, "-n", "4", f"--elektromail-url={url}", f"--elektromail-token={TOKEN}")
    result.assert_outcomes(passed=12 + 8 + 1)
    # Every test removed its user, its mail and its rules.
    with Client(url, TOKEN) as client:
        assert [user.name for user in client.users()] == ["user"]
        assert client.messages() == []
        assert client.rules() == []


def test_external_server_from_the_environment(
    inner: pytest.Pytester, external: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELEKTROMAIL_URL", url_of(external))
    monkeypatch.setenv("ELEKTROMAIL_HTTP_TOKEN", TOKEN)
    # As if a container published IMAP under another number: the given port wins over the reported one.
    monkeypatch.setenv("ELEKTROMAIL_IMAP_PORT", "40143")
    inner.makepyfile(
        test_env="""
def test_env_names_the_server(elektromail_server, mailbox):
    assert elektromail_server.external
    assert elektromail_server.url == URL
    assert (mailbox.smtp_port, mailbox.imap_port) == (SMTP, 40143)
""".replace("URL", repr(url_of(external))).replace("SMTP", str(external.ports["SMTP"]))
    )
    run(inner).assert_outcomes(passed=1)


def test_in_process_servers_with_four_workers(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_isolation=ISOLATION)
    run(inner, "-n", "4").assert_outcomes(passed=12)


def test_a_wrong_token_fails_with_the_servers_answer(inner: pytest.Pytester, external: ServerProcess) -> None:
    inner.makepyfile(test_token="def test_needs_the_server(mailbox):\n    pass\n")
    result = run(inner, f"--elektromail-url={url_of(external)}", "--elektromail-token=wrong")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ApiError: 401: missing or wrong bearer token*"])


def test_messages_tell_their_envelope_delivery_and_transcript(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_story="""
import smtplib

import pytest


def test_a_blind_copy_and_the_session_behind_it(mailbox):
    with smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port) as smtp:
        smtp.ehlo("app.example")
        smtp.sendmail(
            "app@example.com",
            ["customer@example.com", mailbox.address],
            b"From: app@example.com\\r\\nTo: customer@example.com\\r\\nSubject: Invoice\\r\\n\\r\\nx\\r\\n",
        )
    message = mailbox.wait(subject="Invoice")
    assert message.envelope.rcpt_to == (mailbox.address,)
    assert message.envelope.mail_from == "app@example.com"
    assert mailbox.address not in message.to
    assert message.delivery.protocol == "smtp" and message.delivery.helo == "app.example"
    assert message.delivery.tls is None and message.delivery.auth is None
    transcript = mailbox.transcript()
    assert "C: ehlo app.example" in transcript and f"C: rcpt TO:<{mailbox.address}>" in transcript
    assert transcript == mailbox.transcript(message)


def test_injected_mail_has_no_session(mailbox, elektromail_server):
    elektromail_server.client.inject(mailbox.address, subject="set up")
    message = mailbox.wait(subject="set up")
    assert message.delivery.protocol == "http" and message.delivery.session_id is None
    with pytest.raises(ValueError, match="not delivered by an SMTP or IMAP session"):
        mailbox.transcript(message)
"""
    )
    run(inner).assert_outcomes(passed=2)
