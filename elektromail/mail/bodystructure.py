"""BODY and BODYSTRUCTURE (RFC 9051 7.5.2) from the MIME tree, encoded once per message as IMAP bytes.

BODY is the non-extensible form; BODYSTRUCTURE adds extension data: MD5 (Content-MD5 or NIL), disposition,
language and location for leaves; parameters, disposition, language and location for multiparts.
"""

from __future__ import annotations

from elektromail.mail.envelope import encode_envelope
from elektromail.mail.headers import Headers
from elektromail.mail.imapstr import NIL, nstring, string
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, Params, mime_tree, split_parameters
from elektromail.mail.served import base64_form


def _params(params: Params) -> bytes:
    if not params:
        return NIL
    return b"(" + b" ".join(string(name) + b" " + string(value) for name, value in params) + b")"


def _disposition(headers: Headers) -> bytes:
    value = headers.get("content-disposition")
    if value is None:
        return NIL
    kind, params = split_parameters(value)
    return b"(" + string(kind) + b" " + _params(params) + b")"


def _language(headers: Headers) -> bytes:
    value = headers.get("content-language")
    if value is None:
        return NIL
    tags = [tag.strip() for tag in split_parameters(value)[0].split(b",") if tag.strip()]
    if not tags:
        return NIL
    return b"(" + b" ".join(string(tag) for tag in tags) + b")"


def _extension(part: MimePart) -> bytes:
    headers = part.headers
    return b"%b %b %b" % (_disposition(headers), _language(headers), nstring(headers.get("content-location")))


def encode_body(part: MimePart, parsed: ParsedMessage, extended: bool) -> bytes:
    raw = parsed.raw
    if part.is_multipart:
        children = b"".join(encode_body(child, parsed, extended) for child in part.children)
        out = children + b" " + string(part.subtype)
        if extended:
            out += b" " + _params(part.params) + b" " + _extension(part)
        return b"(" + out + b")"
    headers = part.headers
    encoding, size, lines = part.encoding, part.body_size, raw.count(b"\n", part.body_start, part.end)
    travelling = base64_form(parsed, part)
    if travelling is not None:  # binary content with a NUL: described as BODY[part] serves it
        encoding, size, lines = b"base64", len(travelling), travelling.count(b"\n") + 1
    fields = b"%b %b %b %b %b %b %d" % (
        string(part.type),
        string(part.subtype),
        _params(part.params),
        nstring(headers.get("content-id")),
        nstring(headers.get("content-description")),
        string(encoding),
        size,
    )
    if part.message is not None:
        inner = part.message
        fields += b" %b %b %d" % (
            encode_envelope(inner.headers),
            encode_body(inner, parsed, extended),
            raw.count(b"\n", part.body_start, part.end),
        )
    elif part.type.lower() == b"text":
        fields += b" %d" % lines
    if extended:
        fields += b" " + nstring(headers.get("content-md5")) + b" " + _extension(part)
    return b"(" + fields + b")"


def _cached_encoding(parsed: ParsedMessage, key: str, extended: bool) -> bytes:
    cached: bytes | None = parsed.cache.get(key)
    if cached is None:
        cached = encode_body(mime_tree(parsed), parsed, extended)
        parsed.cache[key] = cached
    return cached


def bodystructure(parsed: ParsedMessage) -> bytes:
    return _cached_encoding(parsed, "bodystructure", True)


def body(parsed: ParsedMessage) -> bytes:
    return _cached_encoding(parsed, "body", False)
