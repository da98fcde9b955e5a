"""ELEKTROMAIL_PRELOAD_DIR: fixtures stored at start, restored by /reset, and bad ones stopping start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from elektromail import ConfigError
from elektromail.preload import read_preload_dir, store_preloaded
from elektromail.store import Store
from tests.conftest import ServerFactory
from tests.external import require_own_process

pytestmark = pytest.mark.timeout(30)
REPO_ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode())


@pytest.fixture
def preload(tmp_path: Path) -> Path:
    root = tmp_path / "preload"
    write(root / "alice" / "INBOX" / "02-second.eml", "Subject: second\r\nFrom: b@example.com\r\n\r\n2\r\n")
    write(root / "alice" / "INBOX" / "01-first.eml", "Subject: first\r\nFrom: a@example.com\r\n\r\n1\r\n")
    write(root / "alice" / "INBOX" / "01-first.eml.meta.json", '{"flags": ["\\\\Seen"]}')
    write(root / "alice" / "Projects" / "Q3" / "plan.eml", "Subject: plan\r\n\r\nplan\r\n")
    write(
        root / "alice" / "Projects" / "Q3" / "plan.eml.meta.json",
        '{"internal_date": "2021-06-07T08:09:10+02:00", "flags": ["$Important"]}',
    )
    write(root / "fresh" / "INBOX" / "hello.eml", "Subject: hello fresh\r\n\r\nhi\r\n")
    return root


def summaries(client: httpx.Client, **params: str) -> list[tuple[str, str, int, str, list[str]]]:
    messages = client.get("/messages", params=params).json()["messages"]
    # Listed newest first; compared in store order.
    return sorted((m["user"], m["mailbox"], m["uid"], m["subject"], m["flags"]) for m in messages)


BASELINE = [
    ("alice", "INBOX", 1, "first", ["\\Seen"]),
    ("alice", "INBOX", 2, "second", []),
    ("alice", "Projects/Q3", 1, "plan", ["$Important"]),
    ("fresh", "INBOX", 1, "hello fresh", []),
]


def test_fixtures_are_stored_at_start_and_restored_by_reset(make_server: ServerFactory, preload: Path) -> None:
    server = make_server(http_port=0, preload_dir=str(preload))
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        assert summaries(client) == BASELINE
        (plan,) = client.get("/messages", params={"user": "alice", "mailbox": "Projects/Q3"}).json()["messages"]
        assert plan["internal_date"] == "2021-06-07T08:09:10+02:00"
        assert "Projects" in [m.name for m in server.server.store.account("alice").mailboxes.values()]  # type: ignore[union-attr]

        client.post("/inject", json={"to": "alice", "subject": "later", "text": "x"}).raise_for_status()
        client.post("/users", json={"name": "temp", "password": "x"}).raise_for_status()
        client.delete("/messages/1", params={"user": "alice"}).raise_for_status()
        assert client.post("/reset").status_code == 200

        assert summaries(client) == BASELINE
        names = {user["name"] for user in client.get("/users").json()}
        assert names == {"user", "alice", "fresh"}
        # The seed password survives a reset; a fixture-only user logs in with its name.
        assert server.server.store.check_password("alice", "wonderland") is not None
        assert server.server.store.check_password("fresh", "fresh") is not None


def test_bad_sidecar_stops_start_up(make_server: ServerFactory, preload: Path) -> None:
    bad = preload / "alice" / "INBOX" / "02-second.eml.meta.json"
    write(bad, '{"flags": [1]}')
    with pytest.raises(ConfigError, match=str(bad)):
        make_server(http_port=0, preload_dir=str(preload))


def test_symlink_escape_stops_start_up(make_server: ServerFactory, preload: Path, tmp_path: Path) -> None:
    write(tmp_path / "outside.eml", "Subject: outside\r\n\r\n")
    (preload / "alice" / "INBOX" / "03-link.eml").symlink_to(tmp_path / "outside.eml")
    with pytest.raises(ConfigError, match="points outside the directory"):
        make_server(http_port=0, preload_dir=str(preload))


def test_command_line_exits_2_naming_the_bad_file(preload: Path) -> None:
    require_own_process()
    bad = preload / "fresh" / "INBOX" / "hello.eml.meta.json"
    write(bad, "{oops")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), BIND_ADDR="127.0.0.1")
    result = subprocess.run(
        [sys.executable, "-m", "elektromail", "--smtp-port", "0", "--imap-port", "0", "--preload-dir", str(preload)],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr


async def test_fixtures_already_in_a_kept_store_are_not_stored_twice(preload: Path) -> None:
    fixtures = read_preload_dir(str(preload))
    store = Store()
    assert await store_preloaded(store, fixtures, skip_present=False) == 4
    # A restart over a persistent store: everything is there already, so nothing is added.
    assert await store_preloaded(store, fixtures, skip_present=True) == 0
    # A fixture removed by a test comes back; the others stay single.
    inbox = store.account("alice").inbox  # type: ignore[union-attr]
    await store.expunge(inbox, [1])
    assert await store_preloaded(store, fixtures, skip_present=True) == 1
    assert sorted(m.raw.split(b"\r\n")[0] for m in inbox.messages) == [b"Subject: first", b"Subject: second"]
