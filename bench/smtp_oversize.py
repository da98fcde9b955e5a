"""Peak memory of the server for messages over the size limit, next to one just under it.

Run from the repository root::

    python bench/smtp_oversize.py [--limit-mib 25] [--sizes-mib 24,26,30]

Starts ``python -m elektromail`` with ``--max-message-size`` set to the limit, and for each size sends one
message by DATA from a fresh connection, in 64 KiB writes, then reads the server's peak resident set
(``VmHWM`` in ``/proc/<pid>/status``). Each size gets its own server, so one peak does not hide another.
It prints the peak growth over the idle server, in MiB, and the reply. A message over the limit should
cost the server no more than about the limit itself: its bytes are dropped once the limit is passed.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from bench.servers import PACKAGE_COMMAND, Ports, free_port, stop_process, wait_for_greeting  # noqa: E402
from bench.servers import start_elektromail as start  # noqa: E402

MIB = 1024 * 1024
WRITE = 64 * 1024


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc status")


def reply(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n") or data.split(b"\r\n")[-2][3:4] == b"-":
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data.split(b"\r\n")[-2]


def send_one(port: int, size: int) -> bytes:
    line = b"x" * 76 + b"\r\n"
    block = line * (WRITE // len(line))
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        reply(sock)
        for command in (b"EHLO bench\r\n", b"MAIL FROM:<b@example.com>\r\n", b"RCPT TO:<user@example.com>\r\n"):
            sock.sendall(command)
            reply(sock)
        sock.sendall(b"DATA\r\n")
        reply(sock)
        sock.sendall(b"Subject: big\r\n\r\n")
        sent = 0
        while sent < size:
            sock.sendall(block)
            sent += len(block)
        sock.sendall(b".\r\n")
        return reply(sock)


def measure(limit: int, size: int) -> tuple[float, bytes]:
    ports = Ports(smtp=free_port(), imap=free_port())
    process = start([*PACKAGE_COMMAND, "--max-message-size", str(limit)], ports)
    try:
        if not wait_for_greeting(ports.smtp, process, b"220"):
            raise SystemExit("elektromail did not start")
        idle = peak_rss(process.pid)
        answer = send_one(ports.smtp, size)
        return (peak_rss(process.pid) - idle) / MIB, answer
    finally:
        stop_process(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit-mib", type=int, default=25)
    parser.add_argument("--sizes-mib", default="24,26,30")
    args = parser.parse_args()
    limit = args.limit_mib * MIB
    print(f"size limit {args.limit_mib} MiB")
    for size_mib in (int(text) for text in args.sizes_mib.split(",")):
        growth, answer = measure(limit, size_mib * MIB)
        print(f"  {size_mib:3d} MiB message: peak RSS +{growth:6.1f} MiB   {answer.decode(errors='replace')}")


if __name__ == "__main__":
    main()
