"""Each test stages a failure for its own mailbox only; run them in parallel against one server
(``pytest -n 4 --elektromail-url ...``): no test restarts or removes another's rule."""

from __future__ import annotations

import smtplib

import pytest
from outbox import deliver, invoice

from elektromail.testing import Mailbox


@pytest.mark.elektromail_rules({"action": "tempfail", "times": 1})
@pytest.mark.parametrize("number", range(8))
def test_a_refused_recipient_is_retried(mailbox: Mailbox, number: int) -> None:
    assert deliver(invoice(mailbox.address, number), mailbox.smtp_host, mailbox.smtp_port) == 2
    assert mailbox.wait(subject=f"Invoice {number}").subject == f"Invoice {number}"


@pytest.mark.elektromail_rules({"action": "tempfail", "stage": "data", "times": 1, "code": 452, "status": "4.3.1"})
@pytest.mark.parametrize("number", range(4))
def test_a_refused_message_is_retried_and_stored_once(mailbox: Mailbox, number: int) -> None:
    assert deliver(invoice(mailbox.address, number), mailbox.smtp_host, mailbox.smtp_port) == 2
    assert len(mailbox.wait(subject=f"Invoice {number}", count=1)) == 1
    mailbox.assert_no_mail(within=0.2)


@pytest.mark.elektromail_rules({"action": "greylist", "seconds": 0.2})
@pytest.mark.parametrize("number", range(4))
def test_greylisting_passes_on_the_second_try(mailbox: Mailbox, number: int) -> None:
    assert deliver(invoice(mailbox.address, number), mailbox.smtp_host, mailbox.smtp_port) == 2
    mailbox.wait(subject=f"Invoice {number}")


@pytest.mark.elektromail_rules({"action": "tempfail"})
def test_the_outbox_gives_up_after_three_attempts(mailbox: Mailbox) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(invoice(mailbox.address, 0), mailbox.smtp_host, mailbox.smtp_port, pause=0.01)
    mailbox.assert_no_mail(within=0.2)
