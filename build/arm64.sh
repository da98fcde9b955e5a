#!/usr/bin/env bash
# Build dist/elektromail-linux-aarch64 on an amd64 machine: build/pyinstaller.sh, unchanged, inside the
# cached arm64 Debian root of build/arm64-root.sh, under qemu emulation. On an arm64 machine, run
# build/pyinstaller.sh directly instead.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
# The build venv lives in the cached root, so a second build reinstalls only elektromail itself.
"$src/build/arm64-root.sh" run --src "$src" /usr/bin/env \
    ELEKTROMAIL_BUILD_VENV=/opt/venv-build ELEKTROMAIL_BUILD_EMULATED=1 \
    /src/build/pyinstaller.sh
