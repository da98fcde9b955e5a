"""Implicit-TLS listeners (SMTPS, IMAPS) and TLS start-up errors."""

from __future__ import annotations

import socket
import ssl
import warnings
from pathlib import Path

import pytest

from elektromail.tls import generate_certificate
from tests.conftest import ServerFactory
from tests.integration.process import run_cli
from tests.integration.tls_client import client_context
from tests.servers import client_host


def _greeting_over_tls(port: int, context: ssl.SSLContext, server_name: str = "localhost") -> bytes:
    with (
        socket.create_connection((client_host(), port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        return tls.recv(200)


@pytest.mark.parametrize("server_name", ["localhost", "127.0.0.1"])
def test_implicit_tls_listeners_verify_against_the_served_certificate(
    make_server: ServerFactory, server_name: str
) -> None:
    server = make_server(smtps_port=0, imaps_port=0)
    context = client_context(server)
    assert _greeting_over_tls(server.port("SMTPS"), context, server_name).startswith(b"220 ")
    assert _greeting_over_tls(server.port("IMAPS"), context, server_name).startswith(b"* OK")


def test_tls_below_1_2_is_refused(make_server: ServerFactory) -> None:
    server = make_server(imaps_port=0)
    context = client_context(server)
    with warnings.catch_warnings():  # the client deliberately offers only deprecated versions
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _greeting_over_tls(server.port("IMAPS"), context)


def test_implicit_tls_works_even_with_starttls_disabled(make_server: ServerFactory) -> None:
    server = make_server(tls_disabled=True, smtps_port=0)
    assert _greeting_over_tls(server.port("SMTPS"), client_context(server)).startswith(b"220 ")


def test_bad_pem_stops_start_up(tmp_path: Path) -> None:
    cert_pem, _ = generate_certificate(["a.test"])
    _, other_key = generate_certificate(["b.test"])
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(other_key)
    (tmp_path / "junk.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\njunk\n-----END CERTIFICATE-----\n")
    base = {"SMTP_PORT": "0", "IMAP_PORT": "0", "BIND_ADDR": "127.0.0.1"}
    mismatched = run_cli(
        [],
        {**base, "ELEKTROMAIL_TLS_CERT": str(tmp_path / "cert.pem"), "ELEKTROMAIL_TLS_KEY": str(tmp_path / "key.pem")},
    )
    assert mismatched.returncode == 2
    assert "the certificate and the key do not match" in mismatched.stderr
    junk = run_cli(
        [],
        {**base, "ELEKTROMAIL_TLS_CERT": str(tmp_path / "junk.pem"), "ELEKTROMAIL_TLS_KEY": str(tmp_path / "key.pem")},
    )
    assert junk.returncode == 2
    assert "not a valid PEM X.509 certificate" in junk.stderr
    assert "Traceback" not in junk.stderr + mismatched.stderr
