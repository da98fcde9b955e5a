"""RFC 9051 6.4.5: FETCH with every data item, section form and partial, and the macros.

The corpus is appended once per module into a mailbox that is only EXAMINEd (so nothing sets \\Seen);
tests that need \\Seen to change use their own mailbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.rfc9051 import corpus
from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import delete_mailboxes, open_session, unique_prefix
from tests.rfc9051.target import Target

SIMPLE, ADDRESSES, ENCODED, MULTIPART, FORWARDED, NO_BODY, FOLDED = range(1, 8)
INTERNALDATE = "05-Mar-2021 16:20:00 +0000"


@dataclass
class FetchBox:
    client: ImapClient
    name: str

    def fetch(self, sequence: int | str, items: str) -> dict[str, object]:
        fetched = self.client.ok("FETCH", str(sequence), items).fetches()
        assert list(fetched) == [int(sequence)], fetched
        return fetched[int(sequence)]


@pytest.fixture(scope="module")
def box(target: Target) -> Iterator[FetchBox]:
    prefix = unique_prefix()
    client = open_session(target)
    try:
        client.ok("CREATE", quote(prefix))
        for message in corpus.ALL:
            client.append(prefix, message, date=INTERNALDATE)
        client.ok("EXAMINE", quote(prefix))
        yield FetchBox(client, prefix)
    finally:
        client.close()
        delete_mailboxes(target, prefix)


def upper(value: object) -> object:
    """Strings upper-cased recursively: MIME types and parameter names compare case-insensitively."""
    if isinstance(value, bytes):
        return value.upper()
    if isinstance(value, list):
        return [upper(item) for item in value]
    return value


def section(message: bytes, start: bytes, end: bytes) -> bytes:
    """The bytes of ``message`` after ``start`` up to (not including) ``end``."""
    begin = message.index(start) + len(start)
    return message[begin : message.index(end, begin)]


MULTIPART_TEXT = b"Please find the invoice attached. Total: 100 =E2=82=AC"
MULTIPART_HTML = b"<p>Please find the invoice attached. Total: 100 =E2=82=AC</p>"
MULTIPART_PDF = b"JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg=="
FORWARDED_INNER = section(corpus.FORWARDED, b"Content-Type: message/rfc822\r\n\r\n", b"\r\n--fwd-boundary--")


# ---------------------------------------------------------------- simple items


def test_fetch_flags_is_list_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5/7.5.2: FLAGS is a parenthesised list."""
    assert isinstance(box.fetch(SIMPLE, "(FLAGS)")["FLAGS"], list)


def test_fetch_uid_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: UID is a positive number, ascending with the sequence number."""
    fetched = box.client.ok("FETCH", "1:*", "(UID)").fetches()
    uids = [int(str(fetched[number]["UID"])) for number in sorted(fetched)]
    assert all(uid > 0 for uid in uids)
    assert uids == sorted(uids)
    assert len(set(uids)) == len(corpus.ALL)


def test_fetch_internaldate_format_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5/9 (date-time): INTERNALDATE is a quoted "dd-Mon-yyyy hh:mm:ss +zzzz" string."""
    value = box.fetch(SIMPLE, "(INTERNALDATE)")["INTERNALDATE"]
    assert isinstance(value, bytes)
    assert re.fullmatch(rb"[ \d]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}", value)


@pytest.mark.parametrize("number", range(1, 8))
def test_fetch_rfc822_size_rfc9051_6_4_5(box: FetchBox, number: int) -> None:
    """RFC 9051 6.4.5: RFC822.SIZE is the number of octets of the message (CRLF form)."""
    assert box.fetch(number, "(RFC822.SIZE)")["RFC822.SIZE"] == len(corpus.ALL[number - 1])


@pytest.mark.parametrize("number", range(1, 8))
def test_fetch_body_peek_whole_message_rfc9051_6_4_5(box: FetchBox, number: int) -> None:
    """RFC 9051 6.4.5: BODY.PEEK[] returns the whole message, octet for octet, named BODY[]."""
    assert box.fetch(number, "(BODY.PEEK[])")["BODY[]"] == corpus.ALL[number - 1]


