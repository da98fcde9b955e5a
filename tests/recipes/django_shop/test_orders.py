from __future__ import annotations

from shop.orders import confirm_order

from elektromail.testing import Mailbox


def test_the_confirmation_links_to_the_order(mailbox: Mailbox) -> None:
    confirm_order(mailbox.address, 1042)
    message = mailbox.wait(subject="Order 1042")
    assert message.sender == "shop@example.com"
    assert message.link(contains="/orders/") == "https://shop.example/orders/1042"
    assert 'href="https://shop.example/orders/1042"' in (message.html or "")


def test_each_order_sends_one_mail(mailbox: Mailbox) -> None:
    confirm_order(mailbox.address, 7)
    confirm_order(mailbox.address, 8)
    assert [m.subject for m in mailbox.wait(subject="confirmed", count=2)] == ["Order 7 confirmed", "Order 8 confirmed"]
    mailbox.assert_no_mail(within=0.3)
