"""The current tables, made at once for a new database, are the tables every older database migrates to."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import get_type_hints

from elektromail.store.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION
from elektromail.store.sqlite.schema import ALL_TABLES, MESSAGE, TABLES, Table, current_schema


def layout(conn: sqlite3.Connection) -> dict[str, object]:
    """Per table: its columns (name, type, NOT NULL, place in the primary key), its indexes and whether it
    has a rowid; column order and defaults left out, as no statement depends on them."""
    found: dict[str, object] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"):
        columns = {(row[1], row[2], bool(row[3]), row[5]) for row in conn.execute(f"PRAGMA table_info({table})")}
        indexes = {
            (row[1], bool(row[2]), tuple(column[2] for column in conn.execute(f"PRAGMA index_info({row[1]})")))
            for row in conn.execute(f"PRAGMA index_list({table})")
            if row[3] == "c"  # made by CREATE INDEX (primary keys are compared through table_info)
        }
        rowid = (
            "WITHOUT ROWID" not in conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
        )
        found[table] = (columns, indexes, rowid)
    return found


def database(path: Path, statements: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.executescript(statement)
    return conn


def test_a_new_database_has_the_tables_every_migration_leads_to(tmp_path: Path) -> None:
    migrated = database(tmp_path / "migrated.db", list(MIGRATIONS))
    created = database(tmp_path / "created.db", current_schema())
    try:
        assert set(layout(created)) == TABLES
        assert layout(created) == layout(migrated)
        assert len(MIGRATIONS) == SCHEMA_VERSION
    finally:
        migrated.close()
        created.close()


def sample(table: Table, seed: int) -> tuple[object, ...]:
    """A row of ``table`` whose values depend on ``seed`` (bools are stored as 0/1, so use ints for them)."""
    hints = get_type_hints(table.row)
    values: list[object] = []
    for column in table.columns:
        hint = hints[column]
        if hint in (int, bool):
            values.append(seed)
        elif bytes in getattr(hint, "__args__", (hint,)):
            values.append(b"%d" % seed)
        else:
            values.append(f"{column} {seed}")
    return tuple(values)


def test_the_statements_of_each_table_write_and_read_its_rows(tmp_path: Path) -> None:
    conn = database(tmp_path / "mail.db", current_schema())
    try:
        for table in ALL_TABLES:
            row = sample(table, 1)
            conn.execute(table.insert, row)
            assert conn.execute(table.select).fetchall() == [row]
            key = tuple(row[table.columns.index(column)] for column in table.key)
            changed = tuple(
                value if column in table.key else sample(table, 2)[index]
                for index, (column, value) in enumerate(zip(table.columns, row, strict=True))
            )
            if table.update:  # the UPDATE takes the same row tuple as the INSERT
                conn.execute(table.update, changed)
                assert conn.execute(table.select).fetchall() == [changed]
            conn.execute(table.replace, row)
            assert conn.execute(table.select).fetchall() == [row]
            conn.execute(table.insert_new, changed)  # the key is taken: nothing changes
            assert conn.execute(table.select).fetchall() == [row]
            conn.execute(table.delete, key)
            assert conn.execute(table.select).fetchall() == []
        conn.execute(MESSAGE.insert, sample(MESSAGE, 1))
        conn.execute(MESSAGE.update_columns("flags", "modseq"), ("[]", 7, 1, 1))
        assert conn.execute("SELECT flags, modseq, raw FROM message").fetchall() == [("[]", 7, b"1")]
    finally:
        conn.close()
