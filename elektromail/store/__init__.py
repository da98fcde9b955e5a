"""The store: one in-memory :class:`Store` for both backends, with a :class:`Journal` behind it that is
either nothing (the default) or SQLite (``store/sqlite/``)."""

from __future__ import annotations

from elektromail.store.errors import JournalError, StoreError, StoreErrorCode
from elektromail.store.journal import Journal
from elektromail.store.model import FlagMode, now
from elektromail.store.store import Store

__all__ = ["FlagMode", "Journal", "JournalError", "Store", "StoreError", "StoreErrorCode", "now"]
