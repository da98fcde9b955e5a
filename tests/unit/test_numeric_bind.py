"""Which bind addresses are made into sockets directly, and how those sockets are set up."""

from __future__ import annotations

import errno
import socket

import pytest

from elektromail.numeric_bind import address_family, bind_numeric


@pytest.mark.parametrize(
    ("host", "family"),
    [
        ("0.0.0.0", socket.AF_INET),
        ("127.0.0.1", socket.AF_INET),
        ("::", socket.AF_INET6),
        ("::1", socket.AF_INET6),
        ("::ffff:127.0.0.1", socket.AF_INET6),
        ("localhost", None),
        ("mail.example", None),
        ("", None),
        ("127.1", None),  # inet_aton's short form: a name for getaddrinfo, which still reads it
        ("1.2.3.4\x00", None),
    ],
)
def test_only_address_literals_skip_resolving(host: str, family: socket.AddressFamily | None) -> None:
    assert address_family(host) == family


def test_a_literal_gets_a_bound_non_blocking_socket_that_reuses_its_address() -> None:
    sock = bind_numeric("127.0.0.1", 0)
    assert sock is not None
    with sock:
        assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
        assert sock.getblocking() is False
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1


def test_an_ipv6_literal_takes_ipv6_only() -> None:
    sock = bind_numeric("::1", 0)
    assert sock is not None
    with sock:
        assert sock.family == socket.AF_INET6
        assert sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1


def test_a_name_is_left_to_the_loop() -> None:
    assert bind_numeric("localhost", 0) is None


def test_a_port_in_use_raises_as_bind_does() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError, match="in use") as raised:
            bind_numeric("127.0.0.1", busy.getsockname()[1])
    assert raised.value.errno == errno.EADDRINUSE
