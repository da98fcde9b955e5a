"""The process as users run it: help, version, start-up errors, listener log lines, graceful stop."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from elektromail import __version__
from elektromail.config import SETTINGS
from tests.integration.process import ServerProcess, connect_greeted, read_until_closed, run_cli


def test_help_lists_every_variable_with_its_default() -> None:
    result = run_cli(["--help"], {})
    assert result.returncode == 0
    for setting in SETTINGS:
        assert setting.env in result.stdout
        assert setting.flag in result.stdout


def test_version() -> None:
    result = run_cli(["--version"], {})
    assert result.returncode == 0
    assert result.stdout.strip() == f"elektromail {__version__}"


def test_console_script_is_installed() -> None:
    script = shutil.which("elektromail")
    assert script is not None, "the elektromail console script is not on PATH (pip install the package)"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=30, check=False)
    assert result.stdout.strip() == f"elektromail {__version__}"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SMTP_PORT": "abc"}, "SMTP_PORT: 'abc' is not a port number"),
        ({"IMAP_PORT": "70000"}, "IMAP_PORT: 70000 is out of range"),
        ({"ELEKTROMAIL_USERS": "nopassword"}, "ELEKTROMAIL_USERS: entry 'nopassword'"),
        ({"ELEKTROMAIL_AUTH_DISABLED": "perhaps"}, "ELEKTROMAIL_AUTH_DISABLED: 'perhaps' is not a boolean"),
    ],
)
def test_bad_setting_exits_2_with_one_line(env: dict[str, str], expected: str) -> None:
    result = run_cli([], env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_flag_exits_2() -> None:
    result = run_cli(["--smtp-prot", "25"], {})
    assert result.returncode == 2
    assert "--smtp-prot: unknown option" in result.stderr


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli([], {"BIND_ADDR": "127.0.0.1", "SMTP_PORT": "0", "IMAP_PORT": str(port)})
    assert result.returncode == 2
    assert f"IMAP_PORT: port {port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_each_listener_then_ready() -> None:
    with ServerProcess() as server:
        assert set(server.ports) >= {"SMTP", "IMAP"}
        assert all(port > 0 for port in server.ports.values())
        ready_index = next(i for i, line in enumerate(server.log) if "elektromail ready" in line)
        listener_lines = [i for i, line in enumerate(server.log) if " listening on 127.0.0.1:" in line]
        assert listener_lines
        assert max(listener_lines) < ready_index
        # uvloop is a dependency: a build (or install) that lost it would run on the slower stdlib loop.
        assert "(event loop: uvloop)" in server.log[ready_index]


def test_a_literal_bind_address_starts_no_resolver_threads() -> None:
    # The loop would resolve even "127.0.0.1" on libuv's thread pool, four threads an idle server never needs.
    # (An executable's runtime may keep a thread of its own: only libuv's workers are looked for.)
    with ServerProcess(env={"HTTP_PORT": "0"}) as server:
        connect_greeted(server.ports["SMTP"], b"220").close()
        names = [name for pid in [server.process.pid, *descendants(server.process.pid)] for name in thread_names(pid)]
    assert names  # the server's own thread at least
    assert "libuv-worker" not in names, names


def thread_names(pid: int) -> list[str]:
    """The names of a process's threads (libuv names its workers ``libuv-worker``)."""
    names = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/comm") as comm:
            names.append(comm.read().strip())
    return names


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (a one-file executable's launcher runs the server as its child)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
    found, pending = [], list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_gracefully_greeting_connected_clients(signum: int) -> None:
    with ServerProcess() as server:
        smtp = connect_greeted(server.ports["SMTP"], b"220")
        imap = connect_greeted(server.ports["IMAP"], b"* OK")
        started = time.monotonic()
        server.signal(signum)
        assert server.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        assert read_until_closed(smtp).startswith(b"421 ")
        assert read_until_closed(imap).startswith(b"* BYE ")
        assert server.process.stderr is not None
        assert "elektromail stopped" in server.process.stderr.read().decode()


def test_healthcheck_reports_listeners_up_then_down() -> None:
    with ServerProcess(env={"HTTP_PORT": "0"}) as server:
        ports = {
            "SMTP_PORT": str(server.ports["SMTP"]),
            "IMAP_PORT": str(server.ports["IMAP"]),
            "HTTP_PORT": str(server.ports["HTTP"]),
            "BIND_ADDR": "127.0.0.1",
        }
        assert run_cli(["healthcheck"], ports).returncode == 0
        assert run_cli(["healthcheck"], {**ports, "HTTP_PORT": "1"}).returncode == 1
    assert run_cli(["healthcheck"], ports).returncode == 1
