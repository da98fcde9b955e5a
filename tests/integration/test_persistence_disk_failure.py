"""A database that cannot be written is answered as a server failure, not as a bug, on every protocol.

Once the server is up, its processes get a file size limit (RLIMIT_FSIZE, set with ``prlimit``) a little
above what its database holds, so the first large write really fails in the kernel (EFBIG) and SQLite
reports an I/O error. The limit is set after start-up so that an executable that unpacks itself first
(``ELEKTROMAIL_BINARY``) is tested the same way. Each protocol must then refuse the write in its own
words (IMAP ``NO [SERVERBUG]``, SMTP ``451 4.3.0``, HTTP 503), log one line that names the database file,
keep the connection usable, and never log a traceback.
"""

from __future__ import annotations

import imaplib
import resource
import smtplib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from elektromail.smtp import replies
from tests.integration.process import ServerProcess

# Room for a new database and a few small messages; the large message below is well past it.
FILE_SIZE_LIMIT = 1024 * 1024
LARGE = 3 * 1024 * 1024
SMALL_MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: small\r\n\r\nfits\r\n"


def large_message(subject: str) -> bytes:
    line = b"x" * 76 + b"\r\n"
    body = line * (LARGE // len(line))
    return f"From: a@example.com\r\nTo: user@example.com\r\nSubject: {subject}\r\n\r\n".encode() + body


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it (a one-file executable runs the server as its child)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, Path]]:
    database = tmp_path / "mail.db"
    with ServerProcess(env={"ELEKTROMAIL_DB": str(database), "HTTP_PORT": "0"}) as process:
        # The database takes writes until the limit: a small message is stored and acknowledged.
        with smtplib.SMTP("127.0.0.1", process.ports["SMTP"], timeout=10) as smtp:
            assert smtp.sendmail("a@example.com", ["user@example.com"], SMALL_MESSAGE) == {}
        assert all(file.stat().st_size < FILE_SIZE_LIMIT for file in tmp_path.iterdir())
        for pid in process_tree(process.process.pid):
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
        yield process, database


def test_imap_append_to_a_failing_disk_is_no_serverbug(server: tuple[ServerProcess, Path]) -> None:
    process, database = server
    imap = imaplib.IMAP4("127.0.0.1", process.ports["IMAP"], timeout=30)
    imap.login("user", "pass")
    status, data = imap.append("INBOX", None, None, large_message("too large for the disk"))
    assert status == "NO"
    assert data[0] is not None and data[0].startswith(b"[SERVERBUG] ")
    # The session goes on: reads still work, and a later write is refused the same way (nothing is
    # acknowledged on top of a write that did not happen).
    assert imap.noop()[0] == "OK"
    assert imap.select("INBOX")[0] == "OK"
    status, data = imap.append("INBOX", None, None, SMALL_MESSAGE)
    assert status == "NO"
    assert data[0] is not None and data[0].startswith(b"[SERVERBUG] ")
    imap.logout()
    lines = stopped_log(process)
    assert any("IMAP APPEND" in line and str(database) in line for line in lines), lines


def test_smtp_data_to_a_failing_disk_is_451(server: tuple[ServerProcess, Path]) -> None:
    process, database = server
    with smtplib.SMTP("127.0.0.1", process.ports["SMTP"], timeout=30) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("a@example.com", ["user@example.com"], large_message("too large for the disk"))
        assert (refused.value.smtp_code, refused.value.smtp_error) == (451, replies.NOT_STORED.message.encode())
        # The session goes on, and a later transaction is refused the same way: nothing is acknowledged
        # on top of a write that did not happen.
        assert smtp.noop()[0] == 250
        with pytest.raises(smtplib.SMTPDataError) as again:
            smtp.sendmail("a@example.com", ["user@example.com"], SMALL_MESSAGE)
        assert (again.value.smtp_code, again.value.smtp_error) == (451, replies.NOT_STORED.message.encode())
    lines = stopped_log(process)
    assert any("SMTP message from <a@example.com> not stored" in line and str(database) in line for line in lines)


def test_http_inject_to_a_failing_disk_is_503(server: tuple[ServerProcess, Path]) -> None:
    process, database = server
    with httpx.Client(base_url=f"http://127.0.0.1:{process.ports['HTTP']}", timeout=30) as client:
        response = client.post("/inject", json={"to": "user@example.com", "raw": large_message("big").decode()})
        assert response.status_code == 503
        assert "storage failure" in response.json()["error"]
        # The connection and the server go on serving reads.
        listed = client.get("/messages", params={"user": "user"})
        assert listed.status_code == 200
        assert "small" in [message["subject"] for message in listed.json()["messages"]]
    lines = stopped_log(process)
    assert any("HTTP POST /inject not done" in line and str(database) in line for line in lines), lines


def stopped_log(process: ServerProcess) -> list[str]:
    """Stop the server and return its log lines, which must hold no traceback."""
    assert process.process.stderr is not None
    process.process.terminate()
    output = process.process.stderr.read().decode("utf-8", "replace")
    process.process.wait(10)
    log = "".join(process.log) + output
    assert "Traceback" not in log, log
    return log.splitlines()
