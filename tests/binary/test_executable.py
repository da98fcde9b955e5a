"""The static executable on its own: an empty root, its cache of the unpacked build, its own subcommands.

Collected only when ELEKTROMAIL_BINARY names the executable (scripts/test builds it and sets it).
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from elektromail import __version__
from tests.elf import ELF_MACHINES, file_machine
from tests.integration.process import ServerProcess, run_cli, send_then_fetch

MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: from an empty root\r\n\r\nhello\r\n"


def binary() -> Path:
    return Path(os.environ["ELEKTROMAIL_BINARY"])


@pytest.fixture
def empty_root(tmp_path: Path) -> Iterator[Path]:
    """A directory holding only the executable, an empty /tmp and /proc (which every container has)."""
    root = tmp_path / "root"
    (root / "tmp").mkdir(parents=True)
    (root / "tmp").chmod(0o1777)
    (root / "proc").mkdir()
    shutil.copy2(binary(), root / "elektromail")
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True, timeout=10)
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], check=False, timeout=10)


def test_round_trip_inside_an_empty_root(empty_root: Path) -> None:
    assert sorted(path.name for path in empty_root.iterdir()) == ["elektromail", "proc", "tmp"]
    server = ServerProcess(command=["chroot", str(empty_root), "/elektromail"])
    try:
        server.wait_ready()
        assert send_then_fetch(server.ports, MESSAGE) == MESSAGE
        server.signal(signal.SIGTERM)
        assert server.wait(10) == 0
    finally:
        server.stop()


def _start_and_stop(env: dict[str, str]) -> None:
    server = ServerProcess(env=env)
    try:
        server.wait_ready()
        server.signal(signal.SIGTERM)
        assert server.wait(10) == 0
    finally:
        server.stop()


def test_unpacks_once_into_a_cache_named_by_the_build(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _start_and_stop({"ELEKTROMAIL_UNPACK_DIR": str(cache)})
    (build,) = cache.iterdir()  # one build, no half-unpacked leftovers
    program = build / "elektromail"
    first = program.stat()
    assert (cache.stat().st_mode & 0o077) == 0, "the cache is private"
    _start_and_stop({"ELEKTROMAIL_UNPACK_DIR": str(cache)})
    assert list(cache.iterdir()) == [build]
    again = program.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns), "unpacked a second time"


def test_the_cache_falls_back_to_tmpdir(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    _start_and_stop({"TMPDIR": str(scratch), "HOME": "/nonexistent", "XDG_CACHE_HOME": ""})
    (cache,) = scratch.iterdir()
    assert cache.name == f"elektromail-{os.getuid()}"
    (build,) = cache.iterdir()
    assert (build / "elektromail").is_file()


@pytest.mark.parametrize("cache_mode", ["unset", "shared"])
def test_without_a_usable_cache_it_unpacks_for_one_run_and_cleans_up(tmp_path: Path, cache_mode: str) -> None:
    """ELEKTROMAIL_UNPACK_DIR set empty, or a directory others may write to (which could hold anything):
    the build is unpacked under TMPDIR for this run only and removed when it ends."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cache = ""
    if cache_mode == "shared":
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        cache = str(shared)
    server = ServerProcess(env={"TMPDIR": str(scratch), "ELEKTROMAIL_UNPACK_DIR": cache})
    try:
        server.wait_ready()
        assert any(scratch.iterdir()), "nothing was unpacked under TMPDIR"
        server.signal(signal.SIGTERM)
        assert server.wait(10) == 0
    finally:
        server.stop()
    assert not any(scratch.iterdir()), "the unpacked files were left behind"
    if cache:
        assert not any(Path(cache).iterdir()), "a directory others may write to was used"


def test_built_for_the_architecture_its_name_gives() -> None:
    # dist/elektromail-linux-<uname -m>; other builds (Nuitka) are for the machine that built them.
    arch = binary().name.removeprefix("elektromail-linux-") if "-linux-" in binary().name else platform.machine()
    assert file_machine(binary()) == ELF_MACHINES[arch]


def test_version_and_help() -> None:
    assert run_cli(["--version"], {}).stdout.strip() == f"elektromail {__version__}"
    assert "ELEKTROMAIL_USERS" in run_cli(["--help"], {}).stdout


def test_swagger_ui_assets_are_bundled() -> None:
    with (
        ServerProcess(env={"HTTP_PORT": "0"}) as server,
        httpx.Client(base_url=f"http://127.0.0.1:{server.ports['HTTP']}", timeout=10) as http,
    ):
        page = http.get("/docs")
        assert page.status_code == 200
        assert "swagger-ui" in page.text
        assert http.get("/openapi.json").json()["openapi"].startswith("3.")
        scripts = [line for line in page.text.split('"') if line.endswith(".js")]
        assert scripts, page.text
        for script in scripts:
            assert http.get(script).status_code == 200, script