@pytest.mark.parametrize("number", [SIMPLE, MULTIPART, NO_BODY, FOLDED])
def test_fetch_header_rfc9051_6_4_5(box: FetchBox, number: int) -> None:
    """RFC 9051 6.4.5: BODY[HEADER] is the header block including the blank line that ends it."""
    message = corpus.ALL[number - 1]
    assert box.fetch(number, "(BODY.PEEK[HEADER])")["BODY[HEADER]"] == corpus.header_of(message)


@pytest.mark.parametrize("number", [SIMPLE, MULTIPART, NO_BODY, ENCODED])
def test_fetch_text_rfc9051_6_4_5(box: FetchBox, number: int) -> None:
    """RFC 9051 6.4.5: BODY[TEXT] is the body without the header (empty for a header-only message)."""
    message = corpus.ALL[number - 1]
    assert box.fetch(number, "(BODY.PEEK[TEXT])")["BODY[TEXT]"] in {corpus.body_of(message)}


def test_fetch_rfc822_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: RFC822 is BODY[] under its own name."""
    assert box.fetch(SIMPLE, "(RFC822)")["RFC822"] == corpus.SIMPLE


def test_fetch_rfc822_header_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: RFC822.HEADER is BODY.PEEK[HEADER] under its own name."""
    assert box.fetch(SIMPLE, "(RFC822.HEADER)")["RFC822.HEADER"] == corpus.header_of(corpus.SIMPLE)


def test_fetch_rfc822_text_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: RFC822.TEXT is BODY[TEXT] under its own name."""
    assert box.fetch(SIMPLE, "(RFC822.TEXT)")["RFC822.TEXT"] == corpus.body_of(corpus.SIMPLE)


# ---------------------------------------------------------------- header field subsets


def test_fetch_header_fields_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: HEADER.FIELDS returns just the named fields, then a blank line."""
    value = box.fetch(SIMPLE, "(BODY.PEEK[HEADER.FIELDS (Subject From)])")
    data = value["BODY[HEADER.FIELDS (SUBJECT FROM)]"]
    assert isinstance(data, bytes)
    assert data.endswith(b"\r\n\r\n")
    lines = set(data.rstrip(b"\r\n").split(b"\r\n"))
    assert lines == {b"From: Alice Able <alice@example.com>", b"Subject: Quarterly report"}


