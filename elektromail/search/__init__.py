"""Finding messages: the matching IMAP SEARCH and the HTTP query language share, and that language."""

from __future__ import annotations
