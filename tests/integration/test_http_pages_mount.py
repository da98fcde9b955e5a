"""The web inbox's routes behind the HTTP app's stand-in for them: the same paths claimed as the pages
declare, and the pages answering, refusing a wrong method and a path of theirs that does not exist as
they did when mounted directly."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from elektromail import ServerThread, web
from elektromail.http import pages

pytestmark = pytest.mark.timeout(30)

NOT_PAGES = ("/messages", "/openapi.json", "/docs", "/docs/static/x.js", "/healthz", "/events", "/web", "/u", "/mx")


def test_the_stand_in_claims_exactly_the_pages_paths(http_server: ServerThread) -> None:
    context = http_server.server.context
    assert context is not None
    routes = web.routes(context, http_server.server.reset)
    paths = [route.path for route in routes if isinstance(route, Route)]
    assert len(paths) == len(routes)
    assert paths and all(pages.owns(path) and web.owns(path) for path in paths)
    for path in (*paths, *NOT_PAGES, "/latest/x", "/m/", "/web/static/app.css"):
        assert pages.owns(path) == web.owns(path), path


def test_pages_answer_through_the_stand_in(client: httpx.Client) -> None:
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert inbox.headers["content-type"].startswith("text/html")
    assert client.get("/web/login").status_code == 200


def test_a_wrong_method_on_a_page_is_405_and_an_unknown_page_404(client: httpx.Client) -> None:
    assert client.post("/latest").status_code == 405
    assert client.put("/web/compose").status_code == 405
    assert client.get("/web/no-such-page").status_code == 404


def test_api_paths_keep_their_405_beside_the_pages(client: httpx.Client) -> None:
    response = client.put("/users")
    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed"}
