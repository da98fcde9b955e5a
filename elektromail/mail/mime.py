"""The MIME tree of a message (RFC 2045, 2046): byte offsets of each part's header and body, and its fields.

Offsets point into the message's CRLF-normalised bytes, so sections are served as slices without copying
or re-parsing. The tree is built once per message and cached on the :class:`ParsedMessage`.
"""

from __future__ import annotations

from elektromail.mail.headers import Headers, parse_headers
from elektromail.mail.message import ParsedMessage

# Nesting beyond this is treated as an opaque leaf; it bounds recursion on hostile input (RFC 2046 5.1
# sets no limit; established servers cap it similarly).
MAX_MIME_DEPTH = 64

TEXT_PLAIN = (b"text", b"plain")
MESSAGE_RFC822 = (b"message", b"rfc822")
DEFAULT_CHARSET = (b"charset", b"us-ascii")  # RFC 2045 5.2

Params = list[tuple[bytes, bytes]]


class MimePart:
    """One entity: ``header_start <= body_start <= end`` are offsets in the message bytes.

    ``children`` holds the parts of a multipart; ``message`` the encapsulated message of a message/rfc822
    part (itself a MimePart whose header is the inner message's header).
    """

    __slots__ = (
        "header_start",
        "body_start",
        "end",
        "headers",
        "type",
        "subtype",
        "params",
        "encoding",
        "children",
        "message",
    )

    def __init__(self, header_start: int, body_start: int, end: int, headers: Headers) -> None:
        self.header_start = header_start
        self.body_start = body_start
        self.end = end
        self.headers = headers
        self.type = b"text"
        self.subtype = b"plain"
        self.params: Params = []
        self.encoding = b"7bit"
        self.children: list[MimePart] = []
        self.message: MimePart | None = None

    @property
    def is_multipart(self) -> bool:
        return self.type.lower() == b"multipart"

    @property
    def is_message(self) -> bool:
        return self.message is not None

    @property
    def body_size(self) -> int:
        return self.end - self.body_start

    def param(self, name: bytes) -> bytes | None:
        for key, value in self.params:
            if key.lower() == name:
                return value
        return None

    def __repr__(self) -> str:
        kind = (self.type + b"/" + self.subtype).decode("latin-1")
        return f"MimePart({kind}, header={self.header_start}, body={self.body_start}, end={self.end})"


def mime_tree(parsed: ParsedMessage) -> MimePart:
    """The root entity of ``parsed`` (computed once, then cached)."""
    tree: MimePart | None = parsed.cache.get("mime")
    if tree is None:
        # The root's fields are the message's: parsed once, shared with ENVELOPE and SEARCH.
        headers: Headers | None = parsed.cache.get("headers")
        if headers is None:
            headers = parsed.cache["headers"] = parse_headers(parsed.raw, 0, parsed.header_end)
        tree = _parse_entity(parsed.raw, 0, parsed.header_end, len(parsed.raw), TEXT_PLAIN, 0, headers)
        parsed.cache["mime"] = tree
    return tree


def header_block_end(raw: bytes, start: int, end: int) -> int:
    """Where the body of the entity at ``raw[start:end]`` begins (after the blank line), or ``end``."""
    if raw.startswith(b"\r\n", start):
        return start + 2
    blank = raw.find(b"\r\n\r\n", start, end)
    return end if blank < 0 else blank + 4


