#!/usr/bin/env bash
# staticx publishes x86_64 wheels only. On aarch64, build its wheel from source once into DIR (musl-gcc
# for its bootloader; Debian's musl-tools) and write DIR/constraints.txt naming it, so that
# `PIP_FIND_LINKS=DIR PIP_CONSTRAINT=DIR/constraints.txt build/pyinstaller.sh` takes it instead of the old
# pure-Python staticx whose bootloader is x86-64. build/arm64-root.sh runs it inside its root.
#   build/staticx-wheel.sh DIR
set -euo pipefail
out="${1:?usage: build/staticx-wheel.sh DIR}"
version="${STATICX_VERSION:-0.14.2}"
if [ -f "$out/constraints.txt" ] && compgen -G "$out/staticx-$version-*.whl" >/dev/null; then
    exit 0
fi
mkdir -p "$out"
venv="$out/wheel-builder"
"${ELEKTROMAIL_BUILD_PYTHON:-/usr/bin/python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check scons setuptools wheel
PATH="$venv/bin:$PATH" BOOTLOADER_CC=musl-gcc "$venv/bin/pip" wheel --quiet --disable-pip-version-check \
    --no-build-isolation --no-deps --no-binary staticx -w "$out" "staticx==$version"
# staticx tags its wheel manylinux1, a tag that exists for x86 only: pip would pass it over.
"$venv/bin/python" -m wheel tags --remove --platform-tag linux_aarch64 "$out"/staticx-*.whl
echo "staticx==$version" >"$out/constraints.txt"
rm -rf "$venv"
