#!/usr/bin/env bash
# Run the RFC 9051 compliance harness against Debian's dovecot-imapd, started on a loopback port with a
# throwaway configuration under a temporary directory (plaintext auth, one passwd-file user, maildir).
# Extra arguments go to pytest, e.g.:  tests/rfc9051/run_against_dovecot.sh -k SEARCH -x
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dovecot_bin="$(command -v dovecot || echo /usr/sbin/dovecot)"
[ -x "$dovecot_bin" ] || { echo "dovecot not found: apt-get install dovecot-imapd" >&2; exit 2; }
version="$("$dovecot_bin" --version)"
echo "dovecot $version" >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/rfc9051-dovecot.XXXXXX")"
chmod 755 "$work"
pidfile="$work/run/master.pid"
cleanup() {
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    sleep 0.3
    rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/run" "$work/mail" "$work/log"

# Dovecot refuses mail access as root: as root the mail user is "nobody", otherwise the calling user.
if [ "$(id -u)" = 0 ]; then
    mail_user=nobody
    service_user=dovecot
    login_user=dovenull
    id dovecot >/dev/null 2>&1 || service_user=nobody
    id dovenull >/dev/null 2>&1 || login_user=nobody
else
    mail_user="$(id -un)"
    service_user="$mail_user"
    login_user="$mail_user"
fi
mail_uid="$(id -u "$mail_user")"
mail_gid="$(id -g "$mail_user")"
chown "$mail_uid:$mail_gid" "$work/mail"

user="${RFC9051_TEST_USER:-user}"
password="${RFC9051_TEST_PASS:-pass}"
echo "$user:{PLAIN}$password:$mail_uid:$mail_gid::$work/mail/$user" >"$work/passwd"

# IMAP4rev2 arrived with Dovecot 2.4 (imap_capability gets it automatically there); 2.3 speaks IMAP4rev1.
cat >"$work/dovecot.conf" <<CONF
base_dir = $work/run
state_dir = $work/run
log_path = $work/log/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_internal_user = $service_user
default_login_user = $login_user
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_plugins =
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
}
passdb {
  driver = passwd-file
  args = $work/passwd
}
userdb {
  driver = passwd-file
  args = $work/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
# No growing delay after the harness's deliberate authentication failures.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
}
CONF

"$dovecot_bin" -c "$work/dovecot.conf"
for _ in $(seq 1 50); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
    sleep 0.1
done

cd "$repo"
status=0
RFC9051_TEST_HOST=127.0.0.1 RFC9051_TEST_PORT="$port" RFC9051_TEST_USER="$user" RFC9051_TEST_PASS="$password" \
    RFC9051_TEST_TLS=false python3 -m pytest -W error "${@:-tests/rfc9051}" || status=$?
if [ "$status" -ne 0 ] && [ -s "$work/log/dovecot.log" ]; then
    echo "--- last lines of dovecot.log ---" >&2
    tail -n 20 "$work/log/dovecot.log" >&2
fi
exit "$status"
