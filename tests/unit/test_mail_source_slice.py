"""ParsedMessage.source_slice: from offsets in the CRLF form back to the octets as received."""

from __future__ import annotations

from elektromail.mail.message import ParsedMessage


def test_slices_of_the_crlf_form_map_back_to_the_octets_received() -> None:
    source = b"A: b\nC: d\r\n\n\x00-\xe4\n\r\n\n\n"
    parsed = ParsedMessage(source)
    assert parsed.raw == b"A: b\r\nC: d\r\n\r\n\x00-\xe4\r\n\r\n\r\n\r\n"
    body_start = parsed.header_end
    assert parsed.source_slice(body_start, parsed.size) == b"\x00-\xe4\n\r\n\n\n"
    assert parsed.source_slice(0, body_start) == b"A: b\nC: d\r\n\n"
    assert parsed.source_slice(0, parsed.size) == source
    assert parsed.source_slice(6, 10) == b"C: d"


def test_a_crlf_source_is_its_own_slice() -> None:
    parsed = ParsedMessage(b"A: b\r\n\r\nbody\r\n")
    assert parsed.source is parsed.raw
    assert parsed.source_slice(8, 12) == b"body"
