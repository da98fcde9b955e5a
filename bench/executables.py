"""The built executables against the package they were built from: size, start-up, SMTP and IMAP throughput.

    python -m bench.executables [--binary NAME=PATH ...] [--rounds 3] [--starts 5]

By default it compares ``python -m elektromail`` with whichever of ``dist/elektromail`` (PyInstaller
one-file), ``dist/elektromail-linux-<arch>`` (the same made static by staticx) and
``dist/elektromail-nuitka`` exist. Each round starts every candidate in turn (rotating the order, since
the machine may be shared) and measures:

- start-up: from process start until both SMTP and IMAP greet (median of ``--starts``);
- SMTP: ``smtp-source`` ingest rate, every message counted afterwards over IMAP;
- IMAP: the workloads of ``bench.imap_vs_dovecot`` on freshly APPENDed messages, each the best of
  ``--imap-repeats`` runs (so with the parsed-message caches warm, as in that bench).

It prints the median of every figure and its ratio to the package (above 1.0: faster than the package;
for start-up, below 1.0 is faster).
"""

from __future__ import annotations

import argparse
import asyncio
import imaplib
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.imap_vs_dovecot import measure, standard_workloads
from bench.servers import (
    PACKAGE_COMMAND,
    ROOT,
    Ports,
    free_port,
    greets,
    run_elektromail,
    start_elektromail,
    stop_process,
)
from bench.smtp_ingest import RECIPIENT_USER, smtp_source

START_TIMEOUT = 15.0
STARTUP = "start-up to ready                               s"
SMTP = "SMTP ingest (smtp-source)                   msg/s"


def default_candidates() -> dict[str, Sequence[str]]:
    dist = ROOT / "dist"
    builds = {
        "pyinstaller": dist / "elektromail",
        "staticx": dist / f"elektromail-linux-{platform.machine()}",
        "nuitka": dist / "elektromail-nuitka",
    }
    candidates: dict[str, Sequence[str]] = {"package": PACKAGE_COMMAND}
    candidates.update({name: [str(path)] for name, path in builds.items() if path.exists()})
    return candidates


def startup_seconds(command: Sequence[str]) -> float:
    """Seconds from process start until both listeners greet (polled every 2 ms)."""
    ports = Ports(smtp=free_port(), imap=free_port())
    started = time.perf_counter()
    process = start_elektromail(command, ports)
    try:
        pending = [(ports.smtp, b"220"), (ports.imap, b"* OK")]
        while pending:
            if process.poll() is not None or time.perf_counter() - started > START_TIMEOUT:
                raise RuntimeError(f"{' '.join(command)} did not start")
            if greets(*pending[0]):
                pending.pop(0)
            else:
                time.sleep(0.002)
        return time.perf_counter() - started
    finally:
        stop_process(process)


def delivered(port: int, user: str) -> int:
    """Messages in the INBOX of an account created on delivery (its password is its name)."""
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    try:
        imap.login(user, user)
        typ, data = imap.status("INBOX", "(MESSAGES)")
        if typ != "OK" or not isinstance(data[0], bytes):
            raise RuntimeError(f"STATUS failed: {data!r}")
        return int(data[0].rsplit(b"MESSAGES ", 1)[1].rstrip(b")"))
    finally:
        imap.logout()


def one_round(command: Sequence[str], args: argparse.Namespace) -> dict[str, float]:
    """Every figure for one candidate: start-up, then SMTP and IMAP on one server process."""
    figures = {STARTUP: statistics.median(startup_seconds(command) for _ in range(args.starts))}
    with run_elektromail(command) as ports:
        elapsed = smtp_source(ports.smtp, args.sessions, args.smtp_messages, args.length)
        stored = delivered(ports.imap, RECIPIENT_USER)
        if stored != args.smtp_messages:
            raise SystemExit(f"{' '.join(command)} stored {stored} of {args.smtp_messages} messages")
        figures[SMTP] = args.smtp_messages / elapsed
        workloads = standard_workloads(args.imap_sessions)
        figures.update(asyncio.run(measure(ports.imap, workloads, args.imap_messages, args.imap_repeats)))
    return figures


def parse_binaries(values: list[str]) -> dict[str, Sequence[str]]:
    candidates: dict[str, Sequence[str]] = {"package": PACKAGE_COMMAND}
    for value in values:
        name, separator, path = value.partition("=")
        if not separator or not Path(path).is_file():
            raise SystemExit(f"--binary {value}: expected NAME=PATH to an executable")
        candidates[name] = [str(Path(path).resolve())]
    return candidates


def size(command: Sequence[str]) -> str:
    """The executable's size; "-" for the package and for Python scripts (a venv's console script)."""
    path = Path(command[0])
    if command == PACKAGE_COMMAND or path.read_bytes()[:4] != b"\x7fELF":
        return "-"
    return f"{path.stat().st_size / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--starts", type=int, default=5, help="start-up samples per round")
    parser.add_argument("--sessions", type=int, default=20, help="smtp-source sessions")
    parser.add_argument("--smtp-messages", type=int, default=3000)
    parser.add_argument("--length", type=int, default=4096, help="smtp-source message length")
    parser.add_argument("--imap-messages", type=int, default=2000)
    parser.add_argument("--imap-sessions", type=int, default=50)
    parser.add_argument("--imap-repeats", type=int, default=3, help="IMAP figures are the best of these runs")
    args = parser.parse_args()
    if shutil.which("smtp-source") is None:
        print("smtp-source not found: install the Debian package postfix", file=sys.stderr)
        return 1
    candidates = parse_binaries(args.binary) if args.binary else default_candidates()
    if len(candidates) < 2:
        print("no executable found under dist/: build one (build/pyinstaller.sh, build/nuitka.sh)", file=sys.stderr)
        return 1
    results: dict[str, dict[str, list[float]]] = {name: {} for name in candidates}
    names = list(candidates)
    for round_number in range(args.rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            for figure, value in one_round(candidates[name], args).items():
                results[name].setdefault(figure, []).append(value)
            print(f"  round {round_number + 1}: {name} done", flush=True)
    medians = {name: {figure: statistics.median(values) for figure, values in results[name].items()} for name in names}
    print(f"\nmedians of {args.rounds} rounds; in brackets: ratio to the package")
    print(f"{'':<50}" + "".join(f"{name:>22}" for name in names))
    print(f"{'size':<50}" + "".join(f"{size(candidates[name]):>22}" for name in names))
    for figure in medians["package"]:
        base = medians["package"][figure]
        cells = [f"{medians[name][figure]:.3f} ({medians[name][figure] / base:.2f})" for name in names]
        if figure != STARTUP:
            cells = [f"{medians[name][figure]:.0f} ({medians[name][figure] / base:.2f})" for name in names]
        print(f"{figure:<50}" + "".join(f"{cell:>22}" for cell in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
