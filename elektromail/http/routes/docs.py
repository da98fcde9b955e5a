"""The OpenAPI document and the Swagger UI that renders it (pages themselves left out of the document)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from elektromail.http import docs
from elektromail.http.errors import NotFound
from elektromail.http.operations import Resource
from elektromail.http.plane import JSON, ControlPlane

resource = Resource()


@resource.operation("GET", "/openapi.json", "openapi", "This document", {}, documented=False)
async def openapi(plane: ControlPlane, request: Request) -> Response:
    return Response(plane.openapi, media_type=JSON)


@resource.operation("GET", "/docs", "docs", "The Swagger UI", {}, documented=False)
async def docs_page(plane: ControlPlane, request: Request) -> Response:
    return HTMLResponse(docs.page(request.query_params.get("token")))


@resource.operation("GET", docs.ASSET_PREFIX + "{name}", "docsAsset", "A file of the UI", {}, documented=False)
async def docs_asset(plane: ControlPlane, request: Request) -> Response:
    found = docs.asset(request.path_params["name"])
    if found is None:
        raise NotFound("no such file")
    content, media_type = found
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
