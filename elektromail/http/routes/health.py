"""``/healthz``: ready when every listener is up. Asked without credentials, it tells only its status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail import __version__
from elektromail.http.auth import authorized
from elektromail.http.operations import Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Health

resource = Resource()


@resource.operation(
    "GET",
    "/healthz",
    "health",
    "Ready when every listener is up",
    {200: Answer("ready; bound ports by listener", Health), 503: Answer("starting or stopping", Health)},
    description=(
        "Answers a request without credentials, so liveness probes work when `ELEKTROMAIL_HTTP_TOKEN` is "
        "set; that answer holds the status only (no listeners, an empty version). A wrong token gets 401."
    ),
)
async def healthz(plane: ControlPlane, request: Request) -> Response:
    lifecycle = plane.context.lifecycle
    if not lifecycle.ready:
        status_text = "stopping" if lifecycle.stopping else "starting"
        health = Health(status=status_text, listeners={}, version=__version__)
        status = 503
    else:
        health = Health(status="ok", listeners=plane.server.listener_ports(), version=__version__)
        status = 200
    if not authorized(request):
        health = Health(status=health.status, listeners={}, version="")
    return json_response(health, status)
