"""Listening sockets for a numeric bind address, made here rather than by the event loop.

Given a host name, uvloop resolves it with ``getaddrinfo`` on libuv's thread pool, even a literal address
such as the default ``0.0.0.0``: that starts four worker threads (each with its own malloc arena) and loads
the IDNA codec and ``unicodedata`` (0.17 MiB of the idle server's memory), none of which it needs. A literal
address needs no resolving, so the socket is made and bound here, as ``create_server`` would make it, and
handed to the loop. A name (``localhost``) is left to the loop, which may bind it more than once.
"""

from __future__ import annotations

import socket


def address_family(host: str) -> socket.AddressFamily | None:
    """AF_INET or AF_INET6 when ``host`` is an address literal, else None (a name to resolve)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return family
    return None


def bind_numeric(host: str, port: int) -> socket.socket | None:
    """A TCP socket bound to ``host``:``port`` with the options ``create_server(reuse_address=True)`` sets,
    not yet listening; None when ``host`` is not an address literal. Raises OSError as ``bind`` does."""
    family = address_family(host)
    if family is None:
        return None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            # As create_server does: an IPv6 listener takes IPv6 only, so "::" and "0.0.0.0" can both be bound.
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
