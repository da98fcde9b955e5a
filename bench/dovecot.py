"""Run Debian's dovecot-imapd on a loopback port with a throwaway configuration (for side-by-side runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.servers import free_port, stop_process, wait_for_greeting

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
START_TIMEOUT = 10.0


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


def _config(base: Path, port: int, user: str, password: str, settings: str) -> str:
    import grp
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    # Dovecot refuses to run its login and internal processes as root; Debian ships unprivileged users.
    login_user, internal_user = (me, me) if os.getuid() != 0 else ("dovenull", "dovecot")
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # mail processes may not run as root either: the mailbox belongs to the dovecot user
        uid, gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
        os.chown(base / "home" / user, uid, gid)
    (base / "users").write_text(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::{base}/home/{user}\n")
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
instance_name = bench-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {group if os.getuid() != 0 else "dovecot"}
default_login_user = {login_user}
mail_location = maildir:{base}/home/%u/Maildir
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_min_avail = 2
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
{settings}
"""


@contextmanager
def run_dovecot(user: str = "user", password: str = "pass", settings: str = "") -> Iterator[int]:
    """Start dovecot in the foreground on a free loopback port; yield the port; stop it afterwards.

    ``settings`` are more dovecot.conf lines (the differential tests turn off fsync, for speed)."""
    with tempfile.TemporaryDirectory(prefix="elektromail-dovecot-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)  # the unprivileged auth process reads the users file
        for sub in ("run", "state", f"home/{user}"):
            (base / sub).mkdir(parents=True)
        port = free_port()
        conf = base / "dovecot.conf"
        conf.write_text(_config(base, port, user, password, settings))
        process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            if not wait_for_greeting(port, process, timeout=START_TIMEOUT):
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start:\n{log}")
            yield port
        finally:
            stop_process(process)
