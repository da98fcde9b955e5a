"""A pure parser for IMAP server responses (RFC 9051 section 9, formal syntax), for the harness client.

A response is one line plus any literals it carries (``{n}`` or ``~{n}``), already joined by the reader.
Values come out as plain Python data:

- atoms and numbers: ``str`` and ``int`` (``\\Seen``, ``FLAGS``, ``1:3``, ``BODY[HEADER.FIELDS (TO)]<0>``)
- quoted strings and literals: ``bytes`` (so an 8-bit literal survives unchanged)
- ``NIL``: ``None``
- parenthesised lists: ``list``
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUS_WORDS = frozenset({"OK", "NO", "BAD", "PREAUTH", "BYE"})

# RFC 9051 section 9: atom-specials are "(" ")" "{" SP CTL list-wildcards quoted-specials resp-specials.
# Wildcards "%" and "*" are allowed in a response atom here (LIST names, "\*" in PERMANENTFLAGS).
_ATOM_STOP = frozenset(b' (){"\r\n]')


class ResponseSyntaxError(ValueError):
    """The server sent something the RFC 9051 grammar does not allow."""


@dataclass
class Response:
    """One server response: untagged (``*``), continuation (``+``) or tagged."""

    tag: str
    raw: bytes
    # Status responses (OK/NO/BAD/PREAUTH/BYE), tagged or untagged:
    status: str | None = None
    code: str | None = None
    code_args: list[object] = field(default_factory=list)
    text: str = ""
    # Data responses: "* 3 EXISTS" has number 3 and kind "EXISTS"; "* LIST (...)" has kind "LIST".
    number: int | None = None
    kind: str | None = None
    data: list[object] = field(default_factory=list)

    @property
    def untagged(self) -> bool:
        return self.tag == "*"

    def __repr__(self) -> str:
        return f"Response({self.raw[:300]!r})"


def parse_response(raw: bytes) -> Response:
    """Parse one complete response (the line and its literals, without the final CRLF)."""
    if raw.startswith(b"+"):
        text = raw[2:] if raw.startswith(b"+ ") else raw[1:]
        return Response(tag="+", raw=raw, text=text.decode("utf-8", "replace"))
    space = raw.find(b" ")
    if space <= 0:
        raise ResponseSyntaxError(f"no tag in {raw!r}")
    tag = raw[:space].decode("ascii", "replace")
    reader = _Reader(raw, space + 1)
    response = Response(tag=tag, raw=raw)
    first = reader.atom()
    if tag == "*" and first.isdigit():
        response.number = int(first)
        reader.expect_space()
        response.kind = reader.atom().upper()
        response.data = reader.values_to_end()
        return response
    word = first.upper()
    if word in STATUS_WORDS:
        response.status = word
        _parse_status_rest(reader, response)
        return response
    if tag != "*":
        raise ResponseSyntaxError(f"tagged response without status: {raw!r}")
    response.kind = word
    response.data = reader.values_to_end()
    return response


def _parse_status_rest(reader: _Reader, response: Response) -> None:
    if reader.at_end():
        return
    reader.expect_space()
    if reader.peek() == ord("["):
        reader.pos += 1
        response.code = reader.atom().upper()
        args: list[object] = []
        while reader.peek() != ord("]"):
            if reader.at_end():
                raise ResponseSyntaxError(f"unterminated response code in {reader.data!r}")
            if reader.peek() == ord(" "):
                reader.pos += 1
                continue
            args.append(reader.value())
        reader.pos += 1
        response.code_args = args
        if reader.peek() == ord(" "):
            reader.pos += 1
    response.text = reader.data[reader.pos :].decode("utf-8", "replace")


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> int:
        return self.data[self.pos] if self.pos < len(self.data) else -1

    def expect_space(self) -> None:
        if self.peek() != ord(" "):
            raise ResponseSyntaxError(f"expected SP at {self.pos} in {self.data!r}")
        self.pos += 1

    def values_to_end(self) -> list[object]:
        values: list[object] = []
        while not self.at_end():
            if self.peek() == ord(" "):
                self.pos += 1
                continue
            values.append(self.value())
        return values

    def value(self) -> object:
        char = self.peek()
        if char == ord("("):
            return self.list()
        if char == ord('"'):
            return self.quoted()
        if char == ord("{") or (char == ord("~") and self.data[self.pos + 1 : self.pos + 2] == b"{"):
            return self.literal()
        word = self.atom()
        if word.upper() == "NIL":
            return None
        if word.isdigit():
            return int(word)
        return word

    def list(self) -> list[object]:
        self.pos += 1
        items: list[object] = []
        while True:
            char = self.peek()
            if char == -1:
                raise ResponseSyntaxError(f"unterminated list in {self.data!r}")
            if char == ord(")"):
                self.pos += 1
                return items
            if char == ord(" "):
                self.pos += 1
                continue
            items.append(self.value())

    def quoted(self) -> bytes:
        self.pos += 1
        out = bytearray()
        while True:
            char = self.peek()
            if char == -1 or char in (13, 10):
                raise ResponseSyntaxError(f"unterminated quoted string in {self.data!r}")
            self.pos += 1
            if char == ord('"'):
                return bytes(out)
            if char == ord("\\"):
                escaped = self.peek()
                if escaped not in (ord('"'), ord("\\")):
                    raise ResponseSyntaxError(f"bad escape in quoted string in {self.data!r}")
                out.append(escaped)
                self.pos += 1
            else:
                out.append(char)

    def literal(self) -> bytes:
        if self.peek() == ord("~"):
            self.pos += 1
        end = self.data.find(b"}", self.pos)
        if end < 0:
            raise ResponseSyntaxError(f"unterminated literal length in {self.data!r}")
        count_text = self.data[self.pos + 1 : end]
        if not count_text.isdigit():
            raise ResponseSyntaxError(f"bad literal length {count_text!r}")
        count = int(count_text)
        if self.data[end + 1 : end + 3] != b"\r\n":
            raise ResponseSyntaxError(f"literal length not followed by CRLF in {self.data!r}")
        start = end + 3
        if start + count > len(self.data):
            raise ResponseSyntaxError("literal shorter than announced")
        self.pos = start + count
        return self.data[start : self.pos]

    def atom(self) -> str:
        """An atom; a "[...]" inside it (BODY[...], BINARY[...]) belongs to it, and so does a "<n>" after."""
        start = self.pos
        data = self.data
        while self.pos < len(data):
            char = data[self.pos]
            if char == ord("[") and self.pos > start:
                close = data.find(b"]", self.pos)
                if close < 0:
                    raise ResponseSyntaxError(f"unterminated section in {data!r}")
                self.pos = close + 1
                if data[self.pos : self.pos + 1] == b"<":
                    angle = data.find(b">", self.pos)
                    if angle < 0:
                        raise ResponseSyntaxError(f"unterminated partial in {data!r}")
                    self.pos = angle + 1
                continue
            if char in _ATOM_STOP or char < 0x20 or char == 0x7F:
                break
            self.pos += 1
        if self.pos == start:
            raise ResponseSyntaxError(f"expected an atom at {start} in {data!r}")
        return data[start : self.pos].decode("utf-8", "replace")


def parse_sequence_set(text: str) -> list[int]:
    """Expand a sequence set without ``*`` ("1:3,7") into a sorted list of numbers."""
    numbers: set[int] = set()
    for part in text.split(","):
        if ":" in part:
            low_text, high_text = part.split(":")
            low, high = sorted((int(low_text), int(high_text)))
            numbers.update(range(low, high + 1))
        else:
            numbers.add(int(part))
    return sorted(numbers)


def fetch_items(response: Response) -> dict[str, object]:
    """The items of a FETCH response as a dict keyed by upper-cased item name (``BODY[1]``, ``FLAGS``)."""
    if response.kind != "FETCH" or len(response.data) != 1 or not isinstance(response.data[0], list):
        raise ResponseSyntaxError(f"not a FETCH response: {response.raw!r}")
    pairs = response.data[0]
    if len(pairs) % 2:
        raise ResponseSyntaxError(f"odd number of FETCH items: {response.raw!r}")
    items: dict[str, object] = {}
    for index in range(0, len(pairs), 2):
        name = pairs[index]
        if not isinstance(name, str):
            raise ResponseSyntaxError(f"FETCH item name is not an atom: {name!r}")
        items[name.upper()] = pairs[index + 1]
    return items