def _parse_entity(
    raw: bytes,
    start: int,
    body_start: int,
    end: int,
    default: tuple[bytes, bytes],
    depth: int,
    headers: Headers | None = None,
) -> MimePart:
    part = MimePart(start, body_start, end, headers or parse_headers(raw, start, body_start))
    content_type = part.headers.get("content-type")
    if content_type is None:
        part.type, part.subtype = default
    else:
        value, part.params = split_parameters(content_type)
        kind, _, sub = value.partition(b"/")
        part.type, part.subtype = kind.strip(), sub.strip()
        if not part.type:
            part.type, part.subtype = TEXT_PLAIN
    encoding = part.headers.get("content-transfer-encoding")
    if encoding:
        part.encoding = split_parameters(encoding)[0]
    if part.type.lower() == b"text" and part.param(b"charset") is None:
        part.params.append(DEFAULT_CHARSET)
    if depth >= MAX_MIME_DEPTH:
        return part
    kind_lower = part.type.lower()
    if kind_lower == b"multipart":
        boundary = part.param(b"boundary")
        child_default = MESSAGE_RFC822 if part.subtype.lower() == b"digest" else TEXT_PLAIN
        if boundary:
            part.children = _parse_multipart(raw, body_start, end, boundary, child_default, depth + 1)
        if not part.children:
            # RFC 9051 7.5.2 needs at least one body part: an empty text/plain stands in, as Dovecot does.
            empty = MimePart(end, end, end, Headers([]))
            empty.params.append(DEFAULT_CHARSET)
            part.children = [empty]
    elif (kind_lower, part.subtype.lower()) == MESSAGE_RFC822:
        if part.encoding.lower() in (b"7bit", b"8bit", b"binary"):
            inner_body = header_block_end(raw, body_start, end)
            part.message = _parse_entity(raw, body_start, inner_body, end, TEXT_PLAIN, depth + 1)
        else:
            # RFC 2046 5.2.1 forbids encoding a message/rfc822 body; BODYSTRUCTURE still needs an inner
            # message, so an empty one stands in (as Dovecot answers).
            empty = MimePart(end, end, end, Headers([]))
            empty.params.append(DEFAULT_CHARSET)
            part.message = empty
    return part


def _parse_multipart(
    raw: bytes, start: int, end: int, boundary: bytes, default: tuple[bytes, bytes], depth: int
) -> list[MimePart]:
    """Parts between ``--boundary`` lines (RFC 2046 5.1.1); the CRLF before a delimiter belongs to it."""
    delimiter = b"--" + boundary
    children: list[MimePart] = []
    part_start = -1  # no delimiter seen yet: we are in the preamble
    if raw.startswith(delimiter, start):
        found = start
        line_start = start
    else:
        found = raw.find(b"\r\n" + delimiter, start, end)
        line_start = found + 2
    while found >= 0:
        if part_start >= 0:
            children.append(_child(raw, part_start, found, default, depth))
        after = line_start + len(delimiter)
        if raw.startswith(b"--", after):
            return children  # close delimiter: the rest is epilogue
        eol = raw.find(b"\n", after, end)
        part_start = end if eol < 0 else eol + 1
        found = raw.find(b"\r\n" + delimiter, part_start - 2 if part_start >= 2 else part_start, end)
        line_start = found + 2
    if part_start >= 0:  # no close delimiter: the last part runs to the end
        children.append(_child(raw, part_start, end, default, depth))
    return children


def _child(raw: bytes, start: int, end: int, default: tuple[bytes, bytes], depth: int) -> MimePart:
    start = min(start, end)
    return _parse_entity(raw, start, header_block_end(raw, start, end), end, default, depth)


def split_parameters(value: bytes) -> tuple[bytes, Params]:
    """``type/sub; a=1; b="x y"`` -> (b"type/sub", [(b"a", b"1"), (b"b", b"x y")]); comments dropped."""
    pieces: list[bytearray] = [bytearray()]
    quoted = False
    escaped = False
    comment = 0
    for byte in value:
        ch = bytes((byte,))
        if escaped:
            pieces[-1] += ch
            escaped = False
        elif quoted:
            if ch == b"\\":
                escaped = True
            elif ch == b'"':
                quoted = False
                pieces[-1] += b"\x00"  # marks "was quoted" so the value keeps inner spaces
            else:
                pieces[-1] += ch
        elif comment:
            if ch == b"(":
                comment += 1
            elif ch == b")":
                comment -= 1
        elif ch == b'"':
            quoted = True
            pieces[-1] += b"\x00"
        elif ch == b"(":
            comment = 1
        elif ch == b";":
            pieces.append(bytearray())
        else:
            pieces[-1] += ch
    head = bytes(pieces[0]).replace(b"\x00", b"").strip()
    params: Params = []
    for piece in pieces[1:]:
        name, eq, raw_value = bytes(piece).partition(b"=")
        name = name.replace(b"\x00", b"").strip()
        if not eq or not name:
            continue
        raw_value = raw_value.strip()
        params.append((name, raw_value.replace(b"\x00", b"")))
    return head, params
