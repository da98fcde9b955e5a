"""The image, tested by running it: built by packaging/image.sh (``BASE=scratch`` here), started with the
image's own entrypoint, user and environment as a container runtime would, on the host's network.

Collected only when ELEKTROMAIL_IMAGE names the built manifest list (scripts/test builds it and sets it).
The servers bind 127.0.0.1 instead of the image's 0.0.0.0: they share the host's network here, where a
container would have a network of its own.
"""

from __future__ import annotations

import signal
import smtplib
import stat
from pathlib import Path

import httpx

from elektromail import __version__
from tests.elf import ELF_MACHINES
from tests.image.images import (
    COMMAND_PATH,
    EXECUTABLE_PATH,
    archive_images,
    image_config,
    image_server,
    run_image,
)
from tests.integration.process import ServerProcess, connect_greeted, read_until_closed, send_then_fetch

MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: from the image\r\n\r\nhello\r\n"
LOOPBACK = {"BIND_ADDR": "127.0.0.1", "SMTP_PORT": "0", "IMAP_PORT": "0"}
IMAGE_USER = 65532
# What an image may hold besides the build it ships (the one-folder build and its C library): next to
# nothing on scratch, Alpine's own files on alpine.
SCRATCH_OVERHEAD_BYTES = 1024 * 1024
ALPINE_OVERHEAD_BYTES = 10 * 1024 * 1024
SHIPPED = ("opt/elektromail/", "lib/", "lib64/", "usr/lib/")


def _ports(server: ServerProcess) -> dict[str, str]:
    return {"BIND_ADDR": "127.0.0.1", "SMTP_PORT": str(server.ports["SMTP"]), "IMAP_PORT": str(server.ports["IMAP"])}


def _server_uids(smtp_port: int) -> set[int]:
    """The real uid of every process listening on ``smtp_port`` (read from /proc, as root)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == smtp_port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    uids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {str(Path(fd).readlink()) for fd in (proc / "fd").iterdir()}
            status = (proc / "status").read_text()
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            uids.add(int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1]))
    return uids


def test_configuration_is_what_runtimes_expect() -> None:
    config = image_config("amd64")
    user, _, group = config["User"].partition(":")
    assert int(user) == IMAGE_USER and int(group) == IMAGE_USER
    assert set(config["ExposedPorts"]) == {"2525/tcp", "1143/tcp"}  # not HTTP: off unless configured
    assert config["Entrypoint"] == ["/usr/local/bin/elektromail"]
    assert "BIND_ADDR=0.0.0.0" in config["Env"] and "TMPDIR=/tmp" in config["Env"]
    health = config["Healthcheck"]
    assert health["Test"] == ["CMD", "/usr/local/bin/elektromail", "healthcheck"]
    assert "StartInterval" not in health  # Podman refuses --start-interval
    assert config["StopSignal"] == "SIGTERM"
    labels = config["Labels"]
    assert labels["org.opencontainers.image.licenses"] == "EUPL-1.2"
    assert labels["org.opencontainers.image.version"] == __version__
    assert labels["org.opencontainers.image.source"].startswith("https://")
    assert labels["org.opencontainers.image.revision"] not in ("", "unknown")


def test_round_trip_runs_as_the_image_user() -> None:
    with image_server("amd64", LOOPBACK) as server:
        assert _server_uids(server.ports["SMTP"]) == {IMAGE_USER}
        assert send_then_fetch(server.ports, MESSAGE, timeout=30) == MESSAGE


def test_http_control_plane_when_configured() -> None:
    with image_server("amd64", {**LOOPBACK, "HTTP_PORT": "0"}) as server:
        with smtplib.SMTP("127.0.0.1", server.ports["SMTP"], timeout=30) as smtp:
            smtp.sendmail("a@example.com", ["user@example.com"], MESSAGE)
        with httpx.Client(base_url=f"http://127.0.0.1:{server.ports['HTTP']}", timeout=30) as http:
            assert http.get("/healthz").status_code == 200
            listed = http.get("/messages", params={"user": "user"})
            assert listed.status_code == 200
            assert "from the image" in listed.text


def test_healthcheck_exit_codes() -> None:
    with image_server("amd64", LOOPBACK) as server:
        ports = _ports(server)
        up = run_image("amd64", ports, healthcheck=True)
        assert up.returncode == 0, up.stderr
    down = run_image("amd64", ports, healthcheck=True)
    assert down.returncode == 1, down.stderr


def test_sigterm_closes_sessions_and_exits_zero() -> None:
    with image_server("amd64", LOOPBACK) as server:
        smtp = connect_greeted(server.ports["SMTP"], b"220", timeout=30)
        imap = connect_greeted(server.ports["IMAP"], b"* OK", timeout=30)
        server.signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert read_until_closed(smtp).startswith(b"421 ")
        assert read_until_closed(imap).startswith(b"* BYE ")


def test_arm64_image_runs_under_emulation() -> None:
    result = run_image("arm64", {}, args=["--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"elektromail {__version__}"


def test_manifest_list_names_both_architectures_with_their_executables() -> None:
    images = list(archive_images())
    assert sorted(image.platform["architecture"] for image in images) == ["amd64", "arm64"]
    for image in images:
        assert image.platform["os"] == "linux"
        assert image.elf_machine == ELF_MACHINES[image.platform["architecture"]]


def test_layers_hold_the_build_and_a_writable_tmp() -> None:
    for image in archive_images():
        executable = image.members[EXECUTABLE_PATH]
        assert stat.S_IMODE(executable.mode) == 0o755 and executable.uid == 0
        command = image.members[COMMAND_PATH]
        assert command.issym() and command.linkname == "/" + EXECUTABLE_PATH
        tmp = image.members["tmp"]
        assert tmp.isdir() and stat.S_IMODE(tmp.mode) == 0o1777
        shipped = sum(member.size for name, member in image.members.items() if name.startswith(SHIPPED))
        base = image.labels["org.opencontainers.image.base.name"]
        allowed = SCRATCH_OVERHEAD_BYTES if base == "scratch" else ALPINE_OVERHEAD_BYTES
        assert image.layer_bytes <= shipped + allowed, (base, image.layer_bytes, shipped)
