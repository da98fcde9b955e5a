"""``ELEKTROMAIL_DOCKER_TESTS=1``: the suite starts the image itself and runs against it.

The container gets the settings a CI service would (seed users, HTTP control plane) on free port numbers,
published under the same numbers, so what the server reports is what the tests reach. The engine is the
first that works of docker, podman and buildah (packaging/run-image.sh: ``buildah run`` on the host
network, as the image's own user with its own entrypoint and environment). ``ELEKTROMAIL_DOCKER_HOST``
names the host the ports are published on (``docker`` in Docker-in-Docker jobs); ``ELEKTROMAIL_IMAGE``
the image (default: the multi-arch image packaging/image.sh builds).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from elektromail import __version__
from tests.external import URL_ENV, wait_healthy

DOCKER_TESTS_ENV = "ELEKTROMAIL_DOCKER_TESTS"
DOCKER_HOST_ENV = "ELEKTROMAIL_DOCKER_HOST"
IMAGE_ENV = "ELEKTROMAIL_IMAGE"
# What the suite expects of any server it is pointed at (tests/conftest.py's BASE_CONFIG).
SERVICE_USERS = "user:pass,alice:alice@example.com:wonderland"
RUN_IMAGE = Path(__file__).resolve().parents[1] / "packaging" / "run-image.sh"
STOP_SECONDS = 15


def docker_tests() -> bool:
    return os.environ.get(DOCKER_TESTS_ENV, "").strip().lower() in ("1", "true", "yes")


def default_image() -> str:
    """The multi-arch image packaging/image.sh builds (a runtime picks this machine's architecture)."""
    return f"localhost/elektromail:{__version__}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("", 0))
        port: int = sock.getsockname()[1]
        return port


def engine_works(command: str) -> bool:
    if shutil.which(command) is None:
        return False
    try:
        return subprocess.run([command, "info"], capture_output=True, timeout=20, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _run(args: Sequence[str], timeout: float = 120) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


class Container:
    """The image, running with the service's settings; :meth:`stop` ends it with SIGTERM."""

    def __init__(self, image: str, env: dict[str, str], ports: Sequence[int]) -> None:
        self.image = image
        self.env = env
        self.ports = ports
        self.engine = next((name for name in ("docker", "podman") if engine_works(name)), None)
        if self.engine is None and shutil.which("buildah") is None:
            raise RuntimeError(f"{DOCKER_TESTS_ENV}=1 needs docker, podman or buildah")
        self._id = ""
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self._run_process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = [arg for item in self.env.items() for arg in ("-e", "=".join(item))]
        if self.engine is not None:
            ports = [arg for port in self.ports for arg in ("-p", f"{port}:{port}")]
            self._id = _run([self.engine, "run", "-d", "--rm", *ports, *env, self.image])
            return
        # As a runtime runs it: the image's entrypoint, user and environment, on the host's network.
        self._run_process = subprocess.Popen(
            [str(RUN_IMAGE), self.image, *env], stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT
        )

    def logs(self) -> str:
        if self.engine is not None:
            done = subprocess.run([self.engine, "logs", self._id], capture_output=True, timeout=30, check=False)
            return (done.stdout + done.stderr).decode("utf-8", "replace")
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.engine is not None:
            if self._id:
                subprocess.run(
                    [self.engine, "stop", "-t", str(STOP_SECONDS), self._id],
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
            return
        if self._run_process is not None and self._run_process.poll() is None:
            # run-image.sh passes SIGTERM on to the entrypoint, as `docker stop` does.
            self._run_process.send_signal(signal.SIGTERM)
            try:
                self._run_process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._run_process.kill()
                self._run_process.wait(10)
        self.log.close()


def start_image() -> Container:
    """Start the image and point the suite at it (sets ``ELEKTROMAIL_URL`` for this process)."""
    smtp, imap, http = free_port(), free_port(), free_port()
    env = {
        "ELEKTROMAIL_USERS": SERVICE_USERS,
        "SMTP_PORT": str(smtp),
        "IMAP_PORT": str(imap),
        "HTTP_PORT": str(http),
    }
    container = Container(os.environ.get(IMAGE_ENV) or default_image(), env, (smtp, imap, http))
    container.start()
    host = os.environ.get(DOCKER_HOST_ENV) or "127.0.0.1"
    url = f"http://{host}:{http}"
    try:
        wait_healthy(url)
    except TimeoutError as error:
        logs = container.logs()
        container.stop()
        raise TimeoutError(f"{error}; the container's output:\n{logs}") from None
    os.environ[URL_ENV] = url
    return container
