"""The web inbox: pages rendered by the server on the HTTP port, reading the store as the JSON API does.

:func:`routes` gives the HTTP app everything at once; :func:`owns` tells the API's bearer-token check which
paths are the pages' (they check the token themselves, from a session cookie, see :mod:`.auth`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from elektromail.context import ServerContext
from elektromail.web import assets
from elektromail.web.actions import Actions
from elektromail.web.forms import Forms
from elektromail.web.live import Live
from elektromail.web.pages import Pages
from elektromail.web.sessions import Sessions
from elektromail.web.site import Site

PAGE_PREFIXES = ("/u/", "/m/", "/web/")
PAGE_PATHS = frozenset({"/", "/latest"})


def owns(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIXES)


async def _asset(request: Request) -> Response:
    found = assets.find(request.path_params["name"])
    if found is None:
        return Response("no such file\n", 404, media_type="text/plain")
    headers = {"Cache-Control": assets.CACHE_FOREVER, "X-Content-Type-Options": "nosniff"}
    return Response(found.content, media_type=found.media_type, headers=headers)


def routes(context: ServerContext, reset: Callable[[], Awaitable[None]]) -> list[BaseRoute]:
    site = Site(context, reset)
    pages, actions, forms, live, sessions = Pages(site), Actions(site), Forms(site), Live(site), Sessions(site)
    guarded = site.guarded
    get, post = ["GET"], ["POST"]
    return [
        Route("/", guarded(pages.inbox), methods=get),
        Route("/u/{user}", guarded(pages.inbox), methods=get),
        Route("/u/{user}/{mailbox:path}", guarded(pages.inbox), methods=get),
        Route("/latest", guarded(pages.latest), methods=get),
        Route("/m/{id}", guarded(pages.message), methods=get),
        Route("/m/{id}/body", guarded(pages.body), methods=get),
        Route("/m/{id}/raw", guarded(pages.raw), methods=get),
        Route("/m/{id}/part/{path}", guarded(pages.part), methods=get),
        Route("/m/{id}/act", guarded(actions.act), methods=post),
        Route("/web/bulk", guarded(actions.bulk), methods=post),
        Route("/web/compose", guarded(forms.compose_page), methods=get),
        Route("/web/compose", guarded(forms.compose), methods=post),
        Route("/web/rules", guarded(forms.rules_page), methods=get),
        Route("/web/rules", guarded(forms.save_rules), methods=post),
        Route("/web/server", guarded(forms.server_page), methods=get),
        Route("/web/server", guarded(forms.server_action), methods=post),
        Route("/web/sessions", guarded(sessions.list_page), methods=get),
        Route("/web/sessions/{id}", guarded(sessions.session_page), methods=get),
        Route("/web/sessions/{id}/transcript", guarded(sessions.transcript), methods=get),
        Route("/web/live", guarded(live.stream), methods=get),
        Route("/web/login", guarded(forms.login_page, public=True), methods=get),
        Route("/web/login", guarded(forms.login, public=True), methods=post),
        Route(assets.ASSET_PREFIX + "{name}", _asset, methods=get),
    ]
