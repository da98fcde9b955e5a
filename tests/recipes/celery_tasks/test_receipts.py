from __future__ import annotations

from receipts import send_receipt

from elektromail.testing import Mailbox


def test_a_paid_order_mails_a_receipt(mailbox: Mailbox) -> None:
    result = send_receipt.delay(mailbox.address, 1999)
    assert result.get() == "Your receipt: 19.99 EUR"
    message = mailbox.wait(subject="receipt")
    assert message.sender == "billing@shop.example"
    assert "19.99 EUR" in (message.text or "")
