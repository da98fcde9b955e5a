"""The current SQLite schema: each table's columns, listed once, and every SQL statement built from them.

A table's row type (a NamedTuple) is the one place its columns are named: the ``CREATE TABLE`` of a new
database, the INSERT, UPDATE, DELETE and SELECT statements, the rows the journal writes and the rows the
loader reads all come from it. Older databases reach the same tables through ``migrations.py``, whose
released steps never change; a test checks that both roads end at the same schema.
"""

from __future__ import annotations

import types
from typing import Any, NamedTuple, get_type_hints

# Column types by Python type: a bool is stored as an INTEGER 0/1.
SQL_TYPES: dict[Any, str] = {int: "INTEGER", bool: "INTEGER", str: "TEXT", bytes: "BLOB"}


class AccountRow(NamedTuple):
    id: int
    name: str
    password: str
    email: str | None


class MailboxRow(NamedTuple):
    id: int
    account_id: int
    name: str
    uid_validity: int
    uid_next: int
    highest_modseq: int
    expunges_known_from: int
    selectable: bool


class SubscriptionRow(NamedTuple):
    account_id: int
    name: str


class MessageRow(NamedTuple):
    mailbox_id: int
    uid: int
    flags: str  # a JSON list of flag names
    internal_date: str  # ISO 8601
    raw: bytes
    modseq: int
    provenance: bytes | None  # the envelope and delivery as JSON (store/provenance.py); None: unknown


class ExpungedRow(NamedTuple):
    mailbox_id: int
    uid: int
    modseq: int


class CounterRow(NamedTuple):
    name: str
    value: int


class Table:
    """One table: its row type, its key, and the SQL derived from them."""

    def __init__(
        self, name: str, row: type[tuple[Any, ...]], key: tuple[str, ...], *, rowid: bool = True, key_index: str = ""
    ) -> None:
        self.name = name
        self.row = row
        self.key = key
        self.columns: tuple[str, ...] = row._fields  # type: ignore[attr-defined]
        self.rowid = rowid
        self.key_index = key_index  # a unique index on the key instead of a PRIMARY KEY (version 1 layout)
        names = ", ".join(self.columns)
        self.select = f"SELECT {names} FROM {name}"
        self.insert = f"INSERT INTO {name} ({names}) VALUES ({', '.join('?' * len(self.columns))})"
        self.replace = self.insert.replace("INSERT", "INSERT OR REPLACE", 1)
        self.insert_new = self.insert.replace("INSERT", "INSERT OR IGNORE", 1)
        # Numbered parameters (?1 is the first column) let an UPDATE take the same row tuple as the INSERT.
        number = {column: index + 1 for index, column in enumerate(self.columns)}
        assignments = ", ".join(f"{column} = ?{number[column]}" for column in self.columns if column not in key)
        where = " AND ".join(f"{column} = ?{number[column]}" for column in key)
        self.update = f"UPDATE {name} SET {assignments} WHERE {where}" if assignments else ""
        self.delete = self.delete_where(*key)

    def update_columns(self, *columns: str) -> str:
        """UPDATE of some columns; parameters: their values, then the key's."""
        self._check(columns)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        return f"UPDATE {self.name} SET {assignments} WHERE " + " AND ".join(f"{c} = ?" for c in self.key)

    def delete_where(self, *columns: str) -> str:
        self._check(columns)
        return f"DELETE FROM {self.name}" + (" WHERE " + " AND ".join(f"{c} = ?" for c in columns) if columns else "")

    def _check(self, columns: tuple[str, ...]) -> None:
        unknown = set(columns) - set(self.columns)
        assert not unknown, f"{self.name} has no column {unknown}"

    def ddl(self) -> list[str]:
        """The statements that create this table as the current version has it."""
        hints = get_type_hints(self.row)
        single_key = self.key[0] if len(self.key) == 1 and not self.key_index else None
        lines = []
        for column in self.columns:
            hint = hints[column]
            nullable = isinstance(hint, types.UnionType) and type(None) in hint.__args__
            python_type = next(arg for arg in hint.__args__ if arg is not type(None)) if nullable else hint
            line = f"{column} {SQL_TYPES[python_type]}"
            if column == single_key:
                line += " PRIMARY KEY"
            elif not nullable:
                line += " NOT NULL"
            lines.append(line)
        if single_key is None and not self.key_index:
            lines.append(f"PRIMARY KEY ({', '.join(self.key)})")
        body = ",\n    ".join(lines)
        statements = [f"CREATE TABLE {self.name} (\n    {body}\n){'' if self.rowid else ' WITHOUT ROWID'}"]
        if self.key_index:
            statements.append(f"CREATE UNIQUE INDEX {self.key_index} ON {self.name} ({', '.join(self.key)})")
        return statements


ACCOUNT = Table("account", AccountRow, ("id",))
MAILBOX = Table("mailbox", MailboxRow, ("id",))
SUBSCRIPTION = Table("subscription", SubscriptionRow, ("account_id", "name"), rowid=False)
MESSAGE = Table("message", MessageRow, ("mailbox_id", "uid"), key_index="message_by_uid")
EXPUNGED = Table("expunged", ExpungedRow, ("mailbox_id", "uid"), rowid=False)
COUNTER = Table("counter", CounterRow, ("name",))

ALL_TABLES = (ACCOUNT, MAILBOX, SUBSCRIPTION, MESSAGE, EXPUNGED, COUNTER)
# The tables a database of the current version holds; anything else at version 0 is not ours.
TABLES = frozenset(table.name for table in ALL_TABLES)


def current_schema() -> list[str]:
    """Every statement that creates a new database at the current version."""
    return [statement for table in ALL_TABLES for statement in table.ddl()]
