"""Importing this module registers every IMAP command: add a line here for a new command module."""

from __future__ import annotations

from elektromail.imap import (  # noqa: F401
    any_state,
    append,
    authentication,
    condstore,
    copy_move,
    enable,
    expunge,
    fetch,
    idle,
    listing,
    mailboxes,
    qresync,
    quota,
    search,
    selected_state,
    sort,
    starttls,
    store_flags,
    thread,
)