def test_fetch_header_fields_case_insensitive_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: field names match case-insensitively."""
    items = box.fetch(FOLDED, "(BODY.PEEK[HEADER.FIELDS (x-tracking-id)])")
    data = next(iter(items.values()))
    assert data == b"X-Tracking-Id: track-abc123\r\n\r\n"


def test_fetch_header_fields_keeps_folding_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: a folded field is returned with its continuation lines."""
    data = next(iter(box.fetch(FOLDED, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])").values()))
    expected = section(corpus.FOLDED, b"\r\n", b"X-Tracking-Id")  # From .. Subject continuation
    subject = expected[expected.index(b"Subject:") :]
    assert data == subject + b"\r\n"


def test_fetch_header_fields_missing_field_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: asking only for absent fields returns just the blank line."""
    data = next(iter(box.fetch(NO_BODY, "(BODY.PEEK[HEADER.FIELDS (Message-ID)])").values()))
    assert data == b"\r\n"


def test_fetch_header_fields_not_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: HEADER.FIELDS.NOT returns every field except the named ones."""
    data = next(iter(box.fetch(SIMPLE, "(BODY.PEEK[HEADER.FIELDS.NOT (Subject Cc)])").values()))
    assert isinstance(data, bytes)
    expected = b"".join(
        line + b"\r\n"
        for line in corpus.header_of(corpus.SIMPLE).split(b"\r\n")
        if line and not line.startswith((b"Subject:", b"Cc:"))
    )
    assert data == expected + b"\r\n"


# ---------------------------------------------------------------- partial fetch


def test_fetch_partial_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[]<0.10> returns the first 10 octets, named BODY[]<0>."""
    assert box.fetch(SIMPLE, "(BODY.PEEK[]<0.10>)")["BODY[]<0>"] == corpus.SIMPLE[:10]


def test_fetch_partial_offset_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: the origin octet is counted from 0 and echoed in the response name."""
    assert box.fetch(SIMPLE, "(BODY.PEEK[TEXT]<4.7>)")["BODY[TEXT]<4>"] == corpus.body_of(corpus.SIMPLE)[4:11]


def test_fetch_partial_past_end_truncates_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: a partial that runs past the end returns what there is."""
    size = len(corpus.SIMPLE)
    value = box.fetch(SIMPLE, f"(BODY.PEEK[]<{size - 5}.100>)")[f"BODY[]<{size - 5}>"]
    assert value == corpus.SIMPLE[-5:]


def test_fetch_partial_beyond_end_is_empty_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: an origin beyond the end returns an empty string."""
    size = len(corpus.SIMPLE)
    assert box.fetch(SIMPLE, f"(BODY.PEEK[]<{size + 10}.5>)")[f"BODY[]<{size + 10}>"] == b""


# ---------------------------------------------------------------- MIME part numbers


def test_fetch_part_1_of_single_part_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: part 1 of a non-multipart message is its body."""
    assert box.fetch(SIMPLE, "(BODY.PEEK[1])")["BODY[1]"] == corpus.body_of(corpus.SIMPLE)


def test_fetch_nested_part_text_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[1.1] is the first part inside the first (multipart/alternative) part."""
    assert box.fetch(MULTIPART, "(BODY.PEEK[1.1])")["BODY[1.1]"] == MULTIPART_TEXT


def test_fetch_nested_part_html_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[1.2] is the second alternative."""
    assert box.fetch(MULTIPART, "(BODY.PEEK[1.2])")["BODY[1.2]"] == MULTIPART_HTML


def test_fetch_attachment_part_raw_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2] is the attachment as transferred (still base64)."""
    assert box.fetch(MULTIPART, "(BODY.PEEK[2])")["BODY[2]"] == MULTIPART_PDF


def test_fetch_multipart_part_body_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[1] of a multipart/alternative part is its body with the inner boundaries.

    RFC 2046 5.1.1 leaves open whether the CRLF after the inner close-delimiter belongs to the inner part
    (as an empty epilogue) or to the outer delimiter, so both readings are accepted.
    """
    value = box.fetch(MULTIPART, "(BODY.PEEK[1])")["BODY[1]"]
    expected = section(corpus.MULTIPART, b'boundary="inner-boundary"\r\n\r\n', b"\r\n--outer-boundary\r\n")
    assert value in {expected, expected + b"\r\n"}


def test_fetch_part_mime_header_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[1.1.MIME] is the part's MIME header block with its blank line."""
    value = box.fetch(MULTIPART, "(BODY.PEEK[1.1.MIME])")["BODY[1.1.MIME]"]
    assert value == b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"


def test_fetch_attachment_mime_header_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2.MIME] carries the attachment's Content-Disposition."""
    value = box.fetch(MULTIPART, "(BODY.PEEK[2.MIME])")["BODY[2.MIME]"]
    assert isinstance(value, bytes)
    assert value.endswith(b"\r\n\r\n")
    assert b'Content-Disposition: attachment; filename="invoice.pdf"' in value


def test_fetch_embedded_message_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2] of a message/rfc822 part is the whole embedded message."""
    assert box.fetch(FORWARDED, "(BODY.PEEK[2])")["BODY[2]"] == FORWARDED_INNER


def test_fetch_embedded_header_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2.HEADER] is the embedded message's header."""
    value = box.fetch(FORWARDED, "(BODY.PEEK[2.HEADER])")["BODY[2.HEADER]"]
    assert value == corpus.header_of(FORWARDED_INNER)


