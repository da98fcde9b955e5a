"""Servers as separate processes on loopback ports: start, wait until they greet, measure memory, stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20.0
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def greets(port: int, greeting: bytes) -> bool:
    """True if a server listens on ``port`` and its first bytes start with ``greeting`` (an empty greeting:
    it accepts connections, as HTTP servers do without a word)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            return not greeting or sock.recv(100).startswith(greeting)
    except OSError:
        return False


def spawn(
    command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a server; what it writes to stderr is kept in a file, to explain a failed start."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop_process)
    process = subprocess.Popen(list(command), env=environment, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
    _stderr[process.pid] = errors
    return process


_stderr: dict[int, IO[bytes]] = {}


def _last_words(process: subprocess.Popen[bytes]) -> str:
    errors = _stderr.get(process.pid)
    if errors is None:
        return ""
    errors.seek(0)
    text = errors.read()[-600:].decode("utf-8", "replace").strip()
    return f": {text}" if text else ""


def wait_ready(
    process: subprocess.Popen[bytes], greetings: Sequence[tuple[int, bytes]], started: float, what: str
) -> float:
    """Seconds from ``started`` until every (port, greeting) answers, polled every 2 ms."""
    pending = list(greetings)
    while pending:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with status {process.returncode} before it was ready{_last_words(process)}"
            )
        if time.perf_counter() - started > START_TIMEOUT:
            raise RuntimeError(f"{what} was not ready after {START_TIMEOUT:.0f} s")
        if greets(*pending[0]):
            pending.pop(0)
        else:
            time.sleep(0.002)
    return time.perf_counter() - started


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the server has not gone within five seconds. SIGTERM first matters for the
    one-file executables: SIGKILL would end only their launcher and leave the server running."""
    errors = _stderr.pop(process.pid, None)
    if errors is not None:
        errors.close()
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Dovecot's and the one-file executables' children count too)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int) -> float:
    """Resident memory of the process and its children, in MiB (shared pages count once per process)."""
    return sum(_status_kib(p, "VmRSS") for p in descendants(pid)) / 1024


def peak_rss_mib(pid: int) -> float:
    """The high-water mark of resident memory of the process and its children, in MiB."""
    return sum(_status_kib(p, "VmHWM") for p in descendants(pid)) / 1024


PYTHON = sys.executable


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by the process and its descendants, every thread, user and system together,
    with the children they have already waited for (a Dovecot master reaps its finished imap and login
    processes, whose work would otherwise vanish from the count).

    The living threads are read from ``/proc/<pid>/task/<tid>/schedstat`` (nanoseconds on the CPU), which
    resolves the few milliseconds a burst of work costs; the waited-for children from ``cutime + cstime``
    of ``/proc/<pid>/stat``, which is all the kernel keeps of them (clock ticks, usually 10 ms). Where the
    kernel keeps no schedstat, ``utime + stime`` stand in for the threads. A busy machine stretches wall
    time by whatever else runs, but a process's own CPU time far less, which is why paired comparisons
    read it."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process has gone: its parent's count holds it once it is waited for
        total += (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime
        try:
            threads = list(Path(f"/proc/{process}/task").iterdir())
            total += sum(int((thread / "schedstat").read_text().split()[0]) for thread in threads) / 1e9
        except (OSError, ValueError, IndexError):
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
