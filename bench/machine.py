"""What the figures were measured on: the machine, the interpreter and every peer's version."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from bench.model import Peer


def machine() -> dict[str, object]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mib": memory,
        "kernel": platform.release(),
        "system": " ".join(platform.freedesktop_os_release().get(k, "") for k in ("NAME", "VERSION_ID"))
        if hasattr(platform, "freedesktop_os_release")
        else platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "load": os.getloadavg(),
    }


def versions(peers: list[Peer]) -> dict[str, str]:
    found = {}
    for peer in peers:
        try:
            found[peer.name] = peer.version()
        except Exception as error:  # a version is information, never a reason to stop
            found[peer.name] = f"unknown ({error})"
    return found
