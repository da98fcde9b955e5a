"""The helpers a first test reaches for: STARTTLS trusted through ssl_context() (also against a server
with a token), asserting that no mail comes, waiting for several messages, links and codes."""

from __future__ import annotations

import pytest

from tests.integration.plugin_runs import SEND, TOKEN, prepare, run, url_of
from tests.integration.process import ServerProcess

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

STARTTLS = """
import aiosmtplib


async def test_aiosmtplib_starts_tls_on_its_own_and_trusts_the_server(mailbox, elektromail_server):
    message = b"From: app@example.com\\r\\nSubject: secret code\\r\\n\\r\\nYour code is 481516.\\r\\n"
    # No start_tls=False: aiosmtplib upgrades because STARTTLS is offered, and checks the certificate.
    await aiosmtplib.send(
        message, sender="app@example.com", recipients=[mailbox.address], hostname="localhost",
        port=mailbox.smtp_port, tls_context=elektromail_server.ssl_context(),
    )
    received = await mailbox.wait_async(subject="secret code")
    assert received.code() == "481516"


async def test_without_the_context_the_certificate_is_refused(mailbox):
    import ssl

    with pytest.raises(ssl.SSLCertVerificationError):
        await aiosmtplib.send(
            b"Subject: x\\r\\n\\r\\nx\\r\\n", sender="app@example.com", recipients=[mailbox.address],
            hostname="localhost", port=mailbox.smtp_port,
        )
"""


def test_ssl_context_makes_starttls_work_in_process(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = prepare(pytester, monkeypatch)
    inner.makepyfile(test_tls="import pytest\n" + STARTTLS)
    run(inner).assert_outcomes(passed=2)


def test_ssl_context_fetches_the_certificate_with_the_token(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, external: ServerProcess
) -> None:
    inner = prepare(pytester, monkeypatch)
    monkeypatch.setenv("ELEKTROMAIL_HTTP_TOKEN", TOKEN)
    inner.makepyfile(test_tls="import pytest\n" + STARTTLS)
    run(inner, f"--elektromail-url={url_of(external)}").assert_outcomes(passed=2)


def test_no_mail_assertions_and_waits_for_several(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = prepare(pytester, monkeypatch)
    inner.makepyfile(
        test_quiet=SEND
        + """
import threading

import pytest

from elektromail.testing import MailArrived


def test_quiet_when_nothing_comes(mailbox):
    send(mailbox, "already here")
    mailbox.assert_no_mail(within=0.3)  # mail from before does not count
    mailbox.assert_no_mail(within=0.3, subject="other")


@pytest.mark.timeout(30)
def test_fails_on_the_first_arrival_not_at_the_end(mailbox):
    later = threading.Timer(0.2, send, (mailbox, "unexpected"))
    later.start()
    try:
        with pytest.raises(MailArrived) as arrived:
            mailbox.assert_no_mail(within=120)  # a sleep of that length would hit the timeout
    finally:
        later.join()
    assert "expected no mail at " + mailbox.address in str(arrived.value)
    assert "'unexpected' from 'app@example.com'" in str(arrived.value)


async def test_async_twin(mailbox):
    await mailbox.assert_no_mail_async(within=0.2)


def test_wait_for_several_returns_all_of_them(mailbox):
    for n in range(3):
        send(mailbox, f"part {n}", text=f"see https://app.example/part/{n}")
    parts = mailbox.wait(subject="part", count=3)
    assert [m.subject for m in parts] == ["part 0", "part 1", "part 2"]
    assert [m.link(contains="/part/") for m in parts] == [f"https://app.example/part/{n}" for n in range(3)]
    assert mailbox.wait(subject="part 1").subject == "part 1"  # without count: one message
"""
    )
    run(inner).assert_outcomes(passed=4)
