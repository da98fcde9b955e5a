"""The SQLite schema's forward migrations, numbered by ``PRAGMA user_version``.

Each migration moves a database from version ``n - 1`` to ``n`` and runs in the same transaction as the
``user_version`` bump, so a migration either happens completely or not at all. Migrations are only ever
appended: a released step is never edited, because databases in the field were made with it. A new
database skips them: it is made at once from the current tables (``schema.py``), and a test checks that
both roads lead to the same schema.
"""

from __future__ import annotations

import aiosqlite

# Version 1: accounts, mailboxes with their IMAP counters, messages with their raw bytes, and the
# store-wide counters (next ids, next UIDVALIDITY) that must survive a restart so none is reused.
SCHEMA_V1 = """
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    password TEXT NOT NULL,
    email TEXT
);
CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL,
    subscribed INTEGER NOT NULL,
    selectable INTEGER NOT NULL
);
CREATE TABLE message (
    mailbox_id INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    flags TEXT NOT NULL,
    internal_date TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE UNIQUE INDEX message_by_uid ON message (mailbox_id, uid);
CREATE TABLE counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

# Version 2: subscriptions are a per-account set of names (RFC 9051 6.3.7: a subscription outlives its
# mailbox's DELETE and does not follow a RENAME), so they move out of the mailbox row into their own
# table. Names subscribed under version 1 are carried over.
SCHEMA_V2 = """
CREATE TABLE subscription (
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
INSERT INTO subscription (account_id, name) SELECT account_id, name FROM mailbox WHERE subscribed;
ALTER TABLE mailbox DROP COLUMN subscribed;
"""

# Version 3: mod-sequences (RFC 7162 CONDSTORE): a HIGHESTMODSEQ per mailbox and a MODSEQ per message.
# Existing mailboxes and messages start at 1, the lowest mod-sequence, so every later change is above it.
SCHEMA_V3 = """
ALTER TABLE mailbox ADD COLUMN highest_modseq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE message ADD COLUMN modseq INTEGER NOT NULL DEFAULT 1;
"""

# Version 4: expunged UIDs with the mod-sequence of their expunge (RFC 7162 3.2 QRESYNC, VANISHED
# (EARLIER)). Expunges from before were never written down, so each mailbox notes the HIGHESTMODSEQ from
# which its record is complete; new mailboxes get 0, complete from the start.
SCHEMA_V4 = """
CREATE TABLE expunged (
    mailbox_id INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
ALTER TABLE mailbox ADD COLUMN expunges_known_from INTEGER NOT NULL DEFAULT 0;
UPDATE mailbox SET expunges_known_from = highest_modseq;
"""

# Version 5: how each message arrived (its SMTP envelope and delivery facts) as JSON. Messages stored
# before were not recorded: they keep NULL, which reads as unknown.
SCHEMA_V5 = """
ALTER TABLE message ADD COLUMN provenance BLOB;
"""

# MIGRATIONS[n - 1] takes a database from version n - 1 to version n.
MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    """The database cannot be used by this version; the message says why, for the operator."""


async def user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    version: int = rows[0][0]
    return version


async def table_names(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")
    return {row[0] for row in rows if not str(row[0]).startswith("sqlite_")}


async def migrate(conn: aiosqlite.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Bring the database up to ``len(migrations)``; returns the version it had before.

    The caller holds the write lock (``BEGIN IMMEDIATE`` in exclusive locking mode), so nothing else can
    see a half-migrated database. Raises :class:`SchemaError` for a database this code must not touch.
    """
    version = await user_version(conn)
    target = len(migrations)
    if version > target:
        raise SchemaError(
            f"was written by a newer elektromail (schema version {version}; this version knows up to {target})"
        )
    if version == 0:
        foreign = await table_names(conn)
        if foreign:
            raise SchemaError(f"is an SQLite database of another program (tables: {', '.join(sorted(foreign))})")
    for step in range(version, target):
        await _apply(conn, _statements(migrations[step]), step + 1)
    return version


async def create_or_migrate(conn: aiosqlite.Connection, current: list[str]) -> None:
    """Give an empty database the ``current`` schema in one transaction; migrate any other forward."""
    if await user_version(conn) != 0 or await table_names(conn):
        await migrate(conn)
        return
    await _apply(conn, current, SCHEMA_VERSION)


async def _apply(conn: aiosqlite.Connection, statements: list[str], version: int) -> None:
    """Run ``statements`` and set the schema version in one transaction: all of it happens, or none."""
    await conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            await conn.execute(statement)
        # PRAGMA takes no parameters; the value is an int we computed.
        await conn.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit on its own, outside our transaction)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]
