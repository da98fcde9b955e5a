"""The server's TLS certificate, for clients to trust."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.errors import NotFound
from elektromail.http.operations import Answer, Resource
from elektromail.http.plane import ControlPlane
from elektromail.http.schemas import Error

resource = Resource()


@resource.operation(
    "GET",
    "/tls/certificate",
    "getTlsCertificate",
    "The server's TLS certificate (PEM), to trust in clients",
    {
        200: Answer("the certificate", media_type="application/x-pem-file"),
        404: Answer("TLS is not enabled", Error),
    },
)
async def tls_certificate(plane: ControlPlane, request: Request) -> Response:
    if plane.context.tls is None:
        raise NotFound("TLS is not enabled on this server")
    material = await plane.context.tls.material()
    return Response(material.certificate_pem, media_type="application/x-pem-file")
