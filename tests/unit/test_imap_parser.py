"""The IMAP grammar (RFC 9051 9), element by element, including its limits; pure bytes, no sockets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from elektromail.imap.engine.parser import (
    LiteralAnnouncement,
    ParseError,
    Reader,
    UndecodableName,
    literal_at_end,
    tag_of,
)
from elektromail.imap.engine.sequence import SeqRange, SequenceSet


def test_tag_stops_at_space_and_rejects_plus() -> None:
    reader = Reader(b"a001 NOOP")
    assert reader.tag() == "a001"
    assert tag_of(b"a+1 NOOP") is None
    assert tag_of(b"* NOOP") is None
    assert tag_of(b"x] NOOP") == "x]"  # resp-specials are ASTRING-CHARs
    with pytest.raises(ParseError):
        Reader(b" NOOP").tag()


def test_atom_stops_at_specials() -> None:
    for special in b'(){ %*"\\]':
        reader = Reader(b"ab" + bytes([special]) + b"cd")
        assert reader.atom() == "ab"
    with pytest.raises(ParseError):
        Reader(b"(x").atom()


def test_atom_rejects_controls_and_8bit() -> None:
    assert Reader(b"ab\x01c").atom() == "ab"
    assert Reader(b"ab\xc3\xa9").atom() == "ab"


def test_quoted_string_with_escapes() -> None:
    reader = Reader(b'"a \\"b\\" \\\\c" rest')
    assert reader.quoted() == b'a "b" \\c'
    assert reader.data[reader.pos :] == b" rest"


@pytest.mark.parametrize("data", [b'"abc', b'"a\\xb"', b'"a\rb"', b'"a\nb"', b'"a\x00b"', b"abc"])
def test_quoted_string_errors(data: bytes) -> None:
    with pytest.raises(ParseError):
        Reader(data).quoted()


def test_quoted_string_accepts_utf8() -> None:
    assert Reader('"grüße"'.encode()).quoted() == "grüße".encode()


def test_synchronizing_and_non_synchronizing_literals() -> None:
    assert Reader(b"{5}\r\nhello").literal() == b"hello"
    assert Reader(b"{5+}\r\nhello").literal() == b"hello"
    assert Reader(b"{0}\r\n").literal() == b""
    reader = Reader(b"{3}\r\na\r\nb)")
    assert reader.literal() == b"a\r\n"
    assert reader.data[reader.pos :] == b"b)"


def test_literal8_allows_nul_but_literal_does_not() -> None:
    assert Reader(b"~{3}\r\na\x00b").literal8() == b"a\x00b"
    assert Reader(b"~{3}\r\na\x00b").literal_or_literal8() == b"a\x00b"
    assert Reader(b"{3}\r\nabc").literal_or_literal8() == b"abc"
    with pytest.raises(ParseError):
        Reader(b"{3}\r\na\x00b").literal()
    with pytest.raises(ParseError):
        Reader(b"~{3}\r\nabc").literal()  # literal8 only where the grammar names it (append-data)


@pytest.mark.parametrize("data", [b"{5}\r\nhell", b"{5}hello", b"{x}\r\n", b"{5", b"{99999999999999999999}\r\n"])
def test_literal_errors(data: bytes) -> None:
    with pytest.raises(ParseError):
        Reader(data).literal()


def test_literal_announcement_at_end_of_line() -> None:
    assert literal_at_end(b"a LOGIN {4}") == LiteralAnnouncement(4, True)
    assert literal_at_end(b"a LOGIN {4+}") == LiteralAnnouncement(4, False)
    assert literal_at_end(b"a APPEND x ~{10}") == LiteralAnnouncement(10, True)
    assert literal_at_end(b"a LOGIN {4294967295}") == LiteralAnnouncement(4294967295, True)
    assert literal_at_end(b"a LOGIN {4} x") is None
    assert literal_at_end(b"a LOGIN {-4}") is None
    assert literal_at_end(b"a LOGIN {}") is None
    assert literal_at_end(b"a LOGIN {x4}") is None
    assert literal_at_end(b"a LOGIN {4 }") is None
    # Digits that are no number64 are still an announcement: the connection answers BAD, not NO.
    too_long = literal_at_end(b"a LOGIN {" + b"9" * 5000 + b"}")
    assert too_long is not None and too_long.size > 2**63 - 1
    twenty_digits = literal_at_end(b"a LOGIN {99999999999999999999+}")
    assert twenty_digits is not None and twenty_digits.size > 2**63 - 1 and not twenty_digits.synchronizing


def test_astring_atom_quoted_literal_and_resp_specials() -> None:
    assert Reader(b"user").astring() == b"user"
    assert Reader(b"us]er").astring() == b"us]er"
    assert Reader(b'"pa ss"').astring() == b"pa ss"
    assert Reader(b"{2}\r\npw").astring() == b"pw"
    with pytest.raises(ParseError):
        Reader(b"(x)").astring()


def test_nstring() -> None:
    assert Reader(b"NIL").nstring() is None
    assert Reader(b"nil").nstring() is None
    assert Reader(b'"x"').nstring() == b"x"


def test_numbers_and_their_ranges() -> None:
    assert Reader(b"4294967295").number() == 4294967295
    with pytest.raises(ParseError):
        Reader(b"4294967296").number()
    with pytest.raises(ParseError):
        Reader(b"0").nz_number()
    assert Reader(b"9223372036854775807").number64() == 9223372036854775807
    with pytest.raises(ParseError):
        Reader(b"9223372036854775808").number64()
    with pytest.raises(ParseError):
        Reader(b"x").number()


def test_sequence_sets() -> None:
    assert Reader(b"1").sequence_set() == SequenceSet((SeqRange(1, 1),))
    assert Reader(b"1:*").sequence_set() == SequenceSet((SeqRange(1, None),))
    assert Reader(b"*").sequence_set() == SequenceSet((SeqRange(None, None),))
    assert Reader(b"5:3,7,9:*").sequence_set().resolve(10) == [3, 4, 5, 7, 9, 10]
    # As ascending disjoint runs: overlaps and neighbours merge, "*" and numbers past it stop at the largest.
    assert Reader(b"9:*,5:3,4,7,6").sequence_set().spans(10) == [(3, 7), (9, 10)]
    assert Reader(b"1:*").sequence_set().spans(100_000) == [(1, 100_000)]
    assert Reader(b"20:30,2").sequence_set().spans(10) == [(2, 2)]
    assert Reader(b"*:4").sequence_set().spans(3) == [(3, 3)]
    assert Reader(b"1:*").sequence_set().spans(0) == []
    assert Reader(b"$").sequence_set().saved


def test_sequence_set_resolution_and_membership() -> None:
    sequence = Reader(b"2:4,4:2,*").sequence_set()
    assert sequence.resolve(6) == [2, 3, 4, 6]
    assert sequence.resolve(0) == []
    assert sequence.contains(6, 6)
    assert not sequence.contains(5, 6)
    # "*" with an empty mailbox, and a range past the end, stay bounded
    assert Reader(b"1:4294967295").sequence_set().resolve(3) == [1, 2, 3]


@pytest.mark.parametrize("data", [b"0", b"1:0", b",1", b"1,", b":3", b"a", b"4294967296"])
def test_sequence_set_errors(data: bytes) -> None:
    def parse_whole() -> None:
        reader = Reader(data)
        reader.sequence_set()
        reader.end()

    with pytest.raises(ParseError):
        parse_whole()


def test_flags_system_case_folded_and_keywords_kept() -> None:
    assert Reader(b"(\\seen \\FLAGGED $Label1 custom)").flag_list() == ["\\Seen", "\\Flagged", "$Label1", "custom"]
    assert Reader(b"()").flag_list() == []
    assert Reader(b"\\recent").flag() == "\\Recent"
    with pytest.raises(ParseError):
        Reader(b"\\Extension").flag()  # backslash names belong to RFCs, not clients


@pytest.mark.parametrize("data", [b"(\\Seen", b"\\Seen", b"(\\Seen  \\Draft)", b"( )", b'("x")'])
def test_flag_list_errors(data: bytes) -> None:
    with pytest.raises(ParseError):
        Reader(data).flag_list()


def test_dates() -> None:
    assert Reader(b"1-Feb-2024").date() == date(2024, 2, 1)
    assert Reader(b'"01-feb-2024"').date() == date(2024, 2, 1)
    for bad in (b"31-Feb-2024", b"1-Foo-2024", b"1-Feb-24", b"Feb-1-2024", b'"1-Feb-2024'):
        with pytest.raises(ParseError):
            Reader(bad).date()


def test_date_times() -> None:
    assert Reader(b'"17-Jul-1996 02:44:25 -0700"').date_time() == datetime(
        1996, 7, 17, 2, 44, 25, tzinfo=timezone(-timedelta(hours=7))
    )
    assert Reader(b'" 7-Jul-1996 02:44:25 +0000"').date_time() == datetime(1996, 7, 7, 2, 44, 25, tzinfo=UTC)
    assert Reader(b'"07-Jul-1996 02:44:25 +0130"').date_time().utcoffset() == timedelta(hours=1, minutes=30)


@pytest.mark.parametrize(
    "data",
    [
        b"17-Jul-1996 02:44:25 -0700",
        b'"17-Jul-1996 02:44 -0700"',
        b'"17-Jul-1996 25:44:25 -0700"',
        b'"17-Jul-1996 02:44:25 0700"',
        b'"17-Jul-1996 02:44:25 -0760"',
        b'"7-Jul-1996 02:44:25 +0000"',
    ],
)
def test_date_time_errors(data: bytes) -> None:
    with pytest.raises(ParseError):
        Reader(data).date_time()


def test_mailbox_names_inbox_is_case_insensitive() -> None:
    assert Reader(b"inbox").mailbox() == "INBOX"
    assert Reader(b"InBoX/sub").mailbox() == "INBOX/sub"
    assert Reader(b"inboxes").mailbox() == "inboxes"


def test_mailbox_names_modified_utf7_for_rev1_and_utf8_after_enable() -> None:
    assert Reader(b'"Entw&APw-rfe"').mailbox() == "Entwürfe"
    assert Reader('"Entwürfe"'.encode(), utf8=True).mailbox() == "Entwürfe"
    assert Reader(b'"A&-B"').mailbox() == "A&B"
    with pytest.raises(ParseError):
        Reader('"Entwürfe"'.encode()).mailbox()  # 8-bit without UTF8=ACCEPT: no IMAP4rev1 string
    # Not modified UTF-7, yet an astring: no syntax error, but a name that names no mailbox.
    for wire in (b'"Entw&APw"', b'"inbox&"', b'"a&Jjo!"'):  # shifts left open or holding no base64
        name = Reader(wire).mailbox()
        assert isinstance(name, UndecodableName)
        assert name == wire.strip(b'"').decode()
    assert isinstance(Reader(b'"a&Jjo!*"').list_mailbox(), UndecodableName)
    assert isinstance(Reader(b'"&Jjo!"').reference(), UndecodableName)


def test_list_mailbox_keeps_wildcards() -> None:
    assert Reader(b"Foo/%").list_mailbox() == "Foo/%"
    assert Reader(b"*").list_mailbox() == "*"
    assert Reader(b'""').list_mailbox() == ""
    assert Reader(b"fo]o*").list_mailbox() == "fo]o*"  # list-char includes resp-specials
    assert Reader(b"{3}\r\n%/*").list_mailbox() == "%/*"


# RFC 9051 9: ATOM-CHAR is every CHAR (0x01-0x7F) but the atom-specials.
_ATOM_SPECIALS = set(b'(){ %*"\\]') | set(range(0x20)) | {0x7F}
_EVERY_ATOM_CHAR = bytes(byte for byte in range(1, 0x80) if byte not in _ATOM_SPECIALS)


def test_every_char_outside_atom_specials_is_an_atom_char() -> None:
    assert len(_EVERY_ATOM_CHAR) == 127 - 31 - 1 - 9  # CHAR minus CTL, DEL and nine specials
    reader = Reader(_EVERY_ATOM_CHAR + b" rest")
    assert reader.atom() == _EVERY_ATOM_CHAR.decode("ascii")
    assert reader.data[reader.pos :] == b" rest"
    assert Reader(_EVERY_ATOM_CHAR + b"]").astring() == _EVERY_ATOM_CHAR + b"]"  # ASTRING-CHAR adds "]"
    assert Reader(_EVERY_ATOM_CHAR + b"%*]", utf8=True).list_mailbox() == (_EVERY_ATOM_CHAR + b"%*]").decode("ascii")


@pytest.mark.parametrize("name", [b"~foo", b"~", b"a~b", b"!#$&'+,-./:;<=>?@[^_`|}~", b"}x", b"foo}"])
def test_tilde_and_other_atom_chars_are_mailbox_names(name: bytes) -> None:
    """``~`` starts a literal8 only in append-data; in an astring it is an ATOM-CHAR like any other."""
    assert Reader(name, utf8=True).mailbox() == name.decode("ascii")
    assert Reader(name, utf8=True).list_mailbox() == name.decode("ascii")
    assert Reader(name).astring() == name


@pytest.mark.parametrize("data", [b"foo*", b"%", b"a%b", b"(x)", b"a\\b", b"{x}", b"", b" x"])
def test_astring_refuses_what_only_list_mailbox_or_nothing_allows(data: bytes) -> None:
    reader = Reader(data)
    try:
        value = reader.astring()
    except ParseError:
        return
    assert not reader.at_end(), f"{data!r} read whole as astring {value!r}"  # the rest is left for the caller


def test_reference_is_a_mailbox_not_a_pattern() -> None:
    """LIST's reference is ``mailbox`` (astring): wildcards there are a syntax error (the rest stays)."""
    assert Reader(b"~foo/ x").reference() == "~foo/"
    assert Reader(b"inbox").reference() == "inbox"
    reader = Reader(b"% *")
    with pytest.raises(ParseError):
        reader.reference()


def test_nz_number_has_no_leading_zero() -> None:
    assert Reader(b"10").nz_number() == 10
    for data in (b"01", b"0", b"00", b"x"):
        with pytest.raises(ParseError):
            Reader(data).nz_number()
    assert Reader(b"01").number() == 1  # number = 1*DIGIT allows them
    with pytest.raises(ParseError):
        Reader(b"01:3").sequence_set()


def test_end_and_space() -> None:
    reader = Reader(b"x y")
    reader.atom()
    with pytest.raises(ParseError):
        reader.end()
    reader.sp()
    with pytest.raises(ParseError):
        reader.sp()


@pytest.mark.parametrize("data", [b"(a%b)", b"(a]b)", b"(a*)", b'(a"b)', b"(a\\b)", b"(a b c", b"(a{b)"])
def test_flag_keywords_are_atoms(data: bytes) -> None:
    with pytest.raises(ParseError):
        Reader(data).flag_list()


def test_flag_keywords_take_every_atom_char() -> None:
    assert Reader(b"(~kw $Label1 a}b !#&'+,-./:;<=>?@[^_`|~)").flag_list() == [
        "~kw",
        "$Label1",
        "a}b",
        "!#&'+,-./:;<=>?@[^_`|~",
    ]
