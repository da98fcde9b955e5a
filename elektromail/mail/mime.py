"""The MIME tree of a message (RFC 2045, 2046): byte offsets of each part's header and body, and its fields.

Offsets point into the message's CRLF-normalised bytes, so sections are served as slices without copying
or re-parsing. The tree is built once per message and cached on the :class:`ParsedMessage`.
"""

from __future__ import annotations

import re

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
    cache = parsed.cache
    tree: MimePart | None = cache.get("mime")
    if tree is None:
        # The root's fields are the message's (the same block): one parse, shared with ENVELOPE and SEARCH.
        headers: Headers | None = cache.get("headers")
        tree = _Parser(parsed.raw).entity(0, parsed.header_end, TEXT_PLAIN, (), 0, True, headers)[0]
        cache["headers"] = tree.headers
        cache["mime"] = tree
    return tree


def header_block_end(raw: bytes, start: int, end: int) -> int:
    """Where the body of the entity at ``raw[start:end]`` begins (after the blank line), or ``end``."""
    if end - start >= 2 and raw.startswith(b"\r\n", start):
        return start + 2
    blank = raw.find(b"\r\n\r\n", start, end)
    return end if blank < 0 else blank + 4


# Where an entity stopped: the start of the boundary line that ended it and that line's place in the stack
# of open boundaries (None at the end of the message).
_Stop = tuple[int, int | None]


class _Parser:
    """One pass over the message with the stack of open multipart boundaries (RFC 2046 5.1).

    A line starting with ``--`` ends the current part when an open boundary is a prefix of the rest of
    the line; of several, the longest wins, and of equal ones the innermost (RFC 2046 5.1.2 asks for
    inner boundaries to differ, so real mail that breaks that is split as Dovecot splits it). The CRLF
    before a boundary line belongs to the boundary; a part's header ends at an empty line or at a
    boundary line, and in the latter case its body is empty.
    """

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.end = len(raw)

    def _boundary(self, line: int, stack: tuple[bytes, ...]) -> int | None:
        best: int | None = None
        for index in range(len(stack) - 1, -1, -1):
            boundary = stack[index]
            if self.raw.startswith(boundary, line + 2) and (best is None or len(stack[best]) < len(boundary)):
                best = index
        return best

    def next_boundary(self, pos: int, stack: tuple[bytes, ...]) -> _Stop:
        """The first line at or after ``pos`` (a line start) that is a boundary of ``stack``."""
        if not stack:
            return self.end, None
        raw = self.raw
        if raw.startswith(b"--", pos):
            line = pos
        else:
            found = raw.find(b"\r\n--", pos)
            line = found + 2 if found >= 0 else -1
        while line >= 0:
            index = self._boundary(line, stack)
            if index is not None:
                return line, index
            found = raw.find(b"\r\n--", line)
            line = found + 2 if found >= 0 else -1
        return self.end, None

    def _until(self, stop: _Stop, floor: int) -> int:
        """The end of an entity that stopped at ``stop``: before the CRLF of the boundary line."""
        line, index = stop
        return self.end if index is None else max(floor, line - 2)

    def entity(
        self,
        start: int,
        body_start: int | None,
        default: tuple[bytes, bytes],
        stack: tuple[bytes, ...],
        depth: int,
        is_message: bool = False,
        headers: Headers | None = None,
    ) -> tuple[MimePart, _Stop]:
        """The entity at ``start``; ``headers`` are its fields when they are parsed already."""
        raw = self.raw
        stop: _Stop | None = None
        if body_start is None:
            body_start, stop = self._header(start, stack)
        if headers is None:
            headers = parse_headers(raw, start, body_start)
        part = MimePart(start, body_start, body_start, headers)
        _content_fields(part, default, is_message)
        kind = (part.type.lower(), part.subtype.lower())
        if stop is None and kind[0] != b"multipart":
            line, index = self.next_boundary(body_start, stack)
            if index is not None and line == body_start and body_start - 2 >= start:
                # The empty line that ended the header is the CRLF of the boundary line after it: the
                # header ends before it and the body is empty, as Dovecot counts.
                body_start = part.body_start = body_start - 2
                stop = (line, index)
        if stop is not None:
            part.end = body_start
        elif kind[0] == b"multipart" and depth < MAX_MIME_DEPTH and part.param(b"boundary") is not None:
            stop = self._multipart(part, stack, depth)
        elif kind == MESSAGE_RFC822 and depth < MAX_MIME_DEPTH and part.encoding.lower() in _IDENTITY:
            part.message, stop = self.entity(body_start, None, TEXT_PLAIN, stack, depth + 1, is_message=True)
            part.end = min(part.message.end, self._until(stop, body_start))
        else:
            stop = self.next_boundary(body_start, stack)
            part.end = self._until(stop, body_start)
        if kind[0] == b"multipart" and not part.children:
            part.children = [_empty(part.end)]  # RFC 9051 7.5.2 needs one body part, as Dovecot answers
        elif kind == MESSAGE_RFC822 and part.message is None:
            # RFC 2046 5.2.1 forbids encoding a message/rfc822 body; BODYSTRUCTURE still needs an inner
            # message, so an empty one stands in (as Dovecot answers).
            part.message = _empty(part.end)
        return part, stop

    def _header(self, start: int, stack: tuple[bytes, ...]) -> tuple[int, _Stop | None]:
        """Where the body of the part at ``start`` begins; with the stop when a boundary line came
        before any empty line (the part is all header and its body is empty)."""
        raw = self.raw
        stop = self.next_boundary(start, stack)
        line = stop[0]
        if raw.startswith(b"\r\n", start) and start + 2 <= line:
            return start + 2, None
        blank = raw.find(b"\r\n\r\n", start, min(self.end, line + 2))
        if blank >= 0:
            return blank + 4, None
        return (self.end if stop[1] is None else max(start, line - 2)), stop

    def _multipart(self, part: MimePart, stack: tuple[bytes, ...], depth: int) -> _Stop:
        boundary = part.param(b"boundary") or b""
        inner = (*stack, boundary)
        own = len(inner) - 1
        child_default = MESSAGE_RFC822 if part.subtype.lower() == b"digest" else TEXT_PLAIN
        stop = self.next_boundary(part.body_start, inner)
        last_line_whole = False  # what precedes the stop is a line read whole, its CRLF included
        while stop[1] == own:
            line = stop[0]
            after = line + 2 + len(boundary)
            if self.raw.startswith(b"--", after):  # the close delimiter: the rest is epilogue
                epilogue = self._line_end(line)
                stop = self.next_boundary(epilogue, stack)
                last_line_whole = stop[0] == epilogue
                break
            child, stop = self.entity(self._line_end(line), None, child_default, inner, depth + 1)
            part.children.append(child)
            last_line_whole = child.end == stop[0] or (not child.is_multipart and child.body_size == 0)
        part.end = self._until(stop, part.body_start)
        if last_line_whole and stop[1] is not None:
            # The last child was all header (or the close delimiter ended it): the CRLF before the enclosing
            # boundary ends that line and stays with this multipart, where Dovecot ends it too.
            part.end = stop[0]
        return stop

    def _line_end(self, line: int) -> int:
        eol = self.raw.find(b"\n", line)
        return self.end if eol < 0 else eol + 1


