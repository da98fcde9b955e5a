"""Property-based requests generated from /openapi.json: no server errors, answers as documented."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from elektromail import Config, ServerThread, UserSpec
from tests.servers import client_host, release, start_server

# Few examples per operation keep the suite fast; every operation is still exercised with valid and invalid data.
EXAMPLES_PER_OPERATION = 12
# Generated waits must not stall the suite.
WAIT_SECONDS = "0.05"


@pytest.fixture(scope="module")
def api_server() -> Iterator[ServerThread]:
    config = Config(
        smtp_port=0,
        imap_port=0,
        http_port=0,
        bind_addr="127.0.0.1",
        users=(UserSpec("user", "pass"), UserSpec("alice", "wonderland", "alice@example.com")),
    )
    server = start_server(config)
    try:
        yield server
    finally:
        release(server)


@pytest.fixture(scope="module")
def api_schema(api_server: ServerThread) -> schemathesis.BaseSchema:
    base = f"http://{client_host()}:{api_server.http_port}"
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    schema.config.update(base_url=base)
    return schema


# GET /events is an endless stream: a generated request cannot read its answer to the end. Its statuses,
# filters and errors are tested in test_events.py.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/events")


def shortens(timeout: object) -> bool:
    """A valid wait (absent or in range) is cut short; an invalid one is left alone so it still gets a 422."""
    if timeout is None:
        return True
    try:
        seconds = float(str(timeout))
    except ValueError:
        return False
    return 0 < seconds <= 300


@pytest.mark.timeout(300)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case[Any]) -> None:
    if case.path == "/messages/wait" and isinstance(case.query, dict) and shortens(case.query.get("timeout")):
        case.query["timeout"] = WAIT_SECONDS
    # Valid-by-schema bodies may still break a rule JSON Schema cannot say (raw *or* subject/text/html, an
    # address that names a user): those get a 422, so "positive data acceptance" does not apply here.
    case.call_and_validate(timeout=10, excluded_checks=[schemathesis.checks.positive_data_acceptance])
