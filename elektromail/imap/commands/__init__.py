"""The IMAP commands, one module per command family. Importing this package registers every command:
add a line here for a new command module."""

from __future__ import annotations

from elektromail.imap.commands import (  # noqa: F401
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
