"""A message's MIME parts as the message page shows them: a numbered tree, and any one part's content.

Parts are numbered as IMAP numbers body sections (RFC 9051 6.4.5: ``1``, ``1.2``...); the page parses the
one message it shows with the standard library, which also undoes transfer encodings and charsets.
"""

from __future__ import annotations

import base64
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import NamedTuple

from elektromail.http.schemas import Header

_parser = BytesParser(policy=policy.default)
# RFC 2392: cid:<content-id without angle brackets>, as it appears in src="..." or url(...).
_CID_URL = re.compile(r"cid:([^\s\"'()<>]+)", re.IGNORECASE)
# Only images go into data: URLs; the type is the part's own, checked to be a plain token.
_IMAGE_TYPE = re.compile(r"^image/[a-z0-9.+-]+$")


class Part(NamedTuple):
    path: str
    content_type: str
    filename: str | None
    disposition: str | None
    content_id: str | None
    size: int
    headers: list[Header]
    children: list[Part]


def parse(raw: bytes) -> EmailMessage:
    message = _parser.parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def field(part: EmailMessage, name: str) -> str | None:
    """One header field's value as text, or None when it is missing or too broken to read."""
    try:
        return _text(part.get(name))
    except Exception:  # the email package raises many kinds while parsing structured fields lazily
        return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    try:
        return str(value)
    except Exception:  # broken encoded words or parameters: show nothing rather than fail the page
        return None


def header_fields(part: EmailMessage) -> list[Header]:
    """Each field of the part's own header, decoded; an undecodable one as it was sent."""
    fields: list[Header] = []
    for name, raw_value in part.raw_items():
        try:
            value = str(policy.default.header_fetch_parse(name, raw_value))
        except Exception:  # the email package raises many kinds on broken encoded words
            value = str(raw_value)
        fields.append(Header(name=name, value=value))
    return fields


def payload(part: EmailMessage) -> bytes:
    """The part's content with its transfer encoding undone (empty for a multipart)."""
    if part.is_multipart():
        return b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _node(part: EmailMessage, path: str) -> Part:
    children: list[Part] = []
    if part.is_multipart():
        for index, child in enumerate(part.iter_parts(), 1):
            assert isinstance(child, EmailMessage)
            children.append(_node(child, f"{path}.{index}" if path else str(index)))
    if not path and not part.is_multipart():
        path = "1"  # a single-part message's body is section 1
    return Part(
        path=path,
        content_type=part.get_content_type(),
        filename=filename(part),
        disposition=part.get_content_disposition(),
        content_id=field(part, "Content-ID"),
        size=len(payload(part)),
        headers=header_fields(part),
        children=children,
    )


def tree(message: EmailMessage) -> Part:
    """The root's path is empty for a multipart (its children are 1, 2, ...) and ``1`` for a single part."""
    return _node(message, "")


def find(message: EmailMessage, path: str) -> EmailMessage | None:
    if not message.is_multipart():
        return message if path == "1" else None
    part = message
    for step in path.split("."):
        if not step.isdigit() or not part.is_multipart():
            return None
        children = list(part.iter_parts())
        index = int(step) - 1
        if not 0 <= index < len(children):
            return None
        child = children[index]
        assert isinstance(child, EmailMessage)
        part = child
    return part


def leaves(root: Part) -> list[Part]:
    if not root.children:
        return [root]
    return [leaf for child in root.children for leaf in leaves(child)]


def inline_cid_images(markup: str, message: EmailMessage) -> str:
    """Replace each ``cid:`` reference to an image part of this message by a ``data:`` URL of its bytes,
    so the body's CSP can allow images from ``data:`` and nothing else."""
    images: dict[str, str] = {}
    for part in message.walk():
        content_id = field(part, "Content-ID")
        content_type = part.get_content_type()
        if content_id and _IMAGE_TYPE.match(content_type) and isinstance(part, EmailMessage):
            encoded = base64.b64encode(payload(part)).decode("ascii")
            images[content_id.strip().strip("<>").lower()] = f"data:{content_type};base64,{encoded}"

    def swap(found: re.Match[str]) -> str:
        return images.get(found.group(1).lower(), found.group(0))

    return _CID_URL.sub(swap, markup) if images else markup


def filename(part: EmailMessage) -> str | None:
    try:
        return _text(part.get_filename())
    except Exception:  # a broken Content-Disposition or Content-Type parameter
        return None