_IDENTITY = (b"7bit", b"8bit", b"binary")


def _empty(at: int) -> MimePart:
    empty = MimePart(at, at, at, Headers([]))
    empty.params.append(DEFAULT_CHARSET)
    return empty


def _content_fields(part: MimePart, default: tuple[bytes, bytes], is_message: bool) -> None:
    """Type, subtype, parameters and transfer encoding from the part's header, as Dovecot reads them."""
    content_type = part.headers.get("content-type")
    if content_type is None:
        part.type, part.subtype = default
    else:
        value, part.params = split_parameters(content_type)
        kind, slash, sub = value.partition(b"/")
        part.type, part.subtype = kind.strip(), sub.strip()
        if not part.type and not slash:
            part.type, part.subtype = TEXT_PLAIN
        elif (slash and (not part.type or not part.subtype)) or (not slash and part.params):
            # "text/", "/plain", or a type without subtype that has parameters: no usable type
            part.type, part.subtype, part.params = b"", b"", []
    encoding = part.headers.get("content-transfer-encoding")
    if encoding and is_message and content_type is None and "mime-version" not in part.headers:
        encoding = None  # RFC 2045 4: not a MIME message, so no transfer encoding (as Dovecot reads it)
    if encoding:
        token = encoding.strip()
        # Not one token ("base64; junk"): no usable encoding, so the default; 7bit in any case is the default.
        if token and _TOKEN.fullmatch(token) and token.lower() != b"7bit":
            part.encoding = token
    if part.type.lower() == b"text" and part.param(b"charset") is None:
        part.params.append(DEFAULT_CHARSET)


_TOKEN = re.compile(rb"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+")


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
    return head, join_continuations(params) if any(b"*" in name for name, _ in params) else params


_SECTION = re.compile(rb"([^*]+)\*(?:(\d+)(\*)?)?\Z")


def join_continuations(params: Params) -> Params:
    """RFC 2231 3-4: ``title*0*=``, ``title*1*=``, ``title*2=`` become one ``title*`` value (``title``
    when no section is encoded), the sections' text joined as sent. As Dovecot answers: such parameters
    follow the plain ones, ordered by name, and a broken run of sections (a gap, a repeat) stays as sent.
    """
    plain: Params = []
    runs: dict[bytes, list[tuple[int, bool, bytes, bytes]]] = {}
    for name, value in params:
        match = _SECTION.match(name)
        if match is None:
            plain.append((name, value))
            continue
        number = -1 if match.group(2) is None else int(match.group(2))
        runs.setdefault(match.group(1).lower(), []).append((number, bool(match.group(3)), name, value))
    for key in sorted(runs):
        run = sorted(runs[key], key=lambda section: section[0])
        numbers = [section[0] for section in run]
        if numbers != list(range(len(run))):
            plain.extend((name, value) for _, _, name, value in run)
            continue
        base = _SECTION.match(run[0][2])
        name = base.group(1) if base is not None else key
        encoded = any(section[1] for section in run)
        plain.append((name + b"*" if encoded else name, b"".join(section[3] for section in run)))
    return plain
