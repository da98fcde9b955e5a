"""Debian's Dovecot (dovecot-imapd, dovecot-lmtpd) with a throwaway configuration on loopback ports, twice:

- ``dovecot``: as configured by default: Maildir on disk, indexes on disk, fsync as shipped;
- ``dovecot-tuned``: tuned for tests: Maildir on tmpfs, ``INDEX=MEMORY``, ``mail_fsync = never`` and
  login processes in high-performance mode (each serves many connections, some always ready).

LMTP listens too, so delivery workloads have a way in (Dovecot has no SMTP server).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench.model import Endpoint, Peer, StartOptions
from bench.peers.counting import imap_count
from bench.processes import free_port, spawn, stop_process, wait_ready

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
TMPFS = Path("/dev/shm")
LMTP = Path("/usr/lib/dovecot/lmtp")  # dovecot-lmtpd: without it, no delivery workload reaches Dovecot


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


def _owner(base: Path, user: str) -> tuple[int, int, str, str, str]:
    """uid, gid of the mail processes; login, internal user and group (Dovecot refuses root for them)."""
    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    if os.getuid() != 0:
        return os.getuid(), os.getgid(), me, me, group
    entry = pwd.getpwnam("dovecot")
    os.chown(base / "home" / user, entry.pw_uid, entry.pw_gid)
    return entry.pw_uid, entry.pw_gid, "dovenull", "dovecot", "dovecot"


def lmtp_available() -> bool:
    return LMTP.exists()


def _lmtp(ports: dict[str, int]) -> str:
    if "lmtp" not in ports:
        return ""
    return f"""service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {ports["lmtp"]}
  }}
}}
protocol lmtp {{
  auth_username_format = %n
}}"""


def _config(
    base: Path, mail: Path, ports: dict[str, int], user: str, password: str, tuned: bool, settings: str = ""
) -> str:
    uid, gid, login_user, internal_user, internal_group = _owner(base, user)
    (base / "users").write_text(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::{base}/home/{user}\n")
    location = f"maildir:{mail}/%u/Maildir" + (":INDEX=MEMORY" if tuned else "")
    tuning = (
        """
mail_fsync = never
service imap-login {
  service_count = 0
  client_limit = 1000
  process_min_avail = 2
}
service imap {
  process_min_avail = 2
}
"""
        if tuned
        else ""
    )
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
instance_name = bench-{ports["imap"]}
protocols = imap{" lmtp" if "lmtp" in ports else ""}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = {location}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = {base}/users
}}
userdb {{
  driver = passwd-file
  args = {base}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {ports["imap"]}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
{_lmtp(ports)}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
{tuning}
{settings}
"""


def fill_maildir(maildir: Path, owner: tuple[int, int] | None, messages: list[bytes]) -> None:
    """Write messages straight into Maildir's cur/, as a delivery agent would; Dovecot indexes them when a
    session next opens the mailbox."""
    stamp = int(time.time())
    first = sum(1 for _ in (maildir / "cur").iterdir())
    for number, message in enumerate(messages, first):
        path = maildir / "cur" / f"{stamp}.M{number}P1.bench,S={len(message)}:2,"
        path.write_bytes(message)
        if owner:
            os.chown(path, *owner)


@contextmanager
def run(
    tuned: bool, options: StartOptions, user: str = "user", password: str = "pass", settings: str = ""
) -> Iterator[Endpoint]:
    """Dovecot until the block ends. ``settings`` are more dovecot.conf lines (the differential tests
    turn off fsync, for speed)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-dovecot-") as tmp,
        tempfile.TemporaryDirectory(prefix="bench-dovecot-mail-", dir=TMPFS if tuned else None) as mail_tmp,
    ):
        base, mail = Path(tmp), Path(mail_tmp)
        for directory in (base, mail):
            directory.chmod(0o755)  # the unprivileged auth process reads the users file
        for sub in ("run", "state", f"home/{user}"):
            (base / sub).mkdir(parents=True)
        maildir = mail / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        ports = {"imap": free_port()}
        if lmtp_available():
            ports["lmtp"] = free_port()
        conf = base / "dovecot.conf"
        conf.write_text(_config(base, mail, ports, user, password, tuned, settings))
        owner = (pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid) if os.getuid() == 0 else None
        if owner:
            for path in (mail / user, maildir, *maildir.iterdir()):
                os.chown(path, *owner)
        started = time.perf_counter()
        process = spawn([DOVECOT, "-F", "-c", str(conf)])
        try:
            try:
                greetings = [(port, b"* OK" if name == "imap" else b"220") for name, port in ports.items()]
                ready = wait_ready(process, greetings, started, "dovecot")
            except RuntimeError as error:
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                raise RuntimeError(f"{error}\n{log[-2000:]}") from None
            yield Endpoint(
                imap=ports["imap"],
                lmtp=ports.get("lmtp"),
                user=user,
                password=password,
                recipient=user,
                pid=process.pid,
                ready_seconds=ready,
                count=partial(imap_count, ports["imap"], user, password),
                fill=partial(fill_maildir, maildir, owner),
            )
        finally:
            stop_process(process)


@contextmanager
def run_dovecot(user: str = "user", password: str = "pass", settings: str = "") -> Iterator[int]:
    """Dovecot as configured by default; yields its IMAP port (bench.dovecot_reference, the differential
    tests)."""
    with run(False, StartOptions(), user, password, settings) as endpoint:
        assert endpoint.imap is not None
        yield endpoint.imap


def _missing() -> str | None:
    return None if dovecot_available() else "apt-get install dovecot-imapd dovecot-lmtpd"


def _version() -> str:
    completed = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip()


IMAP_GROUPS = frozenset({"imap", "scaling", "latency", "startup", "memory"})
PEERS = [
    Peer(
        name="dovecot",
        description="Dovecot as configured by default: Maildir and indexes on disk",
        groups=IMAP_GROUPS,
        missing=_missing,
        start=partial(run, False),
        version=_version,
    ),
    Peer(
        name="dovecot-tuned",
        description="Dovecot tuned for tests: Maildir on tmpfs, INDEX=MEMORY, mail_fsync = never, "
        "high-performance login processes",
        groups=IMAP_GROUPS,
        missing=_missing,
        start=partial(run, True),
        version=_version,
    ),
]
