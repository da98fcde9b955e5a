"""Readable views of stored messages for the HTTP API: summaries, full details and attachments.

The header fields a summary needs are parsed once per message and kept in the message's cache; the full
MIME walk for one message's details is done on request (it is the rare, single-message path).
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

from elektromail.http.schemas import Attachment, Detail, Header, Summary
from elektromail.mail.headers import decode_words
from elektromail.mail.links import links
from elektromail.mail.message import ParsedMessage
from elektromail.store.model import Mailbox, Message

_SUMMARY_CACHE_KEY = "http.summary_headers"
# compat32 header parsing is about 25 times faster than policy.default; summaries only need addresses
# (no display names) and a decoded subject, which decode_header provides.
_header_parser = BytesHeaderParser(policy=policy.compat32)
_parser = BytesParser(policy=policy.default)


class _SummaryHeaders:
    __slots__ = ("from_", "to", "subject", "date")

    def __init__(self, from_: str | None, to: list[str], subject: str | None, date: str | None) -> None:
        self.from_ = from_
        self.to = to
        self.subject = subject
        self.date = date


def _utf8(text: str) -> str:
    """compat32 reads 8-bit header octets as surrogate escapes; RFC 6532 says they are UTF-8."""
    if text.isascii() or not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _text(value: object) -> str | None:
    """A header value as text; malformed encodings come back as their raw text, never an exception."""
    if value is None:
        return None
    try:
        return str(value)
    except Exception:  # the email package raises many kinds on broken headers
        return None


def _field(part: EmailMessage, name: str) -> str | None:
    """A structured field is parsed when read; a broken one (``Message-ID: <<b>@x>``) reads as missing."""
    try:
        return _text(part.get(name))
    except Exception:  # the email package raises many kinds on broken headers
        return None


def _filename(part: EmailMessage) -> str | None:
    try:
        return _text(part.get_filename())
    except Exception:
        return None


def _all_fields(part: EmailMessage, name: str) -> list[str] | None:
    try:
        return [_utf8(str(value)) for value in part.get_all(name) or ()]
    except Exception:
        return None


def _decoded(value: str | None) -> str | None:
    """An unstructured header: unfolded, RFC 2047 words decoded, raw 8-bit text read as UTF-8."""
    if value is None:
        return None
    raw = value.encode("utf-8", "surrogateescape")  # back to the octets compat32 read
    # RFC 5322 2.2.3: unfolding removes the line breaks and keeps the white space after them.
    return decode_words(raw.replace(b"\r\n", b"").replace(b"\n", b"")).strip()


def _addresses(values: list[str] | None) -> list[str]:
    if not values:
        return []
    try:
        pairs = getaddresses([_utf8(str(value)) for value in values])
    except Exception:
        return [_utf8(str(value)) for value in values]
    return [address for _, address in pairs if address]


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _first_address(values: list[str] | None) -> str | None:
    addresses = _addresses(values)
    return addresses[0] if addresses else None


def _summary_headers(parsed: ParsedMessage) -> _SummaryHeaders:
    cached = parsed.cache.get(_SUMMARY_CACHE_KEY)
    if isinstance(cached, _SummaryHeaders):
        return cached
    # raw_items: the values as read, where 8-bit octets are still surrogate escapes (get() would turn
    # them into replacement characters before _utf8 could read them as UTF-8).
    fields: dict[str, list[str]] = {}
    for name, value in _header_parser.parsebytes(parsed.header).raw_items():
        fields.setdefault(name.lower(), []).append(value)
    result = _SummaryHeaders(
        _first_address(fields.get("from")),
        _addresses(fields.get("to")),
        _decoded(_first(fields.get("subject"))),
        _decoded(_first(fields.get("date"))),
    )
    parsed.cache[_SUMMARY_CACHE_KEY] = result
    return result


def summary(mailbox: Mailbox, message: Message) -> Summary:
    headers = _summary_headers(message.parsed)
    return Summary(
        id=mailbox.message_id(message.uid),
        uid=message.uid,
        user=mailbox.account.name,
        mailbox=mailbox.name,
        from_=headers.from_,
        to=headers.to,
        subject=headers.subject,
        date=headers.date,
        internal_date=message.internal_date,
        flags=sorted(message.flags),
        size=message.size,
        links=links(message.parsed),
    )


def _decoded_text(part: EmailMessage) -> str | None:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return content if isinstance(content, str) else None


def _payload_size(part: EmailMessage) -> int:
    payload = part.get_payload(decode=True)
    return len(payload) if isinstance(payload, bytes) else 0


def _headers(parsed: EmailMessage) -> list[Header]:
    headers: list[Header] = []
    for name, raw_value in parsed.raw_items():
        try:
            value = str(policy.default.header_fetch_parse(name, raw_value))
        except Exception:  # undecodable encoded-words: show the field as it was sent
            value = str(raw_value)
        headers.append(Header(name=name, value=value))
    return headers


def detail(mailbox: Mailbox, message: Message) -> Detail:
    parsed = _parser.parsebytes(message.raw)
    assert isinstance(parsed, EmailMessage)
    head = _summary_headers(message.parsed)
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    for part in parsed.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        if disposition != "attachment" and content_type == "text/plain" and text is None:
            text = _decoded_text(part)
        elif disposition != "attachment" and content_type == "text/html" and html is None:
            html = _decoded_text(part)
        elif part is not parsed or disposition is not None:
            attachments.append(
                Attachment(
                    filename=_filename(part),
                    content_type=content_type,
                    size=_payload_size(part),
                    content_id=_field(part, "Content-ID"),
                    inline=disposition == "inline",
                )
            )
    return Detail(
        id=mailbox.message_id(message.uid),
        uid=message.uid,
        user=mailbox.account.name,
        mailbox=mailbox.name,
        from_=head.from_,
        to=head.to,
        cc=_addresses(_all_fields(parsed, "Cc")),
        subject=head.subject,
        date=head.date,
        message_id=_field(parsed, "Message-ID"),
        internal_date=message.internal_date,
        flags=sorted(message.flags),
        size=message.size,
        headers=_headers(parsed),
        text=text,
        html=html,
        attachments=attachments,
        links=links(message.parsed),
    )
