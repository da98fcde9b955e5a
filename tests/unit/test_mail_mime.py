"""The MIME tree, part numbers, RFC 2231 parameters and transfer decoding, on bytes."""

from __future__ import annotations

import pytest

from elektromail.mail import envelope, mime
from elektromail.mail.bodystructure import bodystructure
from elektromail.mail.headers import Headers, parse_headers
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import join_continuations, mime_tree, split_parameters
from elektromail.mail.sections import HEADER, HEADER_FIELDS_NOT, MIME, TEXT, Section, binary_bytes, section_bytes
from elektromail.mail.transfer import decode_quoted_printable

INNER = b"From: c@example.net\r\nSubject: inner\r\n\r\ninner body\r\n"


def _message(body: bytes, content_type: bytes) -> ParsedMessage:
    return ParsedMessage(b"From: a@example.com\r\nContent-Type: " + content_type + b"\r\n\r\n" + body)


def test_body_1_of_a_message_rfc822_part_is_the_whole_encapsulated_message() -> None:
    parsed = _message(
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + b"--b--\r\n", b'multipart/mixed; boundary="b"'
    )
    assert section_bytes(parsed, Section((1,))) == INNER.removesuffix(b"\r\n")
    assert section_bytes(parsed, Section((1,), HEADER)) == b"From: c@example.net\r\nSubject: inner\r\n\r\n"
    assert section_bytes(parsed, Section((1,), TEXT)) == b"inner body"
    assert section_bytes(parsed, Section((1, 1))) == b"inner body"
    assert section_bytes(parsed, Section((1,), MIME)) == b"Content-Type: message/rfc822\r\n\r\n"


def test_a_top_level_message_rfc822_is_part_1_itself() -> None:
    parsed = _message(INNER, b"message/rfc822")
    assert section_bytes(parsed, Section((1,))) == INNER
    assert section_bytes(parsed, Section((1, 1))) == b"inner body\r\n"
    assert section_bytes(parsed, Section((1,), MIME)) == parsed.header


def test_empty_parts_have_size_zero_not_minus_two() -> None:
    parsed = _message(b"--b\r\n--b\r\n\r\n--b--\r\n", b'multipart/mixed; boundary="b"')
    sizes = [child.body_size for child in mime_tree(parsed).children]
    assert sizes == [0, 0]
    assert b"-2" not in bodystructure(parsed)


def test_an_inner_boundary_that_extends_the_outer_one_belongs_to_the_inner_multipart() -> None:
    body = (
        b'--abc\r\nContent-Type: multipart/alternative; boundary="abcdef"\r\n\r\n--abcdef\r\n\r\na\r\n'
        b"--abcdef\r\n\r\nb\r\n--abcdef--\r\n\r\n--abc\r\n\r\nc\r\n--abc--\r\n"
    )
    root = mime_tree(_message(body, b'multipart/mixed; boundary="abc"'))
    assert len(root.children) == 2
    assert len(root.children[0].children) == 2


def test_a_missing_close_delimiter_ends_the_last_part_at_the_end() -> None:
    parsed = _message(b"--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n", b'multipart/mixed; boundary="b"')
    assert section_bytes(parsed, Section((2,))) == b"two\r\n"


def test_rfc2231_continuations_join_into_one_value() -> None:
    _, params = split_parameters(b"application/x; title*0*=us-ascii'en'This%20is; title*1*=%20more; title*2=\" x\"")
    assert params == [(b"title*", b"us-ascii'en'This%20is%20more x")]
    assert join_continuations([(b"n*0", b"a"), (b"n*1", b"b")]) == [(b"n", b"ab")]
    broken = [(b"n*0", b"a"), (b"n*2", b"c")]
    assert join_continuations(broken) == broken  # a gap keeps the sections as sent


def test_header_fields_not_keeps_lines_without_a_colon() -> None:
    parsed = ParsedMessage(b"From x Mon\r\nSubject: s\r\ngarbage\r\nTo: t@x\r\n\r\nbody")
    got = section_bytes(parsed, Section((), HEADER_FIELDS_NOT, ("TO",)))
    assert got == b"From x Mon\r\nSubject: s\r\ngarbage\r\n\r\n"


def test_quoted_printable_follows_rfc2045_6_7() -> None:
    assert (
        decode_quoted_printable(b"soft=\r\nbreak  \r\npad=  \r\nend\t\r\n=3D=c3=a9=G1")
        == b"softbreak\r\npadend\r\n=\xc3\xa9=G1"
    )


def test_binary_of_a_multipart_decodes_each_leaf_and_says_binary() -> None:
    body = b"--b\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/plain\r\n\r\naGk=\r\n--b--\r\n"
    data = binary_bytes(_message(body, b'multipart/mixed; boundary="b"'), ())
    assert data is not None
    assert b"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nhi\r\n--b--" in data


def test_the_message_header_is_parsed_once_whichever_reader_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks: list[int] = []
    real = parse_headers

    def counting(raw: bytes, start: int, end: int) -> Headers:
        blocks.append(start)
        return real(raw, start, end)

    monkeypatch.setattr(mime, "parse_headers", counting)
    monkeypatch.setattr(envelope, "parse_headers", counting)
    body = b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"
    for envelope_first in (True, False):
        blocks.clear()
        parsed = _message(body, b'multipart/mixed; boundary="b"')
        if envelope_first:
            headers = envelope.message_headers(parsed)
            assert mime_tree(parsed).headers is headers
        else:
            tree = mime_tree(parsed)
            assert envelope.message_headers(parsed) is tree.headers
        assert blocks.count(0) == 1  # the top-level block; the part's own header is the other parse
        assert len(blocks) == 2


def test_a_message_that_is_not_multipart_has_only_a_part_1() -> None:
    # RFC 9051 6.4.5: such a message, top-level or encapsulated, has a part 1 and nothing below it.
    one = ParsedMessage(b"From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n")
    assert section_bytes(one, Section((1,))) == b"body\r\n"
    assert section_bytes(one, Section((1, 1))) is None
    assert section_bytes(one, Section((1, 1, 1))) is None
    assert section_bytes(one, Section((1, 1), MIME)) is None
    encapsulated = _message(
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + b"--b--\r\n", b"multipart/mixed; boundary=b"
    )
    assert section_bytes(encapsulated, Section((1, 1))) == b"inner body"
    assert section_bytes(encapsulated, Section((1, 1, 1))) is None
    # A leaf inside a multipart stays its own part 1, as Dovecot counts.
    mixed = _message(b"--b\r\nContent-Type: text/plain\r\n\r\nleaf\r\n--b--\r\n", b"multipart/mixed; boundary=b")
    assert section_bytes(mixed, Section((1, 1))) == b"leaf"
