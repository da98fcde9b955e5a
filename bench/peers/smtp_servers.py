"""SMTP-only peers: aiosmtpd (asyncio and uvloop), Postfix's smtp-sink (the ceiling) and MailDev (npm)."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench.model import Endpoint, Peer, StartOptions
from bench.peers.counting import http_json_count, http_post, line_count, line_reset
from bench.processes import PYTHON, free_port, spawn, stop_process, wait_ready

SMTP_GROUPS = frozenset({"smtp", "startup", "memory", "cycles"})
# aiosmtpd runs as a script by its path, as a user's own server would: ``-m bench.peers.aiosmtpd_server``
# imported the bench's packages first (every peer module and what they import), 3.4 MiB of its memory
# that was not aiosmtpd's. ``-P``: the script's folder (which holds ``elektromail.py``) is not on sys.path.
AIOSMTPD_SCRIPT = Path(__file__).with_name("aiosmtpd_server.py")


@contextmanager
def _running(command: Sequence[str], greetings: list[tuple[int, bytes]], what: str) -> Iterator[tuple[int, float]]:
    started = time.perf_counter()
    process = spawn(command)
    try:
        yield process.pid, wait_ready(process, greetings, started, what)
    finally:
        stop_process(process)


@contextmanager
def aiosmtpd(uvloop: bool, options: StartOptions) -> Iterator[Endpoint]:
    smtp, count, reset = free_port(), free_port(), free_port()
    command = [PYTHON, "-P", str(AIOSMTPD_SCRIPT), str(smtp), str(count), "--reset-port", str(reset)]
    command += ["--uvloop"] if uvloop else []
    if options.max_message_size:
        command += ["--max-message-size", str(options.max_message_size)]
    with _running(command, [(smtp, b"220"), (count, b"")], "aiosmtpd") as (pid, ready):
        yield Endpoint(
            smtp=smtp,
            pid=pid,
            ready_seconds=ready,
            count=partial(line_count, count),
            reset=partial(line_reset, reset),
        )


@contextmanager
def smtp_sink(options: StartOptions) -> Iterator[Endpoint]:
    smtp = free_port()
    # -u: the user to run as when started by root; 1000: the listen backlog. It keeps nothing to count.
    command = ["smtp-sink", "-u", "nobody", f"127.0.0.1:{smtp}", "1000"]
    with _running(command, [(smtp, b"220")], "smtp-sink") as (pid, ready):
        yield Endpoint(smtp=smtp, pid=pid, ready_seconds=ready)


@contextmanager
def maildev(options: StartOptions) -> Iterator[Endpoint]:
    smtp, web = free_port(), free_port()
    command = ["maildev", "--smtp", str(smtp), "--web", str(web), "--ip", "127.0.0.1", "--web-ip", "127.0.0.1"]
    command += ["--silent", "--max-message-size", str(options.max_message_size or 0)]
    with _running(command, [(smtp, b"220"), (web, b"")], "maildev") as (pid, ready):
        yield Endpoint(
            smtp=smtp,
            pid=pid,
            ready_seconds=ready,
            count=partial(http_json_count, f"http://127.0.0.1:{web}/api/email"),
            reset=partial(http_post, f"http://127.0.0.1:{web}/api/email/all", "DELETE"),
        )


def _aiosmtpd_missing() -> str | None:
    try:
        importlib.metadata.version("aiosmtpd")
    except importlib.metadata.PackageNotFoundError:
        return "pip install aiosmtpd (it is in elektromail's test extra)"
    return None


def _command_missing(command: str, install: str) -> str | None:
    return None if shutil.which(command) else install


def _maildev_version() -> str:
    """From its package.json (starting node only to ask takes seconds)."""
    script = shutil.which("maildev")
    for folder in Path(script).resolve().parents if script else ():
        manifest = folder / "package.json"
        if manifest.exists():
            return str(json.loads(manifest.read_text()).get("version", ""))
    return ""


def _postfix_version() -> str:
    completed = subprocess.run(["postconf", "-d", "mail_version"], capture_output=True, text=True, check=False)
    return completed.stdout.split("=")[-1].strip()


PEERS = [
    Peer(
        name="aiosmtpd",
        description="aiosmtpd on asyncio's loop, a handler keeping every message in a list",
        groups=SMTP_GROUPS,
        missing=_aiosmtpd_missing,
        start=partial(aiosmtpd, False),
        version=partial(importlib.metadata.version, "aiosmtpd"),
    ),
    Peer(
        name="aiosmtpd-uvloop",
        description="the same aiosmtpd server on uvloop",
        groups=SMTP_GROUPS,
        missing=_aiosmtpd_missing,
        start=partial(aiosmtpd, True),
        version=partial(importlib.metadata.version, "aiosmtpd"),
    ),
    Peer(
        name="smtp-sink",
        description="Postfix's smtp-sink: answers SMTP and stores nothing (the ceiling; its mail is not counted)",
        groups=frozenset({"smtp", "startup"}),
        missing=partial(_command_missing, "smtp-sink", "apt-get install postfix"),
        start=smtp_sink,
        version=_postfix_version,
    ),
    Peer(
        name="maildev",
        description="MailDev (npm), in memory",
        groups=SMTP_GROUPS,
        missing=partial(_command_missing, "maildev", "npm install -g maildev"),
        start=maildev,
        version=_maildev_version,
    ),
]
