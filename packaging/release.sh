#!/usr/bin/env bash
# Assemble a release from the static executables in dist/: dist/release/ (or --out DIR) receives
# elektromail-VERSION-linux-x86_64, elektromail-VERSION-linux-aarch64 and SHA256SUMS, which
# `sha256sum -c SHA256SUMS` checks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/dist/release"
if [ "${1:-}" = "--out" ]; then
    out="$2"
fi
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/elektromail/__init__.py")"

rm -rf "$out"
mkdir -p "$out"
for arch in x86_64 aarch64; do
    built="$root/dist/elektromail-linux-$arch"
    test -f "$built" || { echo "packaging/release.sh: build $built first" >&2; exit 1; }
    install -m 0755 "$built" "$out/elektromail-$version-linux-$arch"
done
(cd "$out" && sha256sum "elektromail-$version-linux-"* >SHA256SUMS)
ls -l "$out"
