"""elektromail itself: the package (in memory and on SQLite) and the executables when built under dist/."""

from __future__ import annotations

import importlib.metadata
import platform
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench.model import Endpoint, Peer, StartOptions
from bench.peers.counting import http_post, imap_count
from bench.processes import PYTHON, ROOT, free_port, spawn, stop_process, wait_ready

PACKAGE = (PYTHON, "-m", "elektromail")
DIST = ROOT / "dist"
BUILDS = {
    "elektromail-static": (DIST / f"elektromail-linux-{platform.machine()}", "build/pyinstaller.sh"),
    "elektromail-nuitka": (DIST / "elektromail-nuitka", "build/nuitka.sh"),
}
ALL_GROUPS = frozenset(
    {"smtp", "imap", "scaling", "latency", "startup", "memory", "cycles", "transcripts", "events", "search"}
)


@contextmanager
def run(
    command: Sequence[str], options: StartOptions, sqlite: bool = False, env: Mapping[str, str] | None = None
) -> Iterator[Endpoint]:
    ports = {"smtp": free_port(), "imap": free_port()}
    arguments = ["--smtp-port", str(ports["smtp"]), "--imap-port", str(ports["imap"]), "--bind", "127.0.0.1"]
    arguments += ["--users", "user:pass", "--log-level", "warning"]
    if options.http:
        ports["http"] = free_port()
        arguments += ["--http-port", str(ports["http"])]
    if options.max_message_size:
        arguments += ["--max-message-size", str(options.max_message_size)]
    with tempfile.TemporaryDirectory(prefix="bench-elektromail-") as directory:
        if sqlite:
            arguments += ["--db", str(Path(directory) / "mail.db")]
        started = time.perf_counter()
        process = spawn([*command, *arguments], env=env)
        try:
            greetings = [(ports["smtp"], b"220"), (ports["imap"], b"* OK")]
            if options.http:
                greetings.append((ports["http"], b""))
            ready = wait_ready(process, greetings, started, " ".join(command))
            yield Endpoint(
                smtp=ports["smtp"],
                imap=ports["imap"],
                http=ports.get("http"),
                pid=process.pid,
                ready_seconds=ready,
                count=partial(imap_count, ports["imap"], "user", "pass"),
                reset=partial(http_post, f"http://127.0.0.1:{ports['http']}/reset") if options.http else None,
            )
        finally:
            stop_process(process)


def _version(command: Sequence[str]) -> str:
    import subprocess

    completed = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60, check=False)
    return completed.stdout.strip().split()[-1] if completed.stdout.strip() else ""


def _built(path: Path, script: str) -> str | None:
    return None if path.exists() else f"build it with {script} (it then appears as {path.relative_to(ROOT)})"


PACKAGE_PEER = Peer(
    name="elektromail",
    description="elektromail, the package (python -m elektromail), in memory",
    groups=ALL_GROUPS,
    missing=lambda: None,
    start=partial(run, PACKAGE),
    version=partial(importlib.metadata.version, "elektromail"),
)
PEERS = [
    PACKAGE_PEER,
    Peer(
        name="elektromail-sqlite",
        description="elektromail, the package, every message committed to SQLite before its reply",
        # Not in "memory": it holds the same model in memory, and filling a database with 1 GB takes long.
        groups=frozenset({"smtp", "imap", "startup"}),
        missing=lambda: None,
        start=partial(run, PACKAGE, sqlite=True),
        version=partial(importlib.metadata.version, "elektromail"),
    ),
    *(
        Peer(
            name=name,
            description=f"elektromail, {path.name} under dist/",
            groups=frozenset({"smtp", "imap", "latency", "startup", "memory", "cycles"}),
            missing=partial(_built, path, script),
            start=partial(run, (str(path),)),
            version=partial(_version, (str(path),)),
        )
        for name, (path, script) in BUILDS.items()
    ),
]
