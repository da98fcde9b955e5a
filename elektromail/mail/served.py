"""The message as BODY[] sections and RFC822 serve it: a literal cannot carry a NUL (RFC 9051 4.3), and
"unless returned in response to BINARY ... server implementations MUST encode binary data into a textual
form, such as base64, before transmitting the data" (RFC 9051 4.3.1).

- A part of binary content (``Content-Transfer-Encoding: binary``) that holds a NUL travels in base64: its
  transfer-encoding field says base64 and its content is the octets APPENDed, encoded. Nothing is lost,
  the served form is itself a valid message, and RFC822.SIZE is the size of that form, as BODY[] sends
  it. BODYSTRUCTURE describes the part the same way. Dovecot answers the same.
- A NUL that no encoding can carry without changing what the message says of itself (in a header, or in a
  part that claims to be 7bit or 8bit text) is sent as 0x80, as Dovecot does, so sizes and offsets hold;
  the FETCH then says so in an untagged NO (:func:`altered`). BINARY[] returns every octet as stored.

Messages without a NUL, nearly all, are served as stored: :func:`served_message` returns them unchanged.
"""

from __future__ import annotations

from base64 import encodebytes

from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree

_NUL = b"\x00"
_IDENTITY = (b"7bit", b"8bit", b"binary")
_BASE64_FIELD = b"Content-Transfer-Encoding: base64\r\n"


def served_message(parsed: ParsedMessage) -> ParsedMessage:
    """``parsed`` itself when it holds no NUL; otherwise its served form, parsed (cached on the message)."""
    if parsed.served is parsed.raw:
        return parsed
    cached: ParsedMessage | None = parsed.cache.get("served")
    if cached is None:
        cached = parsed.cache["served"] = ParsedMessage(_travelling(parsed))
    return cached


def altered(parsed: ParsedMessage) -> bool:
    """True when BODY[] of the message sends some NUL as 0x80 (one no encoding could carry)."""
    served = served_message(parsed)
    return served.served is not served.raw


def is_binary_leaf(node: MimePart) -> bool:
    return not node.is_multipart and node.message is None and node.encoding.lower() == b"binary"


def base64_form(parsed: ParsedMessage, node: MimePart) -> bytes | None:
    """A binary leaf holding a NUL as it travels: its octets as APPENDed, in base64 lines; else None."""
    if parsed.served is parsed.raw or not is_binary_leaf(node):
        return None
    if _NUL not in parsed.raw[node.body_start : node.end]:
        return None
    content = parsed.source_slice(node.body_start, node.end)
    return encodebytes(content).rstrip(b"\n").replace(b"\n", b"\r\n")


def _travelling(parsed: ParsedMessage) -> bytes:
    raw = parsed.raw
    edits: list[tuple[int, int, bytes]] = []
    _collect(parsed, mime_tree(parsed), edits)
    out = bytearray()
    pos = 0
    for begin, end, replacement in sorted(edits):
        out += raw[pos:begin] + replacement
        pos = end
    out += raw[pos:]
    return bytes(out)


def _collect(parsed: ParsedMessage, node: MimePart, edits: list[tuple[int, int, bytes]]) -> None:
    if node.is_multipart:
        for child in node.children:
            _collect(parsed, child, edits)
        return
    if node.message is not None:
        if node.encoding.lower() in _IDENTITY:
            _collect(parsed, node.message, edits)
        return
    encoded = base64_form(parsed, node)
    if encoded is None or node.headers.blank is None:
        return
    for name, begin, end in node.headers.lines:
        if name == "content-transfer-encoding":
            edits.append((begin, end, b""))
    edits.append((node.headers.blank[0], node.headers.blank[0], _BASE64_FIELD))
    edits.append((node.body_start, node.end, encoded))
