"""Why a store write did not happen: refused (:class:`StoreError`) or not durable (:class:`JournalError`).

A refusal is the caller's to fix and names what went wrong in store terms; each protocol maps the code to
its own (IMAP response codes in ``imap/engine/store_errors.py``, HTTP statuses in ``http/app.py``). A
journal failure is the server's: the disk could not take the change, so it must not be acknowledged.
"""

from __future__ import annotations

from enum import Enum


class StoreErrorCode(Enum):
    ALREADY_EXISTS = "already exists"
    NO_SUCH_MAILBOX = "no such mailbox"
    NOT_SELECTABLE = "mailbox holds no messages (\\Noselect)"
    USER_REMOVED = "user was removed"
    INVALID_NAME = "invalid name"
    NOT_ALLOWED = "not allowed"
    HAS_CHILDREN = "mailbox has children"


class StoreError(Exception):
    """A write the store refuses; nothing changed."""

    def __init__(self, code: StoreErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class JournalError(Exception):
    """A change could not be written to ``path``: it must not be acknowledged."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"the database {path} cannot be written: {reason}")
        self.path = path
