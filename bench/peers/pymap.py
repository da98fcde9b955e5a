"""pymap (PyPI), the other asyncio IMAP server, on its in-memory ``dict`` backend."""

from __future__ import annotations

import importlib.metadata
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench.model import Endpoint, Peer, StartOptions
from bench.peers.counting import imap_count
from bench.processes import PYTHON, free_port, spawn, stop_process, wait_ready


def _command() -> list[str]:
    script = Path(PYTHON).parent / "pymap"
    return [str(script)] if script.exists() else [shutil.which("pymap") or "pymap"]


@contextmanager
def run(options: StartOptions) -> Iterator[Endpoint]:
    port = free_port()
    command = [*_command(), "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict"]
    command += ["--demo-user", "user", "--demo-password", "pass"]
    started = time.perf_counter()
    process = spawn(command)
    try:
        ready = wait_ready(process, [(port, b"* OK")], started, "pymap")
        yield Endpoint(imap=port, pid=process.pid, ready_seconds=ready, count=partial(imap_count, port, "user", "pass"))
    finally:
        stop_process(process)


def _missing() -> str | None:
    try:
        importlib.metadata.version("pymap")
    except importlib.metadata.PackageNotFoundError:
        return "pip install pymap (or pip install 'elektromail[bench]')"
    return None


PEERS = [
    Peer(
        name="pymap",
        description="pymap on its in-memory dict backend",
        groups=frozenset({"imap", "startup", "memory"}),
        missing=_missing,
        start=run,
        version=partial(importlib.metadata.version, "pymap"),
    )
]
