"""IMAP state that belongs to one server rather than one session; the server's context holds it."""

from __future__ import annotations

from elektromail.imap.engine.selected import RecentClaims


class ImapShared:
    """State shared by every IMAP session of one server (both plain and implicit-TLS listeners)."""

    __slots__ = ("recent",)

    def __init__(self) -> None:
        self.recent = RecentClaims()
