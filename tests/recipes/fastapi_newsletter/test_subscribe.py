from __future__ import annotations

import httpx
from email_validator import validate_email

from elektromail.testing import Mailbox


def test_the_mailbox_address_passes_the_validator(mailbox: Mailbox) -> None:
    # EmailStr, WTForms and fastapi-mail all validate with email-validator, which refuses .test and .local.
    assert validate_email(mailbox.address, check_deliverability=False).normalized == mailbox.address


async def test_subscribing_sends_a_welcome(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    answer = await client.post("/subscriptions", json={"email": mailbox.address, "topic": "rust"})
    assert answer.status_code == 201, answer.text

    message = await mailbox.wait_async(subject="Welcome to rust")
    assert message.sender == "news@news.example"
    assert message.link() == "https://news.example/rust"


async def test_a_plus_tagged_address_reaches_the_same_mailbox(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    tagged = mailbox.address.replace("@", "+news@")
    assert (await client.post("/subscriptions", json={"email": tagged, "topic": "go"})).status_code == 201
    assert (await mailbox.wait_async(subject="Welcome to go")).to == [tagged]
