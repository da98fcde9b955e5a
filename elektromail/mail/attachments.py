"""Which parts of a message are its attachments: what the HTTP detail lists and ``has:attachment`` finds.

Every leaf (an encapsulated message counts as one) except the text the message is read as (its first
text/plain and first text/html part that is not marked an attachment, see :mod:`elektromail.mail.preview`),
and except a single-part message's own body unless it carries a Content-Disposition.
"""

from __future__ import annotations

from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree
from elektromail.mail.preview import first_text


def leaves(part: MimePart) -> list[MimePart]:
    """The parts that are not multiparts, depth first; an encapsulated message is one part."""
    if not part.children:
        return [part]
    return [leaf for child in part.children for leaf in leaves(child)]


def attachment_parts(parsed: ParsedMessage) -> list[MimePart]:
    tree = mime_tree(parsed)
    text_part = first_text(tree, b"plain")
    html_part = first_text(tree, b"html")
    return [
        part
        for part in leaves(tree)
        if part is not text_part
        and part is not html_part
        and (part is not tree or part.headers.get("content-disposition") is not None)
    ]


def has_attachments(parsed: ParsedMessage) -> bool:
    """Cached: searches ask it of every message."""
    found: bool | None = parsed.cache.get("has_attachments")
    if found is None:
        found = parsed.cache["has_attachments"] = bool(attachment_parts(parsed))
    return found
