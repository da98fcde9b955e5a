from __future__ import annotations

import asyncio

from alerts import send_alert

from elektromail.testing import Mailbox, MailServer


async def test_an_alert_arrives_over_starttls(mailbox: Mailbox, elektromail_server: MailServer) -> None:
    # aiosmtplib starts TLS on its own; ssl_context() makes it trust the test server's certificate.
    await send_alert(mailbox.address, "billing", mailbox.smtp_host, mailbox.smtp_port, elektromail_server.ssl_context())
    message = await mailbox.wait_async(subject="billing is down")
    assert message.link(contains="runbooks") == "https://monitor.example/runbooks/billing"


async def test_the_wait_lets_the_loop_send(mailbox: Mailbox, elektromail_server: MailServer) -> None:
    context = elektromail_server.ssl_context()
    sending = asyncio.create_task(send_alert(mailbox.address, "search", mailbox.smtp_host, mailbox.smtp_port, context))
    message = await mailbox.wait_async(subject="search is down")  # the same loop sends meanwhile
    await sending
    assert message.sender == "alerts@monitor.example"


async def test_no_alert_for_a_healthy_service(mailbox: Mailbox) -> None:
    await mailbox.assert_no_mail_async(within=0.3)
