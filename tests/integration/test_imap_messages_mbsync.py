"""mbsync (Debian isync) mirrors a folder of 100 messages to a local Maildir and back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from imapclient import IMAPClient

from elektromail import ServerThread
from tests.servers import client_host

MBSYNC = shutil.which("mbsync")
MESSAGES = 100
TIMEOUT = 60


def message(number: int) -> bytes:
    return (
        b"From: Sender <sender@example.com>\r\nTo: user@example.com\r\n"
        b"Subject: message %d\r\nMessage-ID: <sync-%d@example.com>\r\n\r\nbody %d\r\n" % (number, number, number)
    )


def config(port: int, maildir: Path) -> str:
    return f"""
IMAPAccount test
Host {client_host()}
Port {port}
User user
Pass pass
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account test

MaildirStore local
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns Sync
Create Both
Expunge Both
Sync All
SyncState *
"""


def run_mbsync(conf: Path) -> None:
    assert MBSYNC is not None, "mbsync is missing: install Debian's isync (listed in .ci/run)"
    result = subprocess.run(
        [MBSYNC, "-c", str(conf), "-a"], capture_output=True, timeout=TIMEOUT, check=False, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def subject(path: Path) -> bytes:
    """Maildir files have local line ends (LF), so look the subject up by pattern."""
    match = re.search(rb"^Subject: (.*?)\r?$", path.read_bytes(), re.M)
    assert match is not None
    return match.group(1)


def maildir_files(folder: Path) -> list[Path]:
    return [path for sub in ("cur", "new") for path in (folder / sub).iterdir()]


def test_mbsync_round_trip(server: ServerThread, tmp_path: Path) -> None:
    maildir = tmp_path / "Mail"
    maildir.mkdir()
    conf = tmp_path / "mbsyncrc"
    conf.write_text(config(server.imap_port, maildir))
    with IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=10) as client:
        client.login("user", "pass")
        client.create_folder("Sync")
        for number in range(1, MESSAGES + 1):
            client.append("Sync", message(number), flags=["\\Seen"] if number % 2 else [])

    run_mbsync(conf)  # down: server -> Maildir
    local = maildir_files(maildir / "Sync")
    assert len(local) == MESSAGES
    assert sorted(subject(path) for path in local) == sorted(b"message %d" % n for n in range(1, MESSAGES + 1))
    seen_locally = [path for path in local if ":2," in path.name and "S" in path.name.split(":2,")[1]]
    assert len(seen_locally) == MESSAGES // 2

    # Local changes: five new messages, one message flagged, one deleted.
    for number in range(MESSAGES + 1, MESSAGES + 6):
        (maildir / "Sync" / "new" / f"local-{number}.eml").write_bytes(message(number))
    by_subject = {subject(path): path for path in local}
    flagged = by_subject[b"message 1"]
    flagged.rename(flagged.with_name(flagged.name.split(":2,")[0] + ":2,FS"))
    by_subject[b"message 2"].unlink()

    run_mbsync(conf)  # up: Maildir -> server
    with IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=10) as client:
        client.login("user", "pass")
        client.select_folder("Sync")
        uids = client.search(["ALL"])
        assert len(uids) == MESSAGES - 1 + 5
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "FLAGS"]).values()
        flags_by_subject = {data[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip(): data[b"FLAGS"] for data in fetched}
        assert b"Subject: message 2" not in flags_by_subject
        assert b"Subject: message 105" in flags_by_subject
        assert b"\\Flagged" in flags_by_subject[b"Subject: message 1"]
        assert b"\\Flagged" not in flags_by_subject[b"Subject: message 3"]
