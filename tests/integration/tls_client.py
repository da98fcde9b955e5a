"""Client-side TLS for tests: trust exactly the certificate the server presents."""

from __future__ import annotations

import ssl

from elektromail import ServerThread
from tests.servers import BinaryServer


def certificate_pem(server: ServerThread) -> bytes:
    """The certificate the server presents, as a client would obtain it."""
    if isinstance(server, BinaryServer):
        return server.certificate_pem()
    context = server.server.context
    assert context is not None
    assert context.tls is not None
    provider = context.tls

    async def material() -> bytes:
        return (await provider.material()).certificate_pem

    pem: bytes = server.call(material)
    return pem


def client_context(server: ServerThread) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=certificate_pem(server).decode())
