"""RFC 5322 3.4 address lists as IMAP address structures (RFC 9051 7.5.2), tolerant of real-world junk.

Display names keep encoded words as sent; a comment serves as the name when there is no phrase; group
syntax becomes a start marker (NIL NIL "name" NIL) and an end marker (NIL NIL NIL NIL). Missing parts
use Dovecot's placeholders so clients see the same structure from either server.
"""

from __future__ import annotations

from typing import NamedTuple

MISSING_MAILBOX = b"MISSING_MAILBOX"
MISSING_DOMAIN = b"MISSING_DOMAIN"

_SPECIALS = b'()<>[]:;@\\,."'


class Address(NamedTuple):
    name: bytes | None
    route: bytes | None
    mailbox: bytes | None
    host: bytes | None


GROUP_END = Address(None, None, None, None)

# token kinds
_ATOM, _QUOTED, _COMMENT, _SPECIAL, _LITERAL = range(5)


def _tokenize(value: bytes) -> list[tuple[int, bytes]]:
    tokens: list[tuple[int, bytes]] = []
    i, n = 0, len(value)
    while i < n:
        ch = value[i : i + 1]
        if ch in b" \t\r\n":
            i += 1
        elif ch == b'"':
            out = bytearray()
            i += 1
            while i < n and value[i : i + 1] != b'"':
                if value[i : i + 1] == b"\\" and i + 1 < n:
                    i += 1
                out += value[i : i + 1]
                i += 1
            tokens.append((_QUOTED, bytes(out)))
            i += 1
        elif ch == b"(":
            depth, out = 1, bytearray()
            i += 1
            while i < n and depth:
                c = value[i : i + 1]
                if c == b"\\" and i + 1 < n:
                    i += 1
                    c = value[i : i + 1]
                elif c == b"(":
                    depth += 1
                elif c == b")":
                    depth -= 1
                    if not depth:
                        break
                out += c
                i += 1
            tokens.append((_COMMENT, bytes(out).strip()))
            i += 1
        elif ch == b"[":
            end = value.find(b"]", i)
            end = n - 1 if end < 0 else end
            tokens.append((_LITERAL, value[i : end + 1]))
            i = end + 1
        elif ch in _SPECIALS:
            tokens.append((_SPECIAL, ch))
            i += 1
        else:
            start = i
            while i < n and value[i : i + 1] not in _SPECIALS and value[i : i + 1] not in b" \t\r\n":
                i += 1
            tokens.append((_ATOM, value[start:i]))
    return tokens


def parse_address_list(value: bytes) -> list[Address]:
    tokens = _tokenize(value)
    result: list[Address] = []
    pos = 0
    in_group = False
    while pos < len(tokens):
        kind, text = tokens[pos]
        if kind == _SPECIAL and text == b",":
            if pos and tokens[pos - 1] == (_SPECIAL, b","):  # an empty list element, as Dovecot shows it
                result.append(Address(None, None, MISSING_MAILBOX, MISSING_DOMAIN))
            pos += 1
            continue
        if kind == _SPECIAL and text == b";":
            if in_group:
                result.append(GROUP_END)
                in_group = False
            pos += 1
            continue
        # find the end of this mailbox, or a group start
        end = pos
        while end < len(tokens) and not (tokens[end][0] == _SPECIAL and tokens[end][1] in (b",", b";", b":")):
            if tokens[end] == (_SPECIAL, b"<"):  # inside <...> a ':' belongs to a route
                while end < len(tokens) and tokens[end] != (_SPECIAL, b">"):
                    end += 1
            end += 1
        if end < len(tokens) and tokens[end] == (_SPECIAL, b":") and not in_group:
            result.append(Address(None, None, _phrase(tokens[pos:end]) or b"", None))
            in_group = True
            pos = end + 1
            continue
        address = _mailbox(tokens[pos:end])
        if address is not None:
            result.append(address)
        pos = end if end > pos else end + 1
    if in_group:
        result.append(GROUP_END)
    return result


def _phrase(tokens: list[tuple[int, bytes]]) -> bytes | None:
    words = [text for kind, text in tokens if kind in (_ATOM, _QUOTED) or (kind == _SPECIAL and text == b".")]
    if not words:
        return None
    out = bytearray()
    for word in words:
        if out and word != b".":  # "Mr. Smith": a dot joins the word before it, as Dovecot joins them
            out += b" "
        out += word
    return bytes(out)


def _addr_spec(tokens: list[tuple[int, bytes]]) -> tuple[bytes | None, bytes | None]:
    at = next((i for i, token in enumerate(tokens) if token == (_SPECIAL, b"@")), -1)
    local_tokens, domain_tokens = (tokens, []) if at < 0 else (tokens[:at], tokens[at + 1 :])
    local = b"".join(text for kind, text in local_tokens if kind != _COMMENT) or None
    domain = b"".join(text for kind, text in domain_tokens if kind != _COMMENT) or None
    return local, domain


def _mailbox(tokens: list[tuple[int, bytes]]) -> Address | None:
    if not tokens:
        return None
    comments = [text for kind, text in tokens if kind == _COMMENT and text]
    if (_SPECIAL, b"<") in tokens:
        open_at = tokens.index((_SPECIAL, b"<"))
        close_at = tokens.index((_SPECIAL, b">")) if (_SPECIAL, b">") in tokens else len(tokens)
        name = _phrase(tokens[:open_at]) or None  # an empty quoted name is no name
        inner = tokens[open_at + 1 : close_at]
        route: bytes | None = None
        colon = next((i for i, token in enumerate(inner) if token == (_SPECIAL, b":")), -1)
        if colon >= 0:
            route = b"".join(text for _, text in inner[:colon]) or None
            inner = inner[colon + 1 :]
        local, domain = _addr_spec(inner)
        if name is None and comments:
            name = comments[-1]
        if local is None and domain is None and name is None and route is None:
            return None
        return Address(name, route, local or MISSING_MAILBOX, domain or MISSING_DOMAIN)
    if (_SPECIAL, b"@") not in tokens:
        words = [text for kind, text in tokens if kind in (_ATOM, _QUOTED)]
        if len(words) > 1 or any(kind == _QUOTED for kind, _ in tokens):
            # a bare phrase: a name without an address
            return Address(_phrase(tokens), None, MISSING_MAILBOX, MISSING_DOMAIN)
        if not words:
            return None
        return Address(comments[-1] if comments else None, None, words[0], MISSING_DOMAIN)
    local, domain = _addr_spec(tokens)
    return Address(comments[-1] if comments else None, None, local or MISSING_MAILBOX, domain or MISSING_DOMAIN)