def test_fetch_embedded_text_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2.TEXT] is the embedded message's body."""
    assert box.fetch(FORWARDED, "(BODY.PEEK[2.TEXT])")["BODY[2.TEXT]"] == corpus.body_of(FORWARDED_INNER)


def test_fetch_part_inside_embedded_message_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2.1] is the first part of the embedded message's multipart."""
    assert box.fetch(FORWARDED, "(BODY.PEEK[2.1])")["BODY[2.1]"] == b"Original text part."


def test_fetch_second_part_inside_embedded_message_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BODY[2.2] is the embedded message's html part."""
    assert box.fetch(FORWARDED, "(BODY.PEEK[2.2])")["BODY[2.2]"] == b"<p>Original html part.</p>"


def test_fetch_embedded_header_fields_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: HEADER.FIELDS applies to an embedded message too."""
    data = next(iter(box.fetch(FORWARDED, "(BODY.PEEK[2.HEADER.FIELDS (SUBJECT)])").values()))
    assert data == b"Subject: Original invoice\r\n\r\n"


def test_fetch_several_sections_at_once_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: several body sections in one FETCH each come back under their own name."""
    items = box.fetch(MULTIPART, "(BODY.PEEK[1.1] BODY.PEEK[2] UID)")
    assert items["BODY[1.1]"] == MULTIPART_TEXT
    assert items["BODY[2]"] == MULTIPART_PDF
    assert "UID" in items


# ---------------------------------------------------------------- BINARY


def test_fetch_binary_base64_decoded_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BINARY.PEEK[2] returns the attachment decoded from base64."""
    require(box.client, "BINARY")
    assert box.fetch(MULTIPART, "(BINARY.PEEK[2])")["BINARY[2]"] == corpus.MULTIPART_PDF_DECODED


def test_fetch_binary_quoted_printable_decoded_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BINARY.PEEK[1.1] returns the quoted-printable part decoded."""
    require(box.client, "BINARY")
    assert box.fetch(MULTIPART, "(BINARY.PEEK[1.1])")["BINARY[1.1]"] == corpus.MULTIPART_TEXT_DECODED


def test_fetch_binary_8bit_unchanged_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BINARY of an 8bit part is its octets unchanged."""
    require(box.client, "BINARY")
    assert box.fetch(ENCODED, "(BINARY.PEEK[1])")["BINARY[1]"] == corpus.body_of(corpus.ENCODED)


def test_fetch_binary_size_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BINARY.SIZE[2] is the decoded size of the attachment."""
    require(box.client, "BINARY")
    assert box.fetch(MULTIPART, "(BINARY.SIZE[2])")["BINARY.SIZE[2]"] == len(corpus.MULTIPART_PDF_DECODED)


def test_fetch_binary_partial_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: BINARY takes a partial range over the decoded octets."""
    require(box.client, "BINARY")
    value = box.fetch(MULTIPART, "(BINARY.PEEK[2]<0.8>)")["BINARY[2]<0>"]
    assert value == corpus.MULTIPART_PDF_DECODED[:8]


def test_fetch_binary_unknown_cte_rfc9051_6_4_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.5/7.1: a Content-Transfer-Encoding the server cannot decode gives NO [UNKNOWN-CTE]."""
    require(imap, "BINARY")
    message = corpus.crlf("From: a@example.com\nSubject: x\nContent-Transfer-Encoding: x-rot13\n\nuryyb\n")
    imap.append(mailbox, message)
    imap.ok("EXAMINE", quote(mailbox))
    result = imap.command("FETCH", "1", "(BINARY.PEEK[1])")
    assert result.status == "NO"
    assert result.tagged.code == "UNKNOWN-CTE"


# ---------------------------------------------------------------- ENVELOPE


