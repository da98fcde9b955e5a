"""The pure SMTP argument parser: paths, parameters and their errors."""

from __future__ import annotations

import pytest

from elektromail.smtp import replies
from elektromail.smtp.commands import (
    SIMPLE_LINE_MAX,
    SIMPLE_PATH,
    CommandError,
    parse_bdat,
    parse_mail,
    parse_parameters,
    parse_rcpt,
    split_command,
)


def test_split_command_upper_cases_the_verb_only() -> None:
    assert split_command("mail FROM:<a@b>") == ("MAIL", "FROM:<a@b>")
    assert split_command("NOOP") == ("NOOP", "")


@pytest.mark.parametrize(
    ("argument", "address", "local_part", "domain"),
    [
        ("FROM:<a@b.example>", "a@b.example", "a", "b.example"),
        ("from:<A.B+tag@Sub.Example>", "A.B+tag@Sub.Example", "A.B+tag", "Sub.Example"),
        ("FROM: <a@b.example>", "a@b.example", "a", "b.example"),
        ('FROM:<"x y\\"z"@b.example>', '"x y\\"z"@b.example', 'x y"z', "b.example"),
        ("FROM:<@r.example,@s.example:a@b.example>", "a@b.example", "a", "b.example"),
        ("FROM:<a@[192.0.2.1]>", "a@[192.0.2.1]", "a", "[192.0.2.1]"),
        ("FROM:<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]", "a", "[IPv6:2001:db8::1]"),
        ("FROM:<üser@exämple.org>", "üser@exämple.org", "üser", "exämple.org"),
    ],
)
def test_reverse_paths(argument: str, address: str, local_part: str, domain: str) -> None:
    path, parameters = parse_mail(argument)
    assert (path.address, path.local_part, path.domain) == (address, local_part, domain)
    assert parameters == {}


def test_null_reverse_path_with_parameters() -> None:
    path, parameters = parse_mail("FROM:<> SIZE=10 body=8bitmime SMTPUTF8")
    assert path.is_null
    assert parameters == {"SIZE": "10", "BODY": "8bitmime", "SMTPUTF8": None}


@pytest.mark.parametrize(
    "argument",
    [
        "FROM:a@b.example",
        "FROM<a@b.example>",
        "TO:<a@b.example>",
        "FROM:<a@b.example",
        "FROM:<a.@b.example>",
        "FROM:<.a@b.example>",
        "FROM:<a..b@b.example>",
        "FROM:<a@-b.example>",
        "FROM:<a@b.example.>",
        "FROM:<a b@b.example>",
        "FROM:<a@b@c.example>",
        "FROM:<@b.example>",
        "FROM:<a@>",
        "FROM:<a>",
    ],
)
def test_bad_reverse_paths(argument: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_mail(argument)
    assert caught.value.reply is replies.BAD_SENDER_SYNTAX


def test_length_limits() -> None:
    assert parse_mail(f"FROM:<{'a' * 64}@b.example>")[0].local_part == "a" * 64
    with pytest.raises(CommandError) as caught:
        parse_mail(f"FROM:<{'a' * 65}@b.example>")
    assert caught.value.reply is replies.SENDER_TOO_LONG
    # The local-part limit counts octets: 33 two-octet characters are 66 octets.
    with pytest.raises(CommandError):
        parse_rcpt(f"TO:<{'ü' * 33}@b.example>")
    long_domain = ".".join(["d" * 60] * 4) + ".example"
    with pytest.raises(CommandError) as caught:
        parse_rcpt(f"TO:<user@{long_domain}>")
    assert caught.value.reply is replies.RECIPIENT_TOO_LONG


def test_forward_paths() -> None:
    assert parse_rcpt("TO:<postmaster>")[0].local_part == "postmaster"
    assert parse_rcpt("to:<PostMaster>")[0].address == "postmaster"
    assert parse_rcpt("TO:<u+t@x.example> NOTIFY=NEVER")[1] == {"NOTIFY": "NEVER"}
    for bad in ("TO:<>", "TO:u@x.example", "FROM:<u@x.example>"):
        with pytest.raises(CommandError) as caught:
            parse_rcpt(bad)
        assert caught.value.reply is replies.BAD_RECIPIENT_SYNTAX


@pytest.mark.parametrize("text", ["x", " =1", " A=", " A=b=c", " A=1 a=2", " A=\x01", " -A"])
def test_bad_parameters(text: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_parameters(text)
    assert caught.value.reply is replies.SYNTAX_ERROR


def test_parameter_values_may_be_utf8() -> None:
    assert parse_parameters(" X-NAME=grüße") == {"X-NAME": "grüße"}


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("0", (0, False)), ("1000", (1000, False)), ("42 LAST", (42, True)), ("0 last", (0, True))],
)
def test_bdat_arguments(argument: str, expected: tuple[int, bool]) -> None:
    assert parse_bdat(argument) == expected


@pytest.mark.parametrize("argument", ["", "LAST", "-1", "1 FIRST", "1  LAST", " 1", "1 LAST ", "x", "1" * 21, "١٢"])
def test_bdat_syntax_errors(argument: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_bdat(argument)
    assert caught.value.reply is replies.BAD_BDAT_SYNTAX


SIMPLE_CANDIDATES = [
    "MAIL FROM:<sender@example.com>",
    "RCPT TO:<user@example.com>",
    "RCPT TO:<first.last+tag@sub.example.com>",
    "MAIL FROM:<a@[192.0.2.1]>",
    "RCPT TO:<a@[IPv6:2001:db8::1]>",
    "MAIL FROM:<" + "l" * 50 + "@" + "d" * 11 + ">",  # the longest address the shape takes
    "MAIL FROM:<" + "l" * 50 + "@" + "d" * 12 + ">",  # one longer: the generic parser's
    "RCPT TO:<" + "l" * 64 + "@x>",
    "mail FROM:<a@b.example>",
    "MAIL from:<a@b.example>",
    "MAIL FROM: <a@b.example>",
    "MAIL FROM:<a@b.example> SIZE=10",
    "MAIL FROM:<>",
    'MAIL FROM:<"a b"@b.example>',
    "MAIL FROM:<@route.example:a@b.example>",
    "RCPT TO:<postmaster>",
    "RCPT TO:<ü@b.example>",
    "RCPT TO:<a..b@b.example>",
    "RCPT TO:<a@-b.example>",
    "RCPT TO:<a@b.example>>",
]


def test_the_simple_shape_is_parsed_as_the_generic_parser_parses_it() -> None:
    taken = 0
    for line in SIMPLE_CANDIDATES:
        simple = SIMPLE_PATH.fullmatch(line) if len(line) <= SIMPLE_LINE_MAX else None
        if simple is None:
            continue
        taken += 1
        verb, argument = split_command(line)
        path, parameters = (parse_mail if verb == "MAIL" else parse_rcpt)(argument)
        assert (path.address, path.local_part, parameters) == (simple["address"], simple["local"], {})
    assert taken == 6  # the first six; every other line is left to the generic parser
