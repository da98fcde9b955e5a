"""BODY[section] and BINARY[section] content (RFC 9051 6.4.5, RFC 3516) as slices of the message bytes.

Part numbers walk the MIME tree: a multipart's N is its Nth child; a non-multipart entity is its own
part 1; inside a message/rfc822 part numbering continues in the encapsulated message. HEADER, TEXT and
HEADER.FIELDS apply to the top-level message or to an encapsulated message; MIME to a part's own header.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import Headers
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree

HEADER = "HEADER"
HEADER_FIELDS = "HEADER.FIELDS"
HEADER_FIELDS_NOT = "HEADER.FIELDS.NOT"
TEXT = "TEXT"
MIME = "MIME"
SECTION_TEXTS = (HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME)

_IDENTITY_ENCODINGS = (b"", b"7bit", b"8bit", b"binary")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


class Section(NamedTuple):
    """``part`` is the dotted part number; ``text`` one of SECTION_TEXTS or ""; ``fields`` for HEADER.FIELDS."""

    part: tuple[int, ...] = ()
    text: str = ""
    fields: tuple[str, ...] = ()


class UnknownTransferEncoding(Exception):
    """BINARY of a part whose Content-Transfer-Encoding cannot be decoded (RFC 3516 4.3: [UNKNOWN-CTE])."""


def resolve(root: MimePart, part: tuple[int, ...]) -> MimePart | None:
    """The entity a part number names, or None when it does not exist.

    Numbers address the body of a message (RFC 9051 6.4.5): a multipart body's Nth child, or part 1 for
    a body that is not multipart (the message entity itself). Past a message/rfc822 part the numbers
    go on in the body of its encapsulated message.
    """
    node = root
    for depth, number in enumerate(part):
        container = node.message if node.message is not None and depth else node
        if container.children:
            if not 1 <= number <= len(container.children):
                return None
            node = container.children[number - 1]
        elif number == 1:
            node = container
        else:
            return None
    return node


def _fields(raw: bytes, headers: Headers, names: tuple[str, ...], exclude: bool) -> bytes:
    """HEADER.FIELDS: the named fields as sent, then an empty line. HEADER.FIELDS.NOT: every other line
    of the header as sent (lines that are no field too), with the block's own empty line if it had one."""
    wanted = {name.lower() for name in names}
    if not exclude:
        return b"".join(raw[start:end] for name, start, end in headers.lines if name in wanted) + b"\r\n"
    kept = b"".join(raw[start:end] for name, start, end in headers.lines if not name or name not in wanted)
    return kept if headers.blank is None else kept + raw[headers.blank[0] : headers.blank[1]]


def section_bytes(parsed: ParsedMessage, section: Section) -> bytes | None:
    """The octets of ``section``, or None (sent as NIL) when the part does not exist."""
    raw = parsed.served
    text = section.text
    if not section.part:
        if text == "":
            return raw
        if text == HEADER:
            return raw[: parsed.header_end]
        if text == TEXT:
            return raw[parsed.header_end :]
        if text in (HEADER_FIELDS, HEADER_FIELDS_NOT):
            return _fields(raw, message_headers(parsed), section.fields, text == HEADER_FIELDS_NOT)
        return None
    node = resolve(mime_tree(parsed), section.part)
    if node is None:
        return None
    if text == "":
        return raw[node.body_start : node.end]
    if text == MIME:
        return raw[node.header_start : node.body_start]
    inner = node.message
    if inner is None:
        return b""  # HEADER and TEXT of a part that is no message: empty, as Dovecot answers
    if text == HEADER:
        return raw[inner.header_start : inner.body_start]
    if text == TEXT:
        return raw[inner.body_start : inner.end]
    return _fields(raw, inner.headers, section.fields, text == HEADER_FIELDS_NOT)


def decode_transfer_encoding(encoding: bytes, data: bytes) -> bytes:
    """Undo base64 or quoted-printable; identity encodings pass through; others raise."""
    kind = encoding.lower().strip()
    if kind in _IDENTITY_ENCODINGS:
        return data
    if kind == b"base64":
        cleaned = _NOT_BASE64.sub(b"", data.split(b"=", 1)[0])
        cleaned = cleaned[: len(cleaned) - len(cleaned) % 4 if len(cleaned) % 4 == 1 else len(cleaned)]
        try:
            return base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4))
        except binascii.Error as exc:  # pragma: no cover - cleaned input is always decodable
            raise UnknownTransferEncoding(str(exc)) from exc
    if kind == b"quoted-printable":
        return binascii.a2b_qp(data)
    raise UnknownTransferEncoding(encoding.decode("latin-1"))


def binary_bytes(parsed: ParsedMessage, part: tuple[int, ...]) -> bytes | None:
    """BINARY[part]: the part's body with its transfer encoding removed (cached), None if no such part."""
    key = "binary:" + ".".join(map(str, part))
    cached: bytes | None = parsed.cache.get(key)
    if cached is not None:
        return cached
    if not part:
        return parsed.raw
    node = resolve(mime_tree(parsed), part)
    if node is None:
        return None
    data = parsed.raw[node.body_start : node.end]
    if not node.children and node.message is None:
        data = decode_transfer_encoding(node.encoding, data)
    parsed.cache[key] = data
    return data
