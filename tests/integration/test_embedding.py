"""The public embedding API: ``Server`` from async code and ``ServerThread`` from sync code, on port 0."""

from __future__ import annotations

import asyncio
import socket

import pytest

from elektromail import Config, ConfigError, Server, ServerThread
from tests.external import OWN_PROCESS, external_mode

# These tests embed servers in this process; a run pointed at a running server does not test them.
pytestmark = pytest.mark.skipif(external_mode(), reason=OWN_PROCESS)

LOOPBACK = Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1")


async def _greeting(port: int, host: str = "127.0.0.1") -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


async def test_async_context_manager_reports_real_ports() -> None:
    async with Server(LOOPBACK) as server:
        smtp_port, imap_port = server.smtp_port, server.imap_port
        assert smtp_port > 0
        assert imap_port > 0
        assert smtp_port != imap_port
        assert (await _greeting(smtp_port)).startswith(b"220 ")
        assert (await _greeting(imap_port)).startswith(b"* OK")
        assert [account.name for account in server.store.accounts()] == ["user"]
    assert _refuses(smtp_port)
    assert _refuses(imap_port)


def test_thread_runner_for_sync_code() -> None:
    with ServerThread(LOOPBACK) as server:
        with socket.create_connection(("127.0.0.1", server.smtp_port), timeout=5) as sock:
            assert sock.recv(100).startswith(b"220 ")
        port = server.imap_port
    assert _refuses(port)


@pytest.mark.parametrize(("bind", "host"), [("::1", "::1"), ("localhost", "127.0.0.1")])
async def test_listens_on_an_ipv6_literal_and_on_a_name(bind: str, host: str) -> None:
    async with Server(Config(smtp_port=0, imap_port=0, bind_addr=bind)) as server:
        greeting = await _greeting(server.smtp_port, host)
    assert greeting.startswith(b"220 ")


def test_the_port_of_a_listener_that_is_off_says_so() -> None:
    with ServerThread(LOOPBACK) as server:
        with pytest.raises(LookupError) as off:
            _ = server.http_port
        assert not isinstance(off.value, KeyError)
        assert str(off.value) == "this server has no HTTP listener: it is off (see HTTP_PORT) or not started"


def test_thread_runner_reports_start_errors() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        runner = ServerThread(Config(smtp_port=port, imap_port=0, bind_addr="127.0.0.1"))
        with pytest.raises(ConfigError, match=f"SMTP_PORT: port {port} is already in use"):
            runner.start()


async def test_failed_start_releases_ports_already_bound() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        server = Server(Config(smtp_port=free, imap_port=taken, bind_addr="127.0.0.1"))
        with pytest.raises(ConfigError):
            await server.start()
    assert _refuses(free)
