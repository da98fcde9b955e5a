"""The links a test looks for in a message: the http(s) URLs of its text and HTML parts, in order.

The text part (the first text/plain that is not an attachment) is read first, then the HTML part: its
``href`` attributes and the URLs written in its text, in document order. A URL is listed once, where it
first appears, so the same link in both alternatives of a multipart/alternative is not repeated.
"""

from __future__ import annotations

import re

from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import mime_tree
from elektromail.mail.preview import INVISIBLE, first_text
from elektromail.mail.text import part_text

_CACHE_KEY = "links"
# Anything up to white space, quotes or angle brackets (RFC 3986 Appendix C: the usual delimiters of a URI
# in text); trailing sentence punctuation is removed afterwards.
_URL = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?*'\""


def _trimmed(url: str) -> str:
    """Without punctuation that ends the sentence around it, or a closing bracket it does not open."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def urls_in_text(text: str) -> list[str]:
    return [url for url in (_trimmed(match) for match in _URL.findall(text)) if len(url) > len("https://")]


# One pass over the markup, token by token: an <a>/<area> tag with its href, any other tag (skipped, so the
# URLs of images and styles are not links), or a URL in the text. Scripts and styles are removed first.
_HTML_TOKEN = re.compile(
    r"""<(?:a|area)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))[^>]*>"""
    r"""|<!--.*?-->|<[^>]*>|(https?://[^\s<>"'`]+)""",
    re.IGNORECASE | re.DOTALL,
)


def urls_in_html(markup: str) -> list[str]:
    import html  # here: its entity table (half a MiB) loads with the first HTML part read for links

    found: list[str] = []
    for match in _HTML_TOKEN.finditer(INVISIBLE.sub(" ", markup)):
        href = match.group(1) or match.group(2) or match.group(3)
        if href is not None:
            url = html.unescape(href).strip()
            if _URL.match(url):
                found.append(url)
        elif match.group(4) is not None:
            found.extend(urls_in_text(html.unescape(match.group(4))))
    return found


def links(parsed: ParsedMessage) -> list[str]:
    """The message's links (cached on the message: it is parsed once, whoever asks)."""
    cached: list[str] | None = parsed.cache.get(_CACHE_KEY)
    if cached is None:
        cached = _find(parsed)
        parsed.cache[_CACHE_KEY] = cached
    return cached


def _find(parsed: ParsedMessage) -> list[str]:
    tree = mime_tree(parsed)
    found: list[str] = []
    plain = first_text(tree, b"plain")
    if plain is not None:
        found += urls_in_text(part_text(plain, parsed.raw) or "")
    markup = first_text(tree, b"html")
    if markup is not None:
        found += urls_in_html(part_text(markup, parsed.raw) or "")
    return list(dict.fromkeys(found))
