"""Fault rules (tempfail, greylist, delay, disconnect, times, probability) seen by real SMTP clients, and
the rules read and replaced over HTTP."""

from __future__ import annotations

import asyncio
import json
import smtplib
import subprocess
import time
from collections.abc import Iterator

import aiosmtplib
import httpx
import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)

MESSAGE = b"From: a@example.com\r\nSubject: fault\r\n\r\nbody\r\n"
SLOW_MS = 1500  # well beyond the short client timeout below, however loaded the machine
SHORT_TIMEOUT = 0.3


def rules_server(make_server: ServerFactory, *rules: dict[str, object]) -> ServerThread:
    return make_server(dsn_rules=json.dumps(list(rules)), http_port=0)


def send(server: ServerThread, recipient: str = "user@example.com", sender: str = "a@example.com") -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.sendmail(sender, [recipient], MESSAGE)


async def async_send(server: ServerThread, sender: str) -> None:
    await aiosmtplib.send(
        MESSAGE, sender=sender, recipients=["user@example.com"], hostname=client_host(), port=server.smtp_port,
        start_tls=False, timeout=10,
    )  # fmt: skip


@pytest.fixture
def http(make_server: ServerFactory) -> Iterator[tuple[ServerThread, httpx.Client]]:
    server = rules_server(make_server, {"recipient": "*@reject.test", "action": "reject"})
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as client:
        yield server, client


# ---------------------------------------------------------------- tempfail


def test_tempfail_at_rcpt_is_a_4xx_reply_with_the_rule_text(make_server: ServerFactory) -> None:
    server = rules_server(
        make_server, {"action": "tempfail", "recipient": "busy@*", "code": 452, "status": "4.2.2", "text": "Over quota"}
    )
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(server, "busy@example.com")
    assert caught.value.recipients == {"busy@example.com": (452, b"4.2.2 Over quota")}
    send(server, "user@example.com")
    assert len(stored(server, "user")) == 1
    assert stored(server, "busy") == []


def test_tempfail_at_data_refuses_the_message_after_it_was_sent(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "tempfail", "stage": "data"})
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        assert client.mail("a@example.com")[0] == 250
        assert client.rcpt("user@example.com")[0] == 250  # the recipient is accepted ...
        # ... and the message refused once sent
        assert client.data(MESSAGE) == (451, b"4.3.0 Temporary failure, try again later")
        assert client.noop()[0] == 250  # the session goes on
    assert stored(server, "user") == []


def test_times_limits_the_fault_to_the_first_attempts(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "tempfail", "times": 2})
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(server)
    send(server)
    send(server)
    assert len(stored(server, "user")) == 2


def test_probability_is_seeded_so_two_runs_fail_the_same_attempts(make_server: ServerFactory) -> None:
    rule = {"action": "tempfail", "probability": 0.5, "seed": 42}

    def outcomes() -> list[bool]:
        server = rules_server(make_server, rule)
        with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
            client.ehlo("c.example")
            client.mail("a@example.com")
            return [client.rcpt(f"r{index}@example.com")[0] == 250 for index in range(30)]

    first = outcomes()
    assert first == outcomes()
    assert 3 < sum(first) < 27  # both outcomes happen


# ---------------------------------------------------------------- greylist


async def test_greylisting_is_retried_by_a_client_and_accepted_after_the_wait(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "greylist", "seconds": 0.5, "recipient": "user@*"})
    attempts: list[int] = []
    for _ in range(40):  # a client's retry loop, bounded
        try:
            await async_send(server, "a@example.com")
        except aiosmtplib.SMTPRecipientsRefused as error:
            (refusal,) = error.recipients
            assert (refusal.code, refusal.message) == (451, "4.7.1 Greylisted, try again later")
            attempts.append(refusal.code)
            await asyncio.sleep(0.1)
            continue
        attempts.append(250)
        break
    assert attempts[0] == 451
    assert attempts[-1] == 250
    assert len(stored(server, "user")) == 1
    # Once through, the pair stays accepted; another pair waits in its turn.
    await async_send(server, "a@example.com")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await async_send(server, "b@example.com")


