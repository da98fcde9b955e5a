"""The autologout timer (RFC 9051 5.4): a client silent for IMAP_TIMEOUT seconds gets BYE and the connection
closes; each command starts the wait again, a command that is still arriving counts as silence, and a
long-running command (IDLE) is not cut short by it."""

from __future__ import annotations

import time

from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap, status_of

BYE = b"* BYE autologout: idle for too long"


def _at_eof(raw: RawImap) -> bool:
    return raw.sock.recv(1) == b""


def test_a_silent_client_is_logged_out_after_the_timeout(make_server: ServerFactory) -> None:
    server = make_server(imap_idle_timeout=0.3)
    with RawImap(server.imap_port) as raw:
        started = time.monotonic()
        raw.login()
        time.sleep(0.15)
        assert status_of(raw.command("NOOP")) == b"OK"  # activity moves the deadline on
        noop_done = time.monotonic()
        assert raw.read_response() == BYE
        # uvloop's clock is cached per loop iteration, in milliseconds: allow a little margin.
        assert time.monotonic() - noop_done >= 0.28
        assert time.monotonic() - started >= 0.4
        assert _at_eof(raw)


def test_a_command_left_half_sent_counts_as_silence(make_server: ServerFactory) -> None:
    server = make_server(imap_idle_timeout=0.3)
    with RawImap(server.imap_port) as raw:
        raw.login()
        raw.send(b"t9 APPEND INBOX {20}\r\n")
        assert raw.read_line().startswith(b"+ ")
        raw.send(b"Subject: half\r\n")
        assert raw.read_response() == BYE
        assert _at_eof(raw)
    with RawImap(server.imap_port) as raw:
        raw.login()
        assert b"* 0 EXISTS" in raw.command("SELECT INBOX")  # the half message was not stored


def test_idle_longer_than_one_wait_is_not_cut_short_by_it(make_server: ServerFactory) -> None:
    server = make_server(imap_idle_timeout=0.4)
    with RawImap(server.imap_port) as raw:
        raw.login()
        raw.command("SELECT INBOX")
        raw.send(b"t8 IDLE\r\n")
        assert raw.read_line().startswith(b"+ ")
        time.sleep(0.25)  # IDLE has its own limit of the same length, counted from its start
        raw.send(b"DONE\r\n")
        assert status_of(raw.until_tagged("t8")) == b"OK"
        time.sleep(0.25)  # 0.5 s since the last command was read, but only 0.25 s of waiting for one
        assert status_of(raw.command("NOOP")) == b"OK"
