"""Read a job with a service from .gitlab-ci.yml and print it as shell assignments for ci-service-test.sh.

``python3 packaging/service_job.py JOB [ALIAS]`` prints ``service_env`` (``-e NAME=VALUE`` pairs for the
service container), ``job_env`` (``NAME=VALUE`` for the job), ``health_port`` (the service's
HEALTHCHECK_TCP_PORT) and ``job_script`` (the job's script lines). Here the service runs on the host
network, not a network of its own: its listeners move to free ports, and the job's variables that name the
alias or those ports are rewritten to 127.0.0.1 and the new ports, which is all the runner's network adds.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

import yaml

PIPELINE = Path(__file__).resolve().parents[1] / ".gitlab-ci.yml"
# The ports the server listens on when a variable does not say otherwise (elektromail/config.py).
DEFAULT_PORTS = {"SMTP_PORT": "2525", "IMAP_PORT": "1143"}
LOCAL_HOST = "127.0.0.1"


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("", 0))
        return str(sock.getsockname()[1])


def service_of(job: dict[str, Any], alias: str) -> dict[str, Any]:
    for service in job.get("services", []):
        if isinstance(service, dict) and service.get("alias") == alias:
            return service
    raise SystemExit(f"service_job.py: the job has no service with alias {alias!r}")


def rewrite(value: str, alias: str, moved: dict[str, str]) -> str:
    """A job variable as it reads when the service is on 127.0.0.1 with its ports moved."""
    if value == alias:
        return LOCAL_HOST
    if value in moved:
        return moved[value]
    for old, new in moved.items():
        value = value.replace(f"{alias}:{old}", f"{LOCAL_HOST}:{new}")
    return value


def shell_array(name: str, words: list[str]) -> str:
    return f"{name}=({' '.join(shlex.quote(word) for word in words)})"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: service_job.py JOB [ALIAS]", file=sys.stderr)
        return 2
    name, alias = argv[1], argv[2] if len(argv) == 3 else "mail"
    pipeline = yaml.safe_load(PIPELINE.read_text())
    job = pipeline[name]
    job_vars = {key: str(value) for key, value in job.get("variables", {}).items()}
    # A runner passes the job's variables to its services too; the service's own win.
    own = {key: str(value) for key, value in service_of(job, alias).get("variables", {}).items()}
    service_vars = {**job_vars, **own}

    keep = os.environ.get("CI_SERVICE_KEEP_PORTS") == "1"
    moved: dict[str, str] = {}
    for variable in ("SMTP_PORT", "IMAP_PORT", "HTTP_PORT"):
        port = service_vars.get(variable, DEFAULT_PORTS.get(variable))
        if port is None:
            continue
        new = port if keep else free_port()
        moved[port] = new
        service_vars[variable] = new
    health = service_vars.get("HEALTHCHECK_TCP_PORT", "")
    service_vars["HEALTHCHECK_TCP_PORT"] = moved.get(health, health)
    job_vars = {key: rewrite(value, alias, moved) for key, value in job_vars.items()}
    # The job reaches SMTP and IMAP where they moved to (tests/external.py reads these).
    job_vars["ELEKTROMAIL_SMTP_PORT"] = service_vars["SMTP_PORT"]
    job_vars["ELEKTROMAIL_IMAP_PORT"] = service_vars["IMAP_PORT"]

    print(shell_array("service_env", [word for item in service_vars.items() for word in ("-e", "=".join(item))]))
    print(shell_array("job_env", ["=".join(item) for item in job_vars.items()]))
    print(f"health_port={shlex.quote(service_vars['HEALTHCHECK_TCP_PORT'])}")
    print(f"job_script={shlex.quote(chr(10).join(job['script']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