def test_envelope_simple_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: ENVELOPE fields in order; Sender and Reply-To default to From."""
    from_ = [[b"Alice Able", None, b"alice", b"example.com"]]
    expected = [
        b"Mon, 01 Feb 2021 12:00:00 +0000",
        b"Quarterly report",
        from_,
        from_,
        from_,
        [[b"Bob Baker", None, b"bob", b"example.org"]],
        [[None, None, b"carol", b"example.net"]],
        None,
        None,
        b"<simple-1@example.com>",
    ]
    assert box.fetch(SIMPLE, "(ENVELOPE)")["ENVELOPE"] == expected


def test_envelope_groups_and_explicit_fields_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: groups become (NIL NIL name NIL) ... (NIL NIL NIL NIL); Sender/Reply-To as sent."""
    envelope = box.fetch(ADDRESSES, "(ENVELOPE)")["ENVELOPE"]
    assert isinstance(envelope, list)
    assert envelope[2] == [[b"Bob Baker", None, b"bob", b"example.org"]]
    assert envelope[3] == [[None, None, b"secretary", b"example.org"]]
    assert envelope[4] == [[None, None, b"replies", b"example.org"]]
    assert envelope[5] == [[None, None, b"undisclosed-recipients", None], [None, None, None, None]]
    assert envelope[6] == [
        [None, None, b"Team", None],
        [None, None, b"carol", b"example.net"],
        [None, None, b"dave", b"example.com"],
        [None, None, None, None],
    ]
    assert envelope[7] == [[None, None, b"eve", b"example.com"]]
    assert envelope[8] == b"<simple-1@example.com>"


def test_envelope_encoded_words_left_as_sent_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: ENVELOPE strings are not decoded: encoded words come back as sent."""
    envelope = box.fetch(ENCODED, "(ENVELOPE)")["ENVELOPE"]
    assert isinstance(envelope, list)
    assert envelope[1] == b"=?UTF-8?B?VHJlZmZlbiBpbSBDYWbDqQ==?="
    assert envelope[2] == [[b"=?UTF-8?Q?Caf=C3=A9_M=C3=BCller?=", None, b"cafe", b"example.de"]]


def test_envelope_missing_fields_are_nil_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: absent Cc, Bcc, In-Reply-To and Message-ID are NIL."""
    envelope = box.fetch(NO_BODY, "(ENVELOPE)")["ENVELOPE"]
    assert isinstance(envelope, list)
    assert envelope[6:10] == [None, None, None, None]