def test_swaks_reports_the_greylisting_reply(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "greylist", "seconds": 60})
    completed = subprocess.run(
        [
            "swaks", "--server", client_host(), "--port", str(server.smtp_port),
            "--from", "swaks@example.com", "--to", "user@example.com", "--timeout", "10",
        ],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "<** 451 4.7.1 Greylisted, try again later" in completed.stdout
    assert stored(server, "user") == []


# ---------------------------------------------------------------- delay and disconnect, at every stage


def wire_to_stage(port: int, stage: str) -> tuple[Wire, bytes]:
    """A connection brought up to ``stage``, and what it sends next (to which the rule applies)."""
    if stage == "greeting":
        return Wire(port, timeout=10, read_greeting=False), b""
    wire = Wire(port, timeout=10)
    wire.command("EHLO c.example")
    if stage == "mail":
        return wire, b"MAIL FROM:<a@example.com>\r\n"
    assert wire.code("MAIL FROM:<a@example.com>") == 250
    if stage == "rcpt":
        return wire, b"RCPT TO:<user@example.com>\r\n"
    assert wire.code("RCPT TO:<user@example.com>") == 250
    assert wire.code("DATA") == 354
    return wire, MESSAGE + b".\r\n"


EXPECTED = {
    "greeting": 220,
    "mail": replies.SENDER_OK.code,
    "rcpt": replies.RECIPIENT_OK.code,
    "data": replies.MESSAGE_ACCEPTED.code,
}


@pytest.mark.parametrize("stage", ["greeting", "mail", "rcpt", "data"])
def test_delay_holds_back_the_reply_at_its_stage(make_server: ServerFactory, stage: str) -> None:
    server = rules_server(make_server, {"action": "delay", "stage": stage, "ms": SLOW_MS})
    wire, request = wire_to_stage(server.smtp_port, stage)
    with wire:
        wire.send(request)
        wire.sock.settimeout(SHORT_TIMEOUT)
        with pytest.raises(TimeoutError):  # a client with a short timeout gives up ...
            wire.reply()
        wire.sock.settimeout(10)
        assert wire.reply()[0] == EXPECTED[stage]  # ... a patient one gets the usual reply
        assert wire.code("NOOP") == 250
    if stage == "data":
        assert len(stored(server, "user")) == 1


def test_a_client_that_gives_up_during_a_data_delay_leaves_nothing_stored(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "delay", "stage": "data", "ms": 500})
    wire, request = wire_to_stage(server.smtp_port, "data")
    with wire:
        wire.send(request)
        wire.sock.settimeout(SHORT_TIMEOUT)
        with pytest.raises(TimeoutError):
            wire.reply()
    time.sleep(1.0)  # past the delay: had the message been kept, it would be stored by now
    assert stored(server, "user") == []
    send(server)  # the next client, which waits, gets its message stored
    assert len(stored(server, "user")) == 1


def test_stopping_the_server_ends_a_delay_with_421(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "delay", "stage": "greeting", "ms": 600_000})
    with Wire(server.smtp_port, timeout=30, read_greeting=False) as wire:
        wire.sock.settimeout(SHORT_TIMEOUT)
        with pytest.raises(TimeoutError):
            wire.reply()
        wire.sock.settimeout(30)
        server.stop()
        assert wire.reply() == (421, replies.SHUTTING_DOWN.message)
        assert wire.at_eof()


@pytest.mark.parametrize("stage", ["greeting", "mail", "rcpt", "data"])
def test_disconnect_drops_the_connection_without_a_reply(make_server: ServerFactory, stage: str) -> None:
    server = rules_server(make_server, {"action": "disconnect", "stage": stage})
    wire, request = wire_to_stage(server.smtp_port, stage)
    with wire:
        wire.send(request)
        assert wire.at_eof()  # closed, and nothing sent: not even a greeting at that stage
        assert wire.pending == b""
    assert stored(server, "user") == []
    # smtplib sees the same thing as an error it can retry on
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(server)


