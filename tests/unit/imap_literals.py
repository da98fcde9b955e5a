"""Feed IMAP bytes with literals to imapclient's parser, in the shape imaplib hands it."""

from __future__ import annotations

import re
from typing import Any

from imapclient.response_parser import parse_response

_LITERAL = re.compile(rb"\{(\d+)\}\r\n")


def split_literals(data: bytes) -> list[bytes | tuple[bytes, bytes]]:
    out: list[bytes | tuple[bytes, bytes]] = []
    pos = 0
    while True:
        match = _LITERAL.search(data, pos)
        if match is None:
            out.append(data[pos:])
            return out
        size = int(match.group(1))
        body_start = match.end()
        out.append((data[pos : match.start()] + b"{%d}" % size, data[body_start : body_start + size]))
        pos = body_start + size


def parse_imap(data: bytes) -> tuple[Any, ...]:
    return tuple(parse_response(split_literals(data)))
