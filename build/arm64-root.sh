#!/usr/bin/env bash
# Prepare (or reuse) an arm64 Debian root in which build/pyinstaller.sh runs under qemu emulation.
#   build/arm64-root.sh                      print the root's path
#   build/arm64-root.sh run [--src DIR] CMD  run CMD inside it, with DIR (if given) mounted at /src
# The root is cached outside the clone, keyed by everything that goes into it, so a second build on
# the same machine reuses it; a changed package list makes a new one.
#
# Needs Debian's qemu-user-static, binfmt-support and debootstrap, and root (chroot, mount).
set -euo pipefail
cache="${ELEKTROMAIL_CACHE_DIR:-/var/cache/elektromail}"
suite=bookworm
packages=python3,python3-venv,python3-dev,binutils,gcc,libc6-dev,patchelf,ca-certificates
# Raise when the steps below change what the root holds.
layout=2
key="$(printf '%s\n' "$suite" "$packages" "$layout" | sha256sum | cut -c1-16)"
root="$cache/arm64-root-$key"

log() { echo "arm64-root: $*" >&2; }

# The binfmt handler lets the kernel run arm64 ELF files through qemu, also inside a chroot (Debian
# registers it with the fix-binary flag, so the interpreter need not exist in the root).
enable_binfmt() {
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    if ! grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
        update-binfmts --enable qemu-aarch64 >&2
    fi
}

mirror() {
    # The mirror apt already uses (deb822 or one-line sources), else Debian's own.
    local found
    found="$(grep -hoE '^(URIs: *|deb +)https?://[^ ]+/debian/?' /etc/apt/sources.list.d/* /etc/apt/sources.list \
        2>/dev/null | grep -v security | head -n 1 | sed -E 's/^(URIs: *|deb +)//')" || true
    echo "${found:-http://deb.debian.org/debian}"
}

# Runs a command inside a root with /proc, the host's CA bundle (pip verifies TLS against it) and,
# with --src DIR, DIR at /src; a clean environment but for what the build reads.
in_root() {
    local target="$1" src=""
    shift
    if [ "${1:-}" = "--src" ]; then
        src="$2"
        shift 2
    fi
    mkdir -p "$target/src"
    mountpoint -q "$target/proc" || mount -t proc proc "$target/proc"
    # A run that was killed leaves its /src mounted, perhaps on a clone that is gone by now: always
    # mount this run's own source afresh.
    while mountpoint -q "$target/src"; do umount -l "$target/src"; done
    [ -z "$src" ] || mount --bind "$src" "$target/src"
    cp /etc/ssl/certs/ca-certificates.crt "$target/etc/ssl/certs/host-ca.crt"
    local status=0
    chroot "$target" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        PIP_CERT=/etc/ssl/certs/host-ca.crt SSL_CERT_FILE=/etc/ssl/certs/host-ca.crt \
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$@" || status=$?
    [ -z "$src" ] || umount "$target/src"
    umount "$target/proc"
    return "$status"
}

enable_binfmt
if [ -f "$root/.complete" ]; then
    if [ "${1:-}" = "run" ]; then
        shift
        in_root "$root" "$@"
        exit
    fi
    log "reusing $root"
    echo "$root"
    exit 0
fi
if [ "${1:-}" = "run" ]; then
    "$0" >/dev/null
    exec "$0" "$@"
fi

partial="$root.partial"
rm -rf "$partial"
mkdir -p "$cache"
start=$SECONDS
log "debootstrap $suite arm64 into $partial (several minutes under emulation)"
debootstrap --arch=arm64 --variant=minbase --include="$packages" "$suite" "$partial" "$(mirror)" >&2
log "debootstrap took $((SECONDS - start)) s"
rm -rf "$partial/var/cache/apt/archives"/*.deb
touch "$partial/.complete"
mv "$partial" "$root"
log "ready in $((SECONDS - start)) s: $root"
echo "$root"
