"""Every SMTP command and its error replies, over real sockets (RFC 5321, RFC 3463 enhanced codes)."""

from __future__ import annotations

import smtplib

import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host


def test_greeting_and_ehlo_keywords(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.greeting[0] == 220
        assert "ESMTP" in wire.greeting[1]
        code, text = wire.command("EHLO client.example")
        assert code == 250
        keywords = text.split("\n")[1:]
        assert f"SIZE {server.server.config.max_message_size}" in keywords
        for keyword in (
            "8BITMIME",
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
            "AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER",
        ):
            assert keyword in keywords


def test_helo_has_no_extensions_and_refuses_parameters(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        code, text = wire.command("HELO client.example")
        assert code == 250
        assert "\n" not in text
        assert wire.command("MAIL FROM:<a@b.example> SIZE=10") == (555, replies.PARAMETER_NOT_RECOGNIZED.message)
        assert wire.code("MAIL FROM:<a@b.example>") == 250
        assert wire.command("AUTH PLAIN") == (503, replies.NEED_EHLO_FOR_AUTH.message)


@pytest.mark.parametrize("command", ["EHLO", "HELO", "EHLO   "])
def test_greeting_without_domain_is_501(server: ServerThread, command: str) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.command(command) == (501, replies.HELO_NEEDS_DOMAIN.message)


def test_smtplib_sends_and_the_store_holds_the_exact_bytes(server: ServerThread) -> None:
    message = b"From: a@b.example\r\nTo: user@example.com\r\nSubject: exact\r\n\r\nline one\r\n\r\n  spaced  \r\n"
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        refused = client.sendmail("a@b.example", ["user@example.com"], message)
    assert refused == {}
    assert stored(server, "user") == [message]


def test_plus_tag_and_case_route_to_the_user_and_one_copy_per_user(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.sendmail("a@b.example", ["USER+news@x.org", "user@y.org", "newbie@x.org"], b"Subject: s\r\n\r\nb\r\n")
    assert stored(server, "user") == [b"Subject: s\r\n\r\nb\r\n"]
    assert stored(server, "newbie") == [b"Subject: s\r\n\r\nb\r\n"]


def test_configured_email_address_routes_to_its_user(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.sendmail("a@b.example", ["Alice@Example.com"], b"\r\nhi\r\n")
    assert stored(server, "alice") == [b"\r\nhi\r\n"]


def test_sequence_errors_are_503(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.command("MAIL FROM:<a@b.example>") == (503, replies.NEED_HELO.message)
        assert wire.code("EHLO c.example") == 250
        assert wire.command("RCPT TO:<user@example.com>") == (503, replies.NEED_MAIL.message)
        assert wire.command("DATA") == (503, replies.NEED_MAIL.message)
        assert wire.code("MAIL FROM:<a@b.example>") == 250
        assert wire.command("MAIL FROM:<a@b.example>") == (503, replies.NESTED_MAIL.message)
        assert wire.command("DATA") == (503, replies.NEED_RCPT.message)
        assert wire.command("AUTH PLAIN AHVzZXIAcGFzcw==") == (503, replies.AUTH_IN_TRANSACTION.message)


def test_data_after_only_rejected_recipients_is_554(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules='[{"recipient": "*@reject.test", "action": "reject"}]')
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        assert wire.code("RCPT TO:<x@reject.test>") == 550
        assert wire.command("DATA") == (554, replies.NO_VALID_RECIPIENTS.message)


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("MAIL FROM:a@b.example", replies.BAD_SENDER_SYNTAX),
        ("MAIL TO:<a@b.example>", replies.BAD_SENDER_SYNTAX),
        ("MAIL FROM:<a@@b.example>", replies.BAD_SENDER_SYNTAX),
        ("MAIL FROM:<a@b.example", replies.BAD_SENDER_SYNTAX),
        ("MAIL FROM:<a@b.example>x", replies.SYNTAX_ERROR),
        ("MAIL FROM:<a@b.example> SIZE=big", replies.BAD_SIZE_PARAMETER),
        ("MAIL FROM:<a@b.example> BODY=BINARYMIME", replies.BAD_BODY_PARAMETER),
        ("MAIL FROM:<a@b.example> SIZE=1 SIZE=2", replies.SYNTAX_ERROR),
        ("MAIL FROM:<a@b.example> SMTPUTF8=yes", replies.SYNTAX_ERROR),
        ("MAIL FROM:<a@b.example> MT-PRIORITY=3", replies.PARAMETER_NOT_RECOGNIZED),
        ("MAIL FROM:<a@b.example> RET=ALL", replies.BAD_DSN_PARAMETER),
        ("MAIL FROM:<a@b.example> ENVID=a+2", replies.BAD_DSN_PARAMETER),
        (f"MAIL FROM:<a@b.example> ENVID={'x' * 101}", replies.BAD_DSN_PARAMETER),
        ("MAIL FROM:<a@b.example> SIZE=999999999999", replies.MESSAGE_TOO_BIG),
        (f"MAIL FROM:<{'a' * 65}@b.example>", replies.SENDER_TOO_LONG),
        ("MAIL FROM:<üser@b.example>", replies.NON_ASCII_ADDRESS),
    ],
)
def test_mail_from_errors(server: ServerThread, command: str, reply: replies.Reply) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(command) == (reply.code, reply.message)
        # The session is still usable and no transaction was started.
        assert wire.code("MAIL FROM:<a@b.example>") == 250


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("RCPT TO:user@example.com", replies.BAD_RECIPIENT_SYNTAX),
        ("RCPT FROM:<user@example.com>", replies.BAD_RECIPIENT_SYNTAX),
        ("RCPT TO:<>", replies.BAD_RECIPIENT_SYNTAX),
        ("RCPT TO:<user@example.com> XFORWARD=1", replies.PARAMETER_NOT_RECOGNIZED),
        ("RCPT TO:<user@example.com> NOTIFY=NEVER,SUCCESS", replies.BAD_DSN_PARAMETER),
        ("RCPT TO:<user@example.com> NOTIFY=SOMETIMES", replies.BAD_DSN_PARAMETER),
        ("RCPT TO:<user@example.com> ORCPT=user@example.com", replies.BAD_DSN_PARAMETER),
        (f"RCPT TO:<user@{'d' * 60}.{'e' * 60}.{'f' * 60}.{'g' * 60}.example>", replies.RECIPIENT_TOO_LONG),
        ("RCPT TO:<üser@example.com>", replies.NON_ASCII_ADDRESS),
    ],
)
def test_rcpt_to_errors(server: ServerThread, command: str, reply: replies.Reply) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        assert wire.command(command) == (reply.code, reply.message)
        assert wire.code("RCPT TO:<user@example.com>") == 250


@pytest.mark.parametrize(
    "reverse_path",
    ["<>", "<@relay.example,@other.example:a@b.example>", '<"quoted name"@b.example>', "<a@[127.0.0.1]>"],
)
def test_valid_reverse_path_forms(server: ServerThread, reverse_path: str) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.command(f"MAIL FROM:{reverse_path}") == (250, replies.SENDER_OK.message)


def test_postmaster_without_domain_is_a_recipient(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.ehlo("c.example")
        client.mail("a@b.example")
        assert client.rcpt("<Postmaster>") == (250, replies.RECIPIENT_OK.message.encode())
        assert client.data(b"\r\nfor the postmaster\r\n")[0] == 250
    assert stored(server, "postmaster") == [b"\r\nfor the postmaster\r\n"]


def test_mail_parameters_accepted(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        assert wire.code("MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME AUTH=<>") == 250
        assert wire.code("RSET") == 250
        assert wire.code("mail from: <a@b.example> body=7bit") == 250


def test_rset_noop_vrfy_expn_help_quit(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        assert wire.command("RSET") == (250, replies.RESET_OK.message)
        assert wire.command("RSET now") == (501, replies.SYNTAX_ERROR.message)
        assert wire.code("RCPT TO:<user@example.com>") == 503  # RSET ended the transaction
        assert wire.command("NOOP") == (250, replies.OK.message)
        assert wire.command("NOOP with an argument") == (250, replies.OK.message)
        assert wire.command("VRFY user") == (252, replies.CANNOT_VRFY.message)
        assert wire.command("VRFY") == (501, replies.SYNTAX_ERROR.message)
        assert wire.command("EXPN list") == (502, replies.NOT_IMPLEMENTED.message)
        code, text = wire.command("HELP")
        assert code == 214
        assert "MAIL" in text
        assert wire.command("QUIT now") == (501, replies.SYNTAX_ERROR.message)
        assert wire.command("QUIT") == (221, replies.CLOSING.message)
        assert wire.at_eof()


def test_unknown_and_malformed_commands_are_500(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.command("FROB") == (500, replies.UNKNOWN_COMMAND.message)
        assert wire.command("") == (500, replies.UNKNOWN_COMMAND.message)
        assert wire.command(b"EHLO \xff\xfe") == (500, replies.INVALID_UTF8.message)
        assert wire.code("ehlo lower.example") == 250


def test_second_ehlo_resets_the_transaction(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        assert wire.code("EHLO c.example") == 250
        assert wire.code("RCPT TO:<user@example.com>") == 503
        assert wire.code("MAIL FROM:<a@b.example>") == 250


def test_smtputf8_addresses_are_delivered(server: ServerThread) -> None:
    message = "From: üser@exämple.org\r\nSubject: grüße\r\n\r\nnaïve\r\n".encode()
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.ehlo("c.example")
        assert client.has_extn("smtputf8")
        refused = client.sendmail("üser@exämple.org", ["jürgen@exämple.org"], message, mail_options=["SMTPUTF8"])
    assert refused == {}
    assert stored(server, "jürgen") == [message]


def test_message_id_of_accepted_message_reply(server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.ehlo("c.example")
        client.mail("a@b.example")
        client.rcpt("user@example.com")
        assert client.data(b"Subject: x\r\n\r\nbody\r\n") == (250, replies.MESSAGE_ACCEPTED.message.encode())
        # The session goes on with a fresh transaction.
        assert client.rcpt("user@example.com")[0] == 503