def test_only_the_matching_sender_is_dropped_at_mail(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "disconnect", "stage": "mail", "sender": "spam@*"})
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(server, sender="spam@example.com")
    send(server, sender="ham@example.com")
    assert len(stored(server, "user")) == 1


def test_pipelined_replies_before_a_disconnect_still_arrive(make_server: ServerFactory) -> None:
    server = rules_server(make_server, {"action": "disconnect", "recipient": "drop@*"})
    with Wire(server.smtp_port) as wire:
        wire.send(b"EHLO c.example\r\nMAIL FROM:<a@x>\r\nRCPT TO:<user@x>\r\nRCPT TO:<drop@x>\r\nNOOP\r\n")
        assert wire.reply()[0] == 250
        assert wire.reply() == (250, replies.SENDER_OK.message)
        assert wire.reply() == (250, replies.RECIPIENT_OK.message)
        assert wire.at_eof()
        assert wire.pending == b""


# ---------------------------------------------------------------- the rules over HTTP


def test_get_rules_returns_the_configured_rules(http: tuple[ServerThread, httpx.Client]) -> None:
    _, client = http
    assert client.get("/rules").json() == [{"action": "reject", "recipient": "*@reject.test"}]


def test_put_rules_keeps_the_state_of_rules_that_stay_and_reset_restores_the_configured(
    http: tuple[ServerThread, httpx.Client],
) -> None:
    server, client = http
    rules = [
        {"action": "tempfail", "recipient": "user@*", "times": 1, "text": "Come back"},
        {"action": "delay", "stage": "greeting", "ms": 10},
    ]
    answer = client.put("/rules", json=rules)
    assert answer.status_code == 200
    assert answer.json() == rules
    assert client.get("/rules").json() == rules
    send(server, "x@reject.test")  # the configured rule is gone
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(server)
    assert caught.value.recipients["user@example.com"] == (451, b"4.3.0 Come back")
    send(server)  # times: 1 is used up ...
    assert client.put("/rules", json=rules).status_code == 200
    send(server)  # ... and stays used up when the same rule is given again (other clients' replaces)
    changed = [{**rules[0], "text": "Later"}, rules[1]]
    assert client.put("/rules", json=changed).status_code == 200
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(server)  # a changed rule is a new one: it counts from zero
    assert caught.value.recipients["user@example.com"] == (451, b"4.3.0 Later")
    assert client.post("/reset").status_code == 200
    assert client.get("/rules").json() == [{"action": "reject", "recipient": "*@reject.test"}]
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(server, "x@reject.test")
    send(server)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"action": "delay", "stage": "rcpt"}], "missing required field `ms`"),
        ([{"action": "tempfail", "code": 550}], "`$[0].code`"),
        ([{"action": "accept"}, {"action": "greylist", "seconds": -1}], "`$[1].seconds`"),
        ([{"action": "reject", "colour": "red"}], "unknown field `colour`"),
        ({"action": "reject"}, "Expected `array`"),
        ([{"action": "disconnect", "stage": "mail", "recipient": "a@*"}], "`$[0].recipient`"),
    ],
)
def test_invalid_rules_are_refused_with_the_field_named_and_change_nothing(
    http: tuple[ServerThread, httpx.Client], body: object, field: str
) -> None:
    _, client = http
    answer = client.put("/rules", json=body)
    assert answer.status_code == 422
    assert field in answer.json()["error"]
    assert client.get("/rules").json() == [{"action": "reject", "recipient": "*@reject.test"}]


def test_put_rules_that_are_not_json_is_400(http: tuple[ServerThread, httpx.Client]) -> None:
    _, client = http
    answer = client.put("/rules", content=b"[{", headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["error"]


def test_the_rules_are_in_the_openapi_document(http: tuple[ServerThread, httpx.Client]) -> None:
    _, client = http
    document = client.get("/openapi.json").json()
    assert {"get", "put"} <= set(document["paths"]["/rules"])
    assert {"Reject", "Tempfail", "Greylist", "Delay", "Disconnect"} <= set(document["components"]["schemas"])
