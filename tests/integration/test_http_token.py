"""ELEKTROMAIL_HTTP_TOKEN: every request needs the bearer token; /docs and /openapi.json also take ?token=."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ServerFactory

pytestmark = pytest.mark.timeout(30)
TOKEN = "s3cret-token"


@pytest.fixture
def client(make_server: ServerFactory) -> Iterator[httpx.Client]:
    server = make_server(http_port=0, http_token=TOKEN)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10) as client:
        yield client


ENDPOINTS = [
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/config"),
    ("GET", "/messages"),
    ("GET", "/messages/wait"),
    ("GET", "/messages/1"),
    ("GET", "/messages/1/raw"),
    ("DELETE", "/messages/1"),
    ("POST", "/inject"),
    ("POST", "/purge"),
    ("POST", "/reset"),
    ("GET", "/tls/certificate"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/nowhere"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_the_token(client: httpx.Client, method: str, path: str) -> None:
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}, {"authorization": "Basic x"}):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json() == {"error": "missing or wrong bearer token"}


def test_the_right_token_is_accepted(client: httpx.Client) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert client.get("/healthz", headers=auth).status_code == 200
    assert client.post("/inject", json={"to": "user", "text": "x"}, headers=auth).status_code == 201
    assert len(client.get("/messages", headers=auth).json()["messages"]) == 1


def test_healthz_answers_without_credentials_and_tells_only_its_status(client: httpx.Client) -> None:
    # Liveness probes carry no secret: /healthz answers them, but names no listener and no version.
    response = client.get("/healthz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "listeners": {}, "version": ""}
    # A wrong credential is still refused, so a misconfigured client learns of it.
    for headers in ({"authorization": "Bearer wrong"}, {"authorization": TOKEN}, {"authorization": "Basic x"}):
        refused = client.get("/healthz", headers=headers)
        assert refused.status_code == 401, (headers, refused.text)
        assert refused.json() == {"error": "missing or wrong bearer token"}
    full = client.get("/healthz", headers={"authorization": f"Bearer {TOKEN}"}).json()
    assert full["status"] == "ok"
    assert set(full["listeners"]) >= {"SMTP", "IMAP", "HTTP"}
    assert full["version"]


def test_query_token_only_for_docs_and_spec(client: httpx.Client) -> None:
    assert client.get("/openapi.json", params={"token": TOKEN}).status_code == 200
    page = client.get("/docs", params={"token": TOKEN})
    assert page.status_code == 200
    assert TOKEN in page.text  # handed to the UI, which then sends the header itself
    assert client.get("/docs", params={"token": "wrong"}).status_code == 401
    assert client.get("/messages", params={"token": TOKEN}).status_code == 401
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200  # public UI files, no data


def test_token_in_the_docs_page_cannot_inject_markup(make_server: ServerFactory) -> None:
    token = "</script><script>alert(1)</script>"
    server = make_server(http_port=0, http_token=token)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        page = client.get("/docs", params={"token": token})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert page.text.count("</script>") == 3


def test_without_a_token_nothing_is_required(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        assert client.get("/users").status_code == 200
        assert client.get("/users", headers={"authorization": "Bearer anything"}).status_code == 200
