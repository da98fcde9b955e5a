from __future__ import annotations

from flask import Flask

from elektromail.testing import Mailbox


def test_signing_up_mails_a_link_that_confirms(app: Flask, mailbox: Mailbox) -> None:
    client = app.test_client()
    assert client.post("/signup", data={"email": mailbox.address}).status_code == 201

    message = mailbox.wait(subject="Confirm your address")
    link = message.link(contains="/confirm/")
    assert message.sender == "hello@signup.example"
    assert client.get(link.removeprefix("https://signup.example")).text == "confirmed"
