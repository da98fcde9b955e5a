"""The preview text of RFC 8970: the start of what a reader would see, for FETCH PREVIEW.

The first text/plain part that is not an attachment, else the first text/html part with its markup
removed; white space collapsed; at most 200 characters (the RFC allows up to 256). A message without
displayable text has an empty preview.
"""

from __future__ import annotations

import re

from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree
from elektromail.mail.text import part_text

PREVIEW_LENGTH = 200
_CACHE_KEY = "preview"
_WHITESPACE = re.compile(r"\s+")
INVISIBLE = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _is_attachment(part: MimePart) -> bool:
    disposition = part.headers.get("content-disposition") or b""
    return disposition.split(b";", 1)[0].strip().lower() == b"attachment"


def first_text(part: MimePart, subtype: bytes) -> MimePart | None:
    """Depth first, in order; an encapsulated message is not this message's own text."""
    if part.children:
        for child in part.children:
            found = first_text(child, subtype)
            if found is not None:
                return found
        return None
    if part.type.lower() == b"text" and part.subtype.lower() == subtype and not _is_attachment(part):
        return part
    return None


def preview(parsed: ParsedMessage) -> str:
    cached: str | None = parsed.cache.get(_CACHE_KEY)
    if cached is None:
        cached = _make(parsed)
        parsed.cache[_CACHE_KEY] = cached
    return cached


def _make(parsed: ParsedMessage) -> str:
    tree = mime_tree(parsed)
    plain = first_text(tree, b"plain")
    if plain is not None:
        text = part_text(plain, parsed.raw) or ""
    else:
        markup = first_text(tree, b"html")
        if markup is None:
            return ""
        import html  # here: its entity table (half a MiB) loads with the first HTML-only preview

        text = html.unescape(_TAG.sub(" ", INVISIBLE.sub(" ", part_text(markup, parsed.raw) or "")))
    text = _WHITESPACE.sub(" ", text).strip()
    return text[:PREVIEW_LENGTH].rstrip()
