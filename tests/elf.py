"""Which machine an executable is built for, read from its ELF header."""

from __future__ import annotations

import struct
from pathlib import Path

# e_machine of each architecture, by Docker's name and by the kernel's (uname -m).
ELF_MACHINES = {"amd64": 0x3E, "x86_64": 0x3E, "arm64": 0xB7, "aarch64": 0xB7}


def elf_machine(head: bytes) -> int:
    """The e_machine field of a little-endian ELF header (its first 20 octets or more)."""
    assert head[:4] == b"\x7fELF", "not an ELF executable"
    machine: int = struct.unpack_from("<H", head, 18)[0]
    return machine


def file_machine(path: Path) -> int:
    with path.open("rb") as file:
        return elf_machine(file.read(64))
