"""SQLite persistence (``ELEKTROMAIL_DB``): the one in-memory store, with every change made durable.

``schema`` names each table's columns once, ``migrations`` brings older databases forward, ``load``
opens a database and fills the store from it, and ``journal`` writes every later change.
"""

from __future__ import annotations

from elektromail.store.sqlite.journal import SqliteJournal
from elektromail.store.sqlite.load import SETTING, open_sqlite_store

__all__ = ["SETTING", "SqliteJournal", "open_sqlite_store"]
