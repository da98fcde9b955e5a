"""The command line with ``--db``: a good database starts and restarts; a bad one exits 2 with the reason."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from tests.persistence import RunningServer, damage, run_cli, unwritable

EXIT_USAGE = 2


def make_database(path: Path) -> None:
    """A real database, written by the server itself."""
    server = RunningServer(path, "--users", "user:pass,bob:secret")
    assert server.terminate() == 0


def set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def assert_refused(result_code: int, stderr: str, *words: str) -> None:
    assert result_code == EXIT_USAGE, stderr
    lines = [line for line in stderr.splitlines() if "ELEKTROMAIL_DB:" in line]
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], stderr
    assert "Traceback" not in stderr


def test_users_are_stored_and_not_seeded_twice(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    make_database(path)
    make_database(path)
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM account ORDER BY id")]
        inboxes = conn.execute("SELECT count(*) FROM mailbox WHERE name = 'INBOX'").fetchone()[0]
    finally:
        conn.close()
    assert names == ["user", "bob"]
    assert inboxes == 2


def test_seed_address_owned_by_a_stored_user_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    server = RunningServer(path, "--users", "user:pass", "--http-port", "0")
    try:
        created = httpx.post(
            f"http://127.0.0.1:{server.ports['HTTP']}/users",
            json={"name": "erin", "password": "pw", "email": "erin@corp.example"},
            timeout=10,
        )
        assert created.status_code == 201
    finally:
        assert server.terminate() == 0
    result = run_cli(path, ["--users", "user:pass,bob:Erin@corp.example:pw"])
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "ELEKTROMAIL_USERS: email address 'Erin@corp.example' belongs to user 'erin'" in result.stderr
    assert "Traceback" not in result.stderr


def test_newer_schema_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    make_database(path)
    set_user_version(path, 999)
    result = run_cli(path)
    assert_refused(result.returncode, result.stderr, str(path), "newer", "999")


def test_corrupt_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    make_database(path)
    damage(path, 0, 100)  # the header: SQLite no longer recognises the file
    result = run_cli(path)
    assert_refused(result.returncode, result.stderr, str(path), "corrupt")


def test_read_only_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    make_database(path)
    with unwritable(path):
        result = run_cli(path)
    assert_refused(result.returncode, result.stderr, str(path), "read-only")


def test_locked_file_exits_2_and_the_owner_keeps_running(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    owner = RunningServer(path)
    try:
        result = run_cli(path)
        assert_refused(result.returncode, result.stderr, str(path), "locked")
        assert owner.process.poll() is None
    finally:
        assert owner.terminate() == 0
