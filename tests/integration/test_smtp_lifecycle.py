"""Connection lifecycle: idle timeout, 421 when the server stops, start-up errors, and swaks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.external import require_own_process
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host

REPOSITORY = Path(__file__).resolve().parents[2]


def test_idle_client_gets_421_and_is_closed(make_server: ServerFactory) -> None:
    server = make_server(smtp_idle_timeout=0.3)
    with Wire(server.smtp_port) as wire:
        started = time.monotonic()
        assert wire.code("EHLO c.example") == 250
        time.sleep(0.15)
        assert wire.code("NOOP") == 250  # activity moves the deadline on
        assert wire.reply() == (421, replies.IDLE_TIMEOUT.message)
        # Without the NOOP the close would come at 0.3 s; with it, at 0.45 s. The margin allows for the
        # event loop's millisecond clock (uvloop caches the time once per loop iteration).
        assert time.monotonic() - started >= 0.4
        assert wire.at_eof()


def test_idle_connections_each_keep_their_own_deadline(make_server: ServerFactory) -> None:
    server = make_server(smtp_idle_timeout=0.3)
    with Wire(server.smtp_port) as first:
        started = time.monotonic()
        time.sleep(0.2)
        with Wire(server.smtp_port) as second:
            assert first.reply() == (421, replies.IDLE_TIMEOUT.message)
            first_closed = time.monotonic() - started
            assert second.code("NOOP") == 250  # the first one's timeout left the second alone
            assert second.reply() == (421, replies.IDLE_TIMEOUT.message)
            second_closed = time.monotonic() - started
            assert first.at_eof()
            assert second.at_eof()
    assert 0.29 <= first_closed < second_closed
    assert second_closed >= 0.49  # 0.3 s after the NOOP, which came after the first one's 421
    with Wire(server.smtp_port) as third:  # every watched connection is gone: a new one is still watched
        assert third.reply() == (421, replies.IDLE_TIMEOUT.message)


def test_idle_timeout_also_applies_inside_data(make_server: ServerFactory) -> None:
    server = make_server(smtp_idle_timeout=0.3)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        wire.command("RCPT TO:<user@example.com>")
        assert wire.code("DATA") == 354
        wire.send(b"Subject: half a message\r\n")
        assert wire.reply() == (421, replies.IDLE_TIMEOUT.message)
        assert wire.at_eof()
    assert stored(server, "user") == []


def test_connected_client_sees_421_when_the_server_stops(make_server: ServerFactory) -> None:
    server = make_server()
    with Wire(server.smtp_port) as first, Wire(server.smtp_port) as second:
        first.command("EHLO c.example")
        second.command("MAIL FROM:<a@b.example>")
        server.stop()
        assert first.reply() == (421, replies.SHUTTING_DOWN.message)
        assert second.reply() == (421, replies.SHUTTING_DOWN.message)
        assert first.at_eof()
        assert second.at_eof()


def _environment(**extra: str) -> dict[str, str]:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), **extra}
    return environment


def test_invalid_dsn_rules_exit_2_with_one_line() -> None:
    require_own_process()
    completed = subprocess.run(
        [sys.executable, "-m", "elektromail", "--smtp-port", "0", "--imap-port", "0", "--bind", "127.0.0.1"],
        env=_environment(ELEKTROMAIL_DSN_RULES='[{"action": "vanish"}]'),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("elektromail: ELEKTROMAIL_DSN_RULES: ")
    assert "vanish" in lines[0]


def test_swaks_sends_successfully(make_server: ServerFactory) -> None:
    server = make_server()
    completed = subprocess.run(
        [
            "swaks",
            "--server", client_host(),
            "--port", str(server.smtp_port),
            "--from", "swaks@example.com",
            "--to", "user+swaks@example.com",
            "--auth", "PLAIN",
            "--auth-user", "user",
            "--auth-password", "pass",
            "--header", "Subject: from swaks",
            "--body", "hello from swaks",
            "--pipeline",
            "--timeout", "10",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (message,) = stored(server, "user")
    assert b"Subject: from swaks\r\n" in message
    assert b"hello from swaks" in message
