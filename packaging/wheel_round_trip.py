"""A round trip through an installed elektromail, run by the Python it is installed in (scripts/wheel runs
it in a fresh virtual environment holding the wheel and its dependencies only).

It checks that the package is the installed one (not a source tree), that its entry points are registered,
then starts the ``elektromail`` command, sends a message over SMTP, reads it back over IMAP and the HTTP
client, and fetches the Swagger UI's files (package data).
"""

from __future__ import annotations

import imaplib
import importlib.metadata
import os
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import httpx

import elektromail
from elektromail.client import ApiError, Client

START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def check_installation() -> None:
    location = Path(elektromail.__file__).resolve()
    assert location.is_relative_to(Path(sys.prefix).resolve()), f"elektromail imported from {location}"
    groups = importlib.metadata.entry_points()
    plugins = {entry.name: entry.value for entry in groups.select(group="pytest11")}
    assert plugins.get("elektromail") == "elektromail.pytest_plugin", plugins
    scripts = {entry.name: entry.value for entry in groups.select(group="console_scripts")}
    assert scripts.get("elektromail") == "elektromail.cli:main", scripts
    print(f"elektromail {elektromail.__version__} from {location.parent}; entry points registered")


def wait_ready(client: Client) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if client.health().status == "ok":
                return
        except (ApiError, httpx.TransportError) as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {error}") from error
        time.sleep(0.1)


def round_trip() -> None:
    smtp_port, imap_port, http_port = free_port(), free_port(), free_port()
    command = Path(sys.executable).with_name("elektromail")
    env = {
        **os.environ,
        "SMTP_PORT": str(smtp_port),
        "IMAP_PORT": str(imap_port),
        "HTTP_PORT": str(http_port),
        "BIND_ADDR": "127.0.0.1",
        "ELEKTROMAIL_USERS": "alice:wonderland",
    }
    server = subprocess.Popen([str(command)], env=env, stderr=subprocess.DEVNULL)
    try:
        with Client(f"http://127.0.0.1:{http_port}") as client:
            wait_ready(client)
            message = EmailMessage()
            message["From"] = "round@trip.example"
            message["To"] = "alice@example.com"
            message["Subject"] = "round trip"
            message.set_content("through the wheel: https://wheel.example/ok\n")
            with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
                smtp.send_message(message)
            (summary,) = client.wait(user="alice", subject="round trip", timeout=10)
            assert client.message(summary.id).links == ["https://wheel.example/ok"]
            imap = imaplib.IMAP4("127.0.0.1", imap_port)
            imap.login("alice", "wonderland")
            imap.select("INBOX")
            _, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            imap.logout()
            first = data[0]
            assert isinstance(first, tuple) and b"round trip" in first[1], data
            css = httpx.get(f"http://127.0.0.1:{http_port}/docs/static/swagger-ui.css")
            assert css.status_code == 200 and len(css.content) > 10_000, css
        print(f"round trip through {command}: SMTP in, IMAP and HTTP out, Swagger UI served")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    check_installation()
    round_trip()
