"""Readable views of stored messages for the HTTP API: summaries, full details and attachments.

Everything is read from the message as IMAP serves it (:mod:`elektromail.mail`): addresses, subject,
date and Message-ID as its ENVELOPE names them (RFC 9051 7.5.2: the last Subject, Date and Message-ID
field, every From/To/Cc field's addresses), text, HTML and attachments from its MIME tree, as BODY[n]
and BINARY[n] serve them. So the API and IMAP cannot disagree about a message, and it is parsed once.
The summary fields are kept in the message's cache; the details of one message are read on request.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

import msgspec

from elektromail.http.schemas import Attachment, Detail, Header, Summary
from elektromail.mail.addresses import MISSING_DOMAIN, MISSING_MAILBOX, parse_address_list
from elektromail.mail.attachments import attachment_parts
from elektromail.mail.envelope import collapse_spaces, message_headers
from elektromail.mail.headers import Headers, decode_text, decode_words
from elektromail.mail.links import links
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree, split_parameters
from elektromail.mail.preview import first_text
from elektromail.mail.text import part_text
from elektromail.mail.transfer import UnknownTransferEncoding, decode_transfer_encoding
from elektromail.store.model import Mailbox, Message

_FIELDS_CACHE_KEY = "http.fields"


class _Fields:
    """The envelope fields as the API shows them: addresses as ``mailbox@host``, strings decoded."""

    __slots__ = ("from_", "to", "cc", "subject", "date", "message_id")

    def __init__(self, headers: Headers) -> None:
        from_ = addresses(headers, "from")
        self.from_ = from_[0] if from_ else None
        self.to = addresses(headers, "to")
        self.cc = addresses(headers, "cc")
        self.subject = _decoded(collapse_spaces(headers.get_last("subject")))
        self.date = _decoded(headers.get_last("date"))
        self.message_id = _decoded(headers.get_last("message-id"))


def _decoded(value: bytes | None) -> str | None:
    """An unstructured value: RFC 2047 words decoded, other 8-bit text read as UTF-8 (RFC 6532)."""
    return None if value is None else decode_words(value)


def addresses(headers: Headers, name: str) -> list[str]:
    """Every address of every ``name`` field, as ENVELOPE lists them: a group's name and end markers and
    a display name without an address name no mailbox, so they are left out; a missing domain is left off."""
    found: list[str] = []
    for value in headers.get_all(name):
        for address in parse_address_list(value):
            if address.host is None or address.mailbox in (None, MISSING_MAILBOX):
                continue
            mailbox = address.mailbox.decode("utf-8", "replace")
            found.append(
                mailbox if address.host == MISSING_DOMAIN else f"{mailbox}@{address.host.decode('utf-8', 'replace')}"
            )
    return found


def _fields(parsed: ParsedMessage) -> _Fields:
    cached = parsed.cache.get(_FIELDS_CACHE_KEY)
    if not isinstance(cached, _Fields):
        cached = parsed.cache[_FIELDS_CACHE_KEY] = _Fields(message_headers(parsed))
    return cached


def summary(mailbox: Mailbox, message: Message) -> Summary:
    fields = _fields(message.parsed)
    provenance = message.provenance
    return Summary(
        id=mailbox.message_id(message.uid),
        uid=message.uid,
        user=mailbox.account.name,
        mailbox=mailbox.name,
        from_=fields.from_,
        to=fields.to,
        subject=fields.subject,
        date=fields.date,
        internal_date=message.internal_date,
        flags=sorted(message.flags),
        size=message.size,
        links=links(message.parsed),
        envelope=provenance.envelope if provenance is not None else None,
        delivery=provenance.delivery if provenance is not None else None,
    )


def _text(part: MimePart | None, raw: bytes) -> str | None:
    """A text part decoded as SEARCH reads it; with a transfer encoding nobody knows, the text as sent."""
    if part is None:
        return None
    text = part_text(part, raw)
    return raw[part.body_start : part.end].decode("utf-8", "replace") if text is None else text


def _disposition(part: MimePart) -> tuple[bytes | None, list[tuple[bytes, bytes]]]:
    value = part.headers.get("content-disposition")
    if value is None:
        return None, []
    kind, params = split_parameters(value)
    return kind.lower(), params


def _rfc2231(value: bytes) -> str:
    """RFC 2231 4: ``charset'language'percent-encoded text``."""
    charset, quote, rest = value.partition(b"'")
    if not quote:
        charset, rest = b"utf-8", value
    text = rest.partition(b"'")[2] if b"'" in rest else rest
    return decode_text(unquote_to_bytes(text), (charset or b"utf-8").decode("ascii", "replace"), "utf-8")


def filename(part: MimePart, disposition_params: list[tuple[bytes, bytes]]) -> str | None:
    """The Content-Disposition ``filename``, else the Content-Type ``name`` (RFC 2183 2.3; RFC 2231 or
    RFC 2047 encoded)."""
    for params, key in ((disposition_params, b"filename"), (part.params, b"name")):
        for name, value in params:
            lowered = name.lower()
            if lowered == key + b"*":
                return _rfc2231(value)
            if lowered == key:
                return decode_words(value)
    return None


def _decoded_size(part: MimePart, raw: bytes) -> int:
    """The size of the content once its transfer encoding is undone (what BINARY[n] serves)."""
    encoding = part.headers.get("content-transfer-encoding")
    if encoding is None or part.message is not None:
        return part.body_size
    try:
        return len(decode_transfer_encoding(split_parameters(encoding)[0], raw[part.body_start : part.end]))
    except UnknownTransferEncoding:
        return part.body_size


def _attachment(part: MimePart, raw: bytes) -> Attachment:
    kind, params = _disposition(part)
    content_id = part.headers.get("content-id")
    return Attachment(
        filename=filename(part, params),
        content_type=(part.type + b"/" + part.subtype).decode("latin-1").lower(),
        size=_decoded_size(part, raw),
        content_id=None if content_id is None else decode_words(content_id),
        inline=kind == b"inline",
    )


def _headers(parsed: ParsedMessage) -> list[Header]:
    """Every top-level field in order: its name as sent, its value unfolded and decoded."""
    raw = parsed.raw
    return [
        Header(
            name=raw[field.start : field.start + len(field.name)].decode("latin-1"),
            value=decode_words(field.value),
        )
        for field in message_headers(parsed).fields
    ]


def detail(mailbox: Mailbox, message: Message) -> Detail:
    parsed = message.parsed
    raw = parsed.raw
    fields = _fields(parsed)
    tree = mime_tree(parsed)
    text_part = first_text(tree, b"plain")
    html_part = first_text(tree, b"html")
    attachments = [_attachment(part, raw) for part in attachment_parts(parsed)]
    # Every field of the summary stands in the details too, with the same value.
    return Detail(
        **msgspec.structs.asdict(summary(mailbox, message)),
        cc=fields.cc,
        message_id=fields.message_id,
        headers=_headers(parsed),
        text=_text(text_part, raw),
        html=_text(html_part, raw),
        attachments=attachments,
    )
