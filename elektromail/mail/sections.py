"""BODY[section] and BINARY[section] content (RFC 9051 6.4.5, RFC 3516) as slices of the message bytes.

Part numbers walk the MIME tree: a multipart's N is its Nth child; a non-multipart entity is its own
part 1; inside a message/rfc822 part numbering continues in the encapsulated message. HEADER, TEXT and
HEADER.FIELDS apply to the top-level message or to an encapsulated message; MIME to a part's own header.
"""

from __future__ import annotations

from typing import NamedTuple

from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import Headers
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree, split_parameters
from elektromail.mail.served import served_message
from elektromail.mail.transfer import IDENTITY_ENCODINGS, UnknownTransferEncoding, decode_transfer_encoding

HEADER = "HEADER"
HEADER_FIELDS = "HEADER.FIELDS"
HEADER_FIELDS_NOT = "HEADER.FIELDS.NOT"
TEXT = "TEXT"
MIME = "MIME"
SECTION_TEXTS = (HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME)


class Section(NamedTuple):
    """``part`` is the dotted part number; ``text`` one of SECTION_TEXTS or ""; ``fields`` for HEADER.FIELDS."""

    part: tuple[int, ...] = ()
    text: str = ""
    fields: tuple[str, ...] = ()


def resolve(root: MimePart, part: tuple[int, ...]) -> MimePart | None:
    """The entity a part number names, or None when it does not exist.

    Numbers address the body of a message (RFC 9051 6.4.5): a multipart body's Nth child, or part 1 for
    a body that is not multipart (the message entity itself). Past a message/rfc822 part the numbers
    go on in the body of its encapsulated message.
    """
    node = root
    whole_message = False  # node is a message standing as its own part 1: nothing lies below it
    for depth, number in enumerate(part):
        container = node.message if node.message is not None and depth else node
        if whole_message and container is node:
            return None
        if container.children:
            if not 1 <= number <= len(container.children):
                return None
            node = container.children[number - 1]
            whole_message = False
        elif number == 1:
            # A leaf inside a multipart is its own part 1 too, as Dovecot counts.
            whole_message = container is not node or not depth
            node = container
        else:
            return None
    return node


def _fields(raw: bytes, headers: Headers, names: tuple[str, ...], exclude: bool, top: bool) -> bytes:
    """HEADER.FIELDS: the named fields as sent, then an empty line (for an encapsulated message only if
    its header had one, as Dovecot answers). HEADER.FIELDS.NOT: every other line of the header as sent
    (lines that are no field too), with the block's own empty line if it had one."""
    wanted = {name.lower() for name in names}
    if not exclude:
        chosen = b"".join(raw[start:end] for name, start, end in headers.lines if name in wanted)
        return chosen + b"\r\n" if top or headers.blank is not None or not headers.lines else chosen
    kept = b"".join(raw[start:end] for name, start, end in headers.lines if not name or name not in wanted)
    if headers.blank is not None:
        return kept + raw[headers.blank[0] : headers.blank[1]]
    return kept if headers.lines else b"\r\n"  # an empty header still ends in its empty line


def section_bytes(parsed: ParsedMessage, section: Section) -> bytes | None:
    """The octets of ``section`` in the message's served form (:mod:`elektromail.mail.served`), or None
    (sent as NIL) when the part does not exist (RFC 9051 4.5: NIL is the absence of a data item, which
    the empty string is not)."""
    parsed = served_message(parsed)
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
            return _fields(raw, message_headers(parsed), section.fields, text == HEADER_FIELDS_NOT, top=True)
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
    return _fields(raw, inner.headers, section.fields, text == HEADER_FIELDS_NOT, top=False)


def _transfer_encoding(node: MimePart) -> bytes:
    """The encoding BINARY decodes: the first word of the field, as Dovecot reads it ("base64; junk" is
    base64 here though BODYSTRUCTURE names no usable encoding); a field with no value is unknown."""
    value = node.headers.get("content-transfer-encoding")
    if value is None:
        return b"7bit"
    token = split_parameters(value)[0]
    if not token:
        raise UnknownTransferEncoding("empty Content-Transfer-Encoding")
    return token


def _is_leaf(node: MimePart) -> bool:
    return not node.is_multipart and (node.message is None or node.encoding.lower() not in _IDENTITY)


_IDENTITY = (b"7bit", b"8bit", b"binary")
_BINARY_FIELD = b"Content-Transfer-Encoding: binary\r\n"


def _decoded_entity(raw: bytes, node: MimePart, start: int) -> bytes:
    """``raw[start:node.end]`` with every encoded leaf inside decoded and its Content-Transfer-Encoding
    field saying binary, as Dovecot answers BINARY of a multipart or of a whole message."""
    edits: list[tuple[int, int, bytes]] = []
    _collect_edits(raw, node, edits)
    out = bytearray()
    pos = start
    for begin, end, replacement in sorted(edits):
        out += raw[pos:begin] + replacement
        pos = end
    out += raw[pos : node.end]
    return bytes(out)


def _collect_edits(raw: bytes, node: MimePart, edits: list[tuple[int, int, bytes]]) -> None:
    if node.is_multipart:
        for child in node.children:
            _collect_edits(raw, child, edits)
        return
    if node.message is not None and node.encoding.lower() in _IDENTITY:
        _collect_edits(raw, node.message, edits)
        return
    encoding = _transfer_encoding(node)
    decoded = decode_transfer_encoding(encoding, raw[node.body_start : node.end])  # raises if unknown
    if encoding.lower() in IDENTITY_ENCODINGS or (node.end == node.body_start and node.headers.blank is not None):
        return
    for name, begin, end in node.headers.lines:
        if name == "content-transfer-encoding":
            edits.append((begin, end, b""))
    if node.headers.blank is not None:  # the field that says binary now ends the header, as in Dovecot
        edits.append((node.headers.blank[0], node.headers.blank[0], _BINARY_FIELD))
    edits.append((node.body_start, node.end, decoded))


def binary_bytes(parsed: ParsedMessage, part: tuple[int, ...]) -> bytes | None:
    """BINARY[part] (RFC 3516 4.2): a leaf's body with its transfer encoding removed; a multipart, an
    encapsulated message or the whole message with each encoded leaf inside decoded. Cached; None if
    there is no such part."""
    key = "binary:" + ".".join(map(str, part))
    cached: bytes | None = parsed.cache.get(key)
    if cached is not None:
        return cached
    raw = parsed.raw
    root = mime_tree(parsed)
    node = resolve(root, part) if part else root
    if node is None:
        return None
    if not part:
        data = _decoded_entity(raw, root, 0)
    elif _is_leaf(node):
        encoding = _transfer_encoding(node)
        if encoding.lower() == b"binary":  # RFC 3516 4.3: exactly the octets APPENDed, bare LFs and all
            data = parsed.source_slice(node.body_start, node.end)
        else:
            data = decode_transfer_encoding(encoding, raw[node.body_start : node.end])
    else:
        data = _decoded_entity(raw, node, node.body_start)
    parsed.cache[key] = data
    return data
