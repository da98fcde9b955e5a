"""Make the one-file executable: the static launcher (build/launcher.c) with the one-folder build and the C
library it runs with appended, in the payload format the launcher reads.

    python3 build/pack.py LAUNCHER ONEDIR OUT

The build's name (which the launcher's cache directory takes) is a digest of the payload, so two builds
with the same content share a cache and any change gets a new one.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import subprocess
import sys
from pathlib import Path

MAGIC = b"EMLPACK1"
PROGRAM = "elektromail"
LIBRARIES = "syslib"
# Room in the program's PT_INTERP for the path the launcher writes once it knows where it unpacked.
INTERPRETER_ROOM = 1024
_LDD_LIBRARY = re.compile(r"=> (/\S+)")
_LDD_LOADER = re.compile(r"^\s*(/\S*ld-linux\S*)")


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def system_libraries(onedir: Path) -> tuple[set[Path], Path]:
    """The libraries the build's ELF files resolve to outside the build, and the loader."""
    inside = {path.name for path in onedir.rglob("*") if path.is_file()}
    libraries: set[Path] = set()
    loader: Path | None = None
    for path in onedir.rglob("*"):
        if not path.is_file() or path.is_symlink() or not _is_elf(path):
            continue
        listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False).stdout
        for line in listing.splitlines():
            found = _LDD_LOADER.match(line)
            if found:
                loader = Path(found.group(1)).resolve()
                continue
            library = _LDD_LIBRARY.search(line)
            if library and (path.name == PROGRAM or Path(library.group(1)).name not in inside):
                libraries.add(Path(library.group(1)))
    if loader is None:
        raise SystemExit(f"no ELF interpreter found for {onedir / PROGRAM}")
    return libraries, loader


def _entry(name: str, mode: int, kind: int, data: bytes) -> bytes:
    encoded = name.encode()
    return struct.pack("<I", len(encoded)) + encoded + struct.pack("<IBQ", mode, kind, len(data)) + data


def payload(onedir: Path, program: bytes) -> bytes:
    libraries, loader = system_libraries(onedir)
    entries = [_entry(LIBRARIES, 0o755, 1, b"")]
    entries.append(_entry(f"{LIBRARIES}/loader", 0o755, 0, loader.read_bytes()))
    for library in sorted(libraries):
        entries.append(_entry(f"{LIBRARIES}/{library.name}", 0o755, 0, library.resolve().read_bytes()))
    for path in sorted(onedir.rglob("*")):
        name = path.relative_to(onedir).as_posix()
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            entries.append(_entry(name, 0o777, 2, os.readlink(path).encode()))
        elif path.is_dir():
            entries.append(_entry(name, mode, 1, b""))
        elif name == PROGRAM:
            entries.append(_entry(name, mode, 0, program))
        else:
            entries.append(_entry(name, mode, 0, path.read_bytes()))
    return b"".join(entries)


def main(launcher: Path, onedir: Path, out: Path) -> None:
    # The program runs with the loader the launcher unpacks: its interpreter path is a placeholder now.
    staged = out.with_suffix(".program")
    staged.write_bytes((onedir / PROGRAM).read_bytes())
    subprocess.run(["patchelf", "--set-interpreter", "/" * INTERPRETER_ROOM, str(staged)], check=True)
    body = payload(onedir, staged.read_bytes())
    staged.unlink()
    head = launcher.read_bytes()
    name = hashlib.sha256(body).hexdigest()[:16].encode()
    out.write_bytes(head + body + struct.pack("<Q", len(head)) + name + MAGIC)
    out.chmod(0o755)
    print(f"{out}: {out.stat().st_size / 2**20:.1f} MiB, build {name.decode()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