def test_envelope_folded_subject_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: a folded Subject is returned whole (with or without the folding CRLF)."""
    envelope = box.fetch(FOLDED, "(ENVELOPE)")["ENVELOPE"]
    assert isinstance(envelope, list)
    assert isinstance(envelope[1], bytes)
    assert envelope[1].replace(b"\r\n", b"") == (
        b"This subject line is deliberately long so that it has to be folded across more than one line by the sender"
    )


# ---------------------------------------------------------------- BODY and BODYSTRUCTURE


def test_bodystructure_text_plain_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: text/plain: type, subtype, params, id, description, encoding, size, lines."""
    structure = box.fetch(SIMPLE, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    body = corpus.body_of(corpus.SIMPLE)
    assert upper(structure[:6]) == [b"TEXT", b"PLAIN", [b"CHARSET", b"US-ASCII"], None, None, b"7BIT"]
    assert structure[6:8] == [len(body), body.count(b"\r\n")]


def test_body_has_no_extension_data_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: BODY is the non-extensible form: exactly the eight basic text fields."""
    structure = box.fetch(SIMPLE, "(BODY)")["BODY"]
    assert isinstance(structure, list)
    assert len(structure) == 8


def test_bodystructure_default_content_type_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2 / RFC 2045 5.2: no Content-Type means text/plain; charset=us-ascii, 7bit."""
    structure = box.fetch(ADDRESSES, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    assert upper(structure[:6]) == [b"TEXT", b"PLAIN", [b"CHARSET", b"US-ASCII"], None, None, b"7BIT"]


def test_bodystructure_8bit_charset_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: charset and 8BIT encoding are reported as sent."""
    structure = box.fetch(ENCODED, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    assert upper(structure[2]) == [b"CHARSET", b"UTF-8"]
    assert upper(structure[5]) == b"8BIT"
    body = corpus.body_of(corpus.ENCODED)
    assert structure[6:8] == [len(body), body.count(b"\r\n")]


def test_bodystructure_empty_body_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: a message without body has size 0 and 0 lines."""
    structure = box.fetch(NO_BODY, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    assert structure[6:8] == [0, 0]


def test_bodystructure_multipart_shape_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: multipart/mixed holding multipart/alternative and an application/pdf part."""
    structure = box.fetch(MULTIPART, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    alternative, attachment, subtype = structure[0], structure[1], structure[2]
    assert upper(subtype) == b"MIXED"
    assert isinstance(alternative, list)
    assert upper(alternative[2]) == b"ALTERNATIVE"
    assert upper(alternative[0][:2]) == [b"TEXT", b"PLAIN"]
    assert upper(alternative[1][:2]) == [b"TEXT", b"HTML"]
    assert isinstance(attachment, list)
    assert upper(attachment[:2]) == [b"APPLICATION", b"PDF"]
    assert upper(attachment[5]) == b"BASE64"
    assert attachment[6] == len(MULTIPART_PDF)


def test_bodystructure_multipart_boundary_param_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: multipart extension data starts with the parameter list (boundary)."""
    structure = box.fetch(MULTIPART, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    assert upper(structure[3]) == [b"BOUNDARY", b"OUTER-BOUNDARY"]


def test_bodystructure_disposition_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: single-part extension data: MD5 (NIL), then disposition with its parameters."""
    structure = box.fetch(MULTIPART, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    attachment = structure[1]
    assert isinstance(attachment, list)
    assert attachment[7] is None
    assert upper(attachment[8]) == [b"ATTACHMENT", [b"FILENAME", b"INVOICE.PDF"]]


def test_bodystructure_qp_text_part_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: the nested text part reports QUOTED-PRINTABLE, its octet size and its lines.

    The part has no CRLF of its own (the one before the boundary belongs to the boundary), so servers
    count it as 0 or 1 lines; both are accepted.
    """
    structure = box.fetch(MULTIPART, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    text = structure[0][0]  # type: ignore[index]
    assert upper(text[5]) == b"QUOTED-PRINTABLE"
    assert text[6] == len(MULTIPART_TEXT)
    assert text[7] in {0, 1}


def test_bodystructure_message_rfc822_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: message/rfc822 carries the embedded ENVELOPE, BODYSTRUCTURE and line count."""
    structure = box.fetch(FORWARDED, "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
    assert isinstance(structure, list)
    embedded = structure[1]
    assert isinstance(embedded, list)
    assert upper(embedded[:2]) == [b"MESSAGE", b"RFC822"]
    assert embedded[6] == len(FORWARDED_INNER)
    envelope, inner, lines = embedded[7], embedded[8], embedded[9]
    assert isinstance(envelope, list)
    assert envelope[1] == b"Original invoice"
    assert isinstance(inner, list)
    assert isinstance(inner[0], list)
    assert upper(inner[2]) == b"ALTERNATIVE"
    assert lines == FORWARDED_INNER.count(b"\r\n")


def test_body_of_multipart_has_no_extension_rfc9051_7_5_2(box: FetchBox) -> None:
    """RFC 9051 7.5.2: BODY of a multipart ends with the subtype (no extension data)."""
    structure = box.fetch(MULTIPART, "(BODY)")["BODY"]
    assert isinstance(structure, list)
    assert upper(structure[-1]) == b"MIXED"


# ---------------------------------------------------------------- macros, ranges, UID FETCH


def test_fetch_fast_macro_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: FAST = (FLAGS INTERNALDATE RFC822.SIZE)."""
    assert {"FLAGS", "INTERNALDATE", "RFC822.SIZE"} <= set(box.fetch(SIMPLE, "FAST"))


def test_fetch_all_macro_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)."""
    assert {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"} <= set(box.fetch(SIMPLE, "ALL"))


def test_fetch_full_macro_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)."""
    assert {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"} <= set(box.fetch(SIMPLE, "FULL"))


def test_fetch_range_returns_each_message_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: FETCH 1:* returns one FETCH per message."""
    assert sorted(box.client.ok("FETCH", "1:*", "(UID)").fetches()) == list(range(1, 8))


def test_fetch_reversed_range_rfc9051_9(box: FetchBox) -> None:
    """RFC 9051 9 (seq-range): "3:2" is the same as "2:3"."""
    assert sorted(box.client.ok("FETCH", "3:2", "(UID)").fetches()) == [2, 3]


def test_fetch_beyond_last_message_is_rejected_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5/9: a sequence number above EXISTS is invalid (BAD, or NO)."""
    assert box.client.command("FETCH", "99", "(UID)").status in {"BAD", "NO"}


def test_fetch_unknown_item_is_bad_rfc9051_6_4_5(box: FetchBox) -> None:
    """RFC 9051 6.4.5: an unknown data item is a syntax error."""
    assert box.client.command("FETCH", "1", "(NOSUCHITEM)").status == "BAD"


def test_uid_fetch_includes_uid_rfc9051_6_4_9(box: FetchBox) -> None:
    """RFC 9051 6.4.9: UID FETCH responses always include the UID item."""
    uid = box.fetch(SIMPLE, "(UID)")["UID"]
    fetched = box.client.ok("UID", "FETCH", str(uid), "(FLAGS)").fetches()
    assert fetched[SIMPLE]["UID"] == uid


def test_uid_fetch_missing_uid_is_empty_ok_rfc9051_6_4_9(box: FetchBox) -> None:
    """RFC 9051 6.4.9: UIDs that do not exist are ignored: OK with no FETCH."""
    assert box.client.ok("UID", "FETCH", "4000000000", "(FLAGS)").fetches() == {}


def test_uid_fetch_star_range_rfc9051_6_4_9(box: FetchBox) -> None:
    """RFC 9051 6.4.9: "n:*" always includes the highest UID, even when n is above it."""
    fetched = box.client.ok("UID", "FETCH", "4000000000:*", "(UID)").fetches()
    assert list(fetched) == [7]


def test_fetch_in_authenticated_state_is_rejected_rfc9051_6_4(imap: ImapClient) -> None:
    """RFC 9051 6.4: FETCH needs a selected mailbox."""
    assert imap.command("FETCH", "1", "(FLAGS)").status in {"BAD", "NO"}


# ---------------------------------------------------------------- \Seen side effects


def test_fetch_body_sets_seen_rfc9051_6_4_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.5: BODY[] (not PEEK) sets \\Seen, and the FETCH reports the new FLAGS."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    items = imap.ok("FETCH", "1", "(BODY[])").fetches()[1]
    assert "FLAGS" in items
    assert isinstance(items["FLAGS"], list)
    assert "\\SEEN" in {str(flag).upper() for flag in items["FLAGS"]}


def test_fetch_peek_does_not_set_seen_rfc9051_6_4_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.5: BODY.PEEK[] leaves \\Seen alone."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    imap.ok("FETCH", "1", "(BODY.PEEK[])")
    flags = imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"]
    assert "\\SEEN" not in {str(flag).upper() for flag in flags}  # type: ignore[attr-defined]


def test_fetch_binary_sets_seen_rfc9051_6_4_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.5: BINARY[] (not PEEK) sets \\Seen too."""
    require(imap, "BINARY")
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    imap.ok("FETCH", "1", "(BINARY[1])")
    flags = imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"]
    assert "\\SEEN" in {str(flag).upper() for flag in flags}  # type: ignore[attr-defined]


def test_fetch_rfc822_text_sets_seen_rfc9051_6_4_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.5: RFC822.TEXT is BODY[TEXT] and sets \\Seen."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    imap.ok("FETCH", "1", "(RFC822.TEXT)")
    flags = imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"]
    assert "\\SEEN" in {str(flag).upper() for flag in flags}  # type: ignore[attr-defined]
