"""Python memory each stored message keeps, by tracemalloc: a server in this process, ``count`` messages of
4 KB from ``smtp-source -s 10`` (a connection per message), then one IMAP session that reads them once
(ENVELOPEs, a body search), as the ``memory`` workload does.

Run: python -m bench.retained [count]  -> bytes per message after SMTP and after the read, then the
source lines that hold the most of it (the octets themselves come from the SMTP DATA reader).
"""

from __future__ import annotations

import gc
import imaplib
import subprocess
import sys
import time
import tracemalloc

from elektromail.config import Config
from elektromail.server import ServerThread

LENGTH = 4096
SHOWN = 20


def _snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot()


def _total(snapshot: tracemalloc.Snapshot) -> int:
    return sum(stat.size for stat in snapshot.statistics("filename"))


def main(count: int) -> None:
    tracemalloc.start()
    config = Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1", tls_disabled=True)
    with ServerThread(config) as thread:
        server = thread.server
        empty = _snapshot()
        source = ["smtp-source", "-s", "10", "-m", str(count), "-l", str(LENGTH), "-f", "sender@example.com"]
        subprocess.run([*source, "-t", "user@localhost", f"127.0.0.1:{server.smtp_port}"], check=True)
        time.sleep(0.5)  # the last deliveries finish on the server's loop
        delivered = _snapshot()
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
        imap.login("user", "pass")
        imap.select("INBOX")
        imap.fetch("1:*", "(FLAGS ENVELOPE)")
        imap.uid("SEARCH", "BODY", "consectetur")
        imap.logout()
        time.sleep(0.3)
        read = _snapshot()
    print(f"after SMTP: {(_total(delivered) - _total(empty)) / count:.0f} B per message")
    print(f"after the IMAP read: {(_total(read) - _total(empty)) / count:.0f} B per message")
    for stat in read.compare_to(empty, "lineno")[:SHOWN]:
        print(f"{stat.size_diff / count:8.1f} B {stat.count_diff / count:6.2f} objects  {stat.traceback}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
