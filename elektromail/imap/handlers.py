"""Importing this module registers every IMAP command: add a line here for a new command module."""

from __future__ import annotations

from elektromail.imap import (  # noqa: F401
    any_state,
    append,
    authentication,
    enable,
    fetch,
    idle,
    listing,
    mailboxes,
    quota,
    selected_state,
)
