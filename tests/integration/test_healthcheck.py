"""``elektromail healthcheck --host H --wait S``: checking a server elsewhere, and waiting for it to answer."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from elektromail import ServerThread
from elektromail.cli import EXIT_USAGE
from tests.conftest import ServerFactory
from tests.integration.process import ServerProcess, process_env, server_command
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)


def healthcheck(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run the healthcheck with nothing from this environment but what ``args`` say."""
    return subprocess.run(
        [*server_command(), "healthcheck", *args],
        env=process_env({}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def port_flags(server: ServerThread) -> list[str]:
    return ["--smtp-port", str(server.smtp_port), "--imap-port", str(server.imap_port)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_host_names_the_server_to_check(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    flags = [*port_flags(server), "--http-port", str(server.http_port)]
    assert healthcheck("--host", client_host(), *flags).returncode == 0
    assert healthcheck(f"--host={client_host()}", *port_flags(server)).returncode == 0


def test_a_listener_that_is_not_there_fails_the_check(make_server: ServerFactory) -> None:
    server = make_server()
    assert healthcheck("--host", client_host(), *port_flags(server), "--http-port", str(free_port())).returncode == 1


def test_without_host_the_check_stays_on_this_machine() -> None:
    # A server on 127.0.0.2 (still loopback on Linux) is not what BIND_ADDR's default probes.
    with ServerProcess({"BIND_ADDR": "127.0.0.2"}) as process:
        ports = ["--smtp-port", str(process.ports["SMTP"]), "--imap-port", str(process.ports["IMAP"])]
        assert healthcheck(*ports).returncode == 1
        assert healthcheck("--host", "127.0.0.2", *ports).returncode == 0


def test_wait_returns_once_the_server_answers() -> None:
    smtp, imap = free_port(), free_port()
    checking = subprocess.Popen(
        [*server_command(), "healthcheck", "--host", "127.0.0.1", "--wait", "40"],
        env=process_env({"SMTP_PORT": str(smtp), "IMAP_PORT": str(imap)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)  # the check is already trying before the server exists
        assert checking.poll() is None
        with ServerProcess({"SMTP_PORT": str(smtp), "IMAP_PORT": str(imap)}):
            assert checking.wait(45) == 0
    finally:
        if checking.poll() is None:
            checking.kill()
            checking.wait(10)


def test_wait_gives_up_with_1() -> None:
    result = healthcheck("--host", "127.0.0.1", "--smtp-port", str(free_port()), "--wait", "0.5")
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--host"], "--host: needs a value"),
        (["--host="], "--host: needs a host name or address"),
        (["--wait", "soon"], "--wait: 'soon' is not a number of seconds"),
        (["--wait=-1"], "--wait: '-1' is not a number of seconds"),
        (["--smtp-port", "x"], "--smtp-port"),
    ],
)
def test_bad_options_exit_2_naming_them(args: list[str], problem: str) -> None:
    result = healthcheck(*args)
    assert result.returncode == EXIT_USAGE
    assert result.stderr.startswith("elektromail: ")
    assert problem in result.stderr
