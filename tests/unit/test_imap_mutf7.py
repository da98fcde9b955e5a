"""Modified UTF-7 mailbox names (RFC 3501 5.1.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elektromail.imap.engine import mutf7


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("INBOX", "INBOX"),
        ("A&B", "A&-B"),
        ("Entwürfe", "Entw&APw-rfe"),
        ("台北", "&U,BTFw-"),  # RFC 3501 5.1.3's example: "," stands for "/"
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
    ],
)
def test_known_encodings(text: str, encoded: str) -> None:
    assert mutf7.encode(text) == encoded
    assert mutf7.decode(encoded) == text


@pytest.mark.parametrize("bad", ["&", "&U,BTFw", "&AGE-", "&U,BTF-", "a\x01b", "&Jjo!-"])
def test_invalid_forms_are_rejected(bad: str) -> None:
    with pytest.raises(mutf7.MailboxNameError):
        mutf7.decode(bad)


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
def test_round_trip(text: str) -> None:
    assert mutf7.decode(mutf7.encode(text)) == text


@pytest.mark.parametrize("bad", ["a\x7fb", "tab\there", "new\nline", "\x00", "Entwürfe", "a\x80"])
def test_names_without_a_shift_must_be_printable_ascii(bad: str) -> None:
    with pytest.raises(mutf7.MailboxNameError):
        mutf7.decode(bad)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E).filter(lambda ch: ch != "&"), max_size=30))
def test_printable_ascii_without_a_shift_is_itself(text: str) -> None:
    assert mutf7.decode(text) == text
