"""The token flow of the pages, and the requests another site or a rebound DNS name may not make."""

from __future__ import annotations

import httpx
import pytest

from elektromail.web.auth import COOKIE_NAME
from tests.conftest import ServerFactory
from tests.web.conftest import WebServer

TOKEN = "s3cret-token"
HTML = {"Accept": "text/html"}


def test_pages_ask_for_the_token_once_and_keep_a_strict_httponly_cookie(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, http_token=TOKEN)
    base = f"http://127.0.0.1:{server.http_port}"
    with httpx.Client(base_url=base) as client:
        # Nothing of the UI or its data without the token.
        first = client.get("/u/alice?q=x", headers=HTML)
        assert first.status_code == 303
        assert first.headers["location"] == "/web/login?next=%2Fu%2Falice%3Fq%3Dx"
        assert client.get("/m/2-1/body").status_code == 401
        assert client.get("/web/live").status_code == 401
        assert client.post("/web/server", data={"action": "purge", "confirm": "yes"}).status_code == 401
        assert client.get("/messages").status_code == 401
        login = client.get(first.headers["location"], headers=HTML)
        assert login.status_code == 200
        assert 'type="password"' in login.text
        wrong = client.post("/web/login", data={"token": "nope", "next": "/u/alice?q=x"})
        assert wrong.status_code == 401
        assert COOKIE_NAME not in wrong.cookies
        right = client.post("/web/login", data={"token": TOKEN, "next": "/u/alice?q=x"})
        assert right.status_code == 303
        assert right.headers["location"] == "/u/alice?q=x"
        cookie = right.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
        assert "Path=/" in cookie
        assert TOKEN not in cookie  # the cookie holds a MAC of the token, not the token
        assert TOKEN not in right.headers["location"]
        assert client.get("/u/alice", headers=HTML).status_code == 200
        # The cookie is for the pages; the JSON API still wants the bearer header.
        assert client.get("/messages").status_code == 401
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        assert api.get("/u/alice", headers=HTML).status_code == 200


def test_login_redirects_only_to_this_server(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, http_token=TOKEN)
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        for target in ("//evil.test/x", "https://evil.test/", "/\\evil.test", "javascript:alert(1)"):
            answer = client.post("/web/login", data={"token": TOKEN, "next": target})
            assert answer.headers["location"] == "/"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.test"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another port of localhost is another origin
    ],
)
def test_other_sites_can_neither_act_nor_listen(web: WebServer, headers: dict[str, str]) -> None:
    message_id = web.inject(subject="target")
    attempts = [
        ("POST", f"/m/{message_id}/act", {"action": "delete"}),
        ("POST", "/web/server", {"action": "purge", "confirm": "yes"}),
        ("POST", "/web/login", {"token": "x"}),
        ("POST", "/purge", None),
        ("DELETE", f"/messages/by-id/{message_id}", None),
    ]
    for method, path, data in attempts:
        answer = web.api.request(method, path, data=data, headers=headers)
        assert answer.status_code == 403, (method, path)
    assert web.api.get("/web/live", headers=headers).status_code == 403
    assert web.api.get("/events", headers=headers).status_code == 403
    assert len(web.api.get("/messages").json()["messages"]) == 1


def test_the_pages_own_requests_are_accepted(web: WebServer) -> None:
    message_id = web.inject(subject="mine")
    same = {"Origin": web.url, "Sec-Fetch-Site": "same-origin"}
    assert web.api.post(f"/m/{message_id}/act", data={"action": "read"}, headers=same).status_code == 303
    typed = {"Sec-Fetch-Site": "none"}  # a URL typed into the address bar
    assert web.api.get("/", headers={**typed, **HTML}).status_code == 200


def test_foreign_host_names_are_refused_on_loopback(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, http_allowed_hosts=("mail.test",))
    port = server.http_port
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        assert client.get("/", headers={"Host": "attacker.test"}).status_code == 403
        assert client.get("/messages", headers={"Host": f"attacker.test:{port}"}).status_code == 403
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"mail.test:{port}", f"[::1]:{port}"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host


def test_any_host_name_when_bound_to_every_address(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, bind_addr="0.0.0.0")
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        assert client.get("/healthz", headers={"Host": "mail.example"}).status_code == 200
