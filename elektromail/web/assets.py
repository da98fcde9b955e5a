"""The web inbox's static files: package data served under content-hashed names, cached for a year.

A name carries the first hex digits of the file's SHA-256 (``inbox.3fa2c9d1e0.js``), so a page always
refers to the bytes it was rendered with and browsers may keep a file forever. Files are read once, with
importlib.resources, so frozen builds find them as package data.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.resources import files

ASSET_PREFIX = "/web/static/"
# RFC 9111 5.2.2.1 and RFC 8246: a hashed name never changes content.
CACHE_FOREVER = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# What the pages load; licences and the README stay in the package but are not served.
SERVED = ("htmx.min.js", "inbox.js", "inbox.css", "icon.svg")
HASH_DIGITS = 10


class Asset:
    __slots__ = ("name", "hashed_name", "content", "media_type")

    def __init__(self, name: str, content: bytes) -> None:
        stem, dot, suffix = name.rpartition(".")
        digest = hashlib.sha256(content).hexdigest()[:HASH_DIGITS]
        self.name = name
        self.hashed_name = f"{stem}.{digest}{dot}{suffix}"
        self.content = content
        self.media_type = MEDIA_TYPES["." + suffix]


@lru_cache(maxsize=1)
def _assets() -> dict[str, Asset]:
    folder = files("elektromail.web") / "static"
    return {name: Asset(name, (folder / name).read_bytes()) for name in SERVED}


@lru_cache(maxsize=1)
def _by_hashed_name() -> dict[str, Asset]:
    return {asset.hashed_name: asset for asset in _assets().values()}


def url(name: str) -> str:
    """The URL of one served file under its hashed name."""
    return ASSET_PREFIX + _assets()[name].hashed_name


def find(hashed_name: str) -> Asset | None:
    return _by_hashed_name().get(hashed_name)


def served() -> list[Asset]:
    return list(_assets().values())
