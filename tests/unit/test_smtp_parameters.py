"""MAIL and RCPT parameters on strings: SIZE, BODY, SMTPUTF8, and the DSN extension's RET, ENVID, NOTIFY,
ORCPT (RFC 3461), with xtext decoding."""

from __future__ import annotations

import pytest

from elektromail.delivery.service import ReportRequest
from elektromail.smtp import replies
from elektromail.smtp.commands import CommandError
from elektromail.smtp.parameters import (
    MailOptions,
    RcptOptions,
    decode_xtext,
    mail_options,
    parse_notify,
    rcpt_options,
)


def refusal(call: object, *args: object) -> replies.Reply:
    assert callable(call)
    with pytest.raises(CommandError) as caught:
        call(*args)
    return caught.value.reply


def test_xtext() -> None:
    assert decode_xtext("plain-text") == "plain-text"
    assert decode_xtext("a+2Bb+3Dc") == "a+b=c"
    assert decode_xtext("J+C3+B6rg") == "Jörg"  # escaped octets are UTF-8
    for bad in ("a+2b", "a+", "a+2", "a=b", "a b", "+C3"):
        assert refusal(decode_xtext, bad) is replies.BAD_DSN_PARAMETER, bad


def test_mail_options() -> None:
    assert mail_options({}, 100) == MailOptions()
    options = mail_options({"SIZE": "10", "BODY": "8bitmime", "SMTPUTF8": None, "AUTH": "<>"}, 100)
    assert options == MailOptions(smtputf8=True, eight_bit=True)
    assert mail_options({"BODY": "8BITMIME"}, 100) == MailOptions(eight_bit=True)
    assert mail_options({"BODY": "7BIT"}, 100) == MailOptions()
    assert mail_options({"SMTPUTF8": None}, 100) == MailOptions(smtputf8=True, eight_bit=True)  # RFC 6531 3.1
    expected = MailOptions(report=ReportRequest(False, "id+1"))
    assert mail_options({"RET": "hdrs", "ENVID": "id+2B1"}, 100) == expected
    assert mail_options({"RET": "FULL"}, 100).report.full_content is True


@pytest.mark.parametrize(
    ("parameters", "reply"),
    [
        ({"SIZE": "101"}, replies.MESSAGE_TOO_BIG),
        ({"SIZE": None}, replies.BAD_SIZE_PARAMETER),
        ({"BODY": "BINARYMIME"}, replies.BAD_BODY_PARAMETER),
        ({"RET": None}, replies.BAD_DSN_PARAMETER),
        ({"RET": "BOTH"}, replies.BAD_DSN_PARAMETER),
        ({"ENVID": None}, replies.BAD_DSN_PARAMETER),
        ({"ENVID": "x" * 101}, replies.BAD_DSN_PARAMETER),
        ({"HOLDFOR": "1"}, replies.PARAMETER_NOT_RECOGNIZED),
    ],
)
def test_mail_option_errors(parameters: dict[str, str | None], reply: replies.Reply) -> None:
    assert refusal(mail_options, parameters, 100) is reply


def test_notify() -> None:
    assert parse_notify("NEVER") == frozenset()
    assert parse_notify("success,Failure") == {"SUCCESS", "FAILURE"}
    assert parse_notify("DELAY") == {"DELAY"}
    for bad in (None, "", "NEVER,SUCCESS", "SUCCESS,SUCCESS", "ALWAYS", "SUCCESS,"):
        assert refusal(parse_notify, bad) is replies.BAD_DSN_PARAMETER, bad


def test_rcpt_options() -> None:
    assert rcpt_options({}) == RcptOptions()
    options = rcpt_options({"NOTIFY": "SUCCESS", "ORCPT": "rfc822;a+2Bb@x.example"})
    assert options == RcptOptions(frozenset({"SUCCESS"}), "rfc822;a+b@x.example")
    for bad in ({"ORCPT": "a@x.example"}, {"ORCPT": ";a@x"}, {"ORCPT": "rfc822;"}, {"ORCPT": None}):
        assert refusal(rcpt_options, bad) is replies.BAD_DSN_PARAMETER, bad
    assert refusal(rcpt_options, {"XFORWARD": "1"}) is replies.PARAMETER_NOT_RECOGNIZED
