"""Certificates: generated, cached, or supplied; bad files are clear errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography import x509

from elektromail.config import Config, ConfigError
from elektromail.tls import (
    CERT_FILE_NAME,
    KEY_FILE_NAME,
    TlsProvider,
    certificate_names,
    check_pair,
    generate_certificate,
)


def _alt_names(cert_pem: bytes) -> tuple[list[str], list[str]]:
    certificate = x509.load_pem_x509_certificate(cert_pem)
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return san.get_values_for_type(x509.DNSName), [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def test_generated_certificate_names_loopback_host_and_extra_names() -> None:
    config = Config(tls_hostnames=("mail.test", "10.1.2.3"))
    names = certificate_names(config)
    cert_pem, key_pem = generate_certificate(names)
    dns, ips = _alt_names(cert_pem)
    assert "localhost" in dns
    assert "mail.test" in dns
    assert set(ips) >= {"127.0.0.1", "::1", "10.1.2.3"}
    expiry = check_pair(cert_pem, key_pem, "test")
    certificate = x509.load_pem_x509_certificate(cert_pem)
    lifetime = expiry - certificate.not_valid_before_utc
    assert 364 <= lifetime.days <= 366


def test_mismatched_pair_is_rejected() -> None:
    cert_a, _ = generate_certificate(["a.test"])
    _, key_b = generate_certificate(["b.test"])
    with pytest.raises(ConfigError, match="do not match"):
        check_pair(cert_a, key_b, "ELEKTROMAIL_TLS_CERT/ELEKTROMAIL_TLS_KEY")


def test_garbage_pem_is_rejected() -> None:
    cert, key = generate_certificate(["a.test"])
    with pytest.raises(ConfigError, match=r"not a valid PEM X\.509 certificate"):
        check_pair(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", key, "x")
    with pytest.raises(ConfigError, match="not a valid unencrypted PEM private key"):
        check_pair(cert, b"not a key", "x")


async def _material_pem(config: Config) -> bytes:
    provider = TlsProvider(config)
    provider.prepare()
    return (await provider.material()).certificate_pem


async def test_tls_dir_keeps_the_same_certificate(tmp_path: Path) -> None:
    config = Config(tls_dir=str(tmp_path / "tls"))
    first = await _material_pem(config)
    assert (tmp_path / "tls" / CERT_FILE_NAME).read_bytes() == first
    assert (tmp_path / "tls" / KEY_FILE_NAME).stat().st_mode & 0o077 == 0
    second = await _material_pem(config)
    assert second == first


async def test_without_tls_dir_each_start_generates_anew() -> None:
    first, second = await asyncio.gather(_material_pem(Config()), _material_pem(Config()))
    assert first != second


async def test_user_files_are_used(tmp_path: Path) -> None:
    cert_pem, key_pem = generate_certificate(["own.test"])
    (tmp_path / "c.pem").write_bytes(cert_pem)
    (tmp_path / "k.pem").write_bytes(key_pem)
    config = Config(tls_cert=str(tmp_path / "c.pem"), tls_key=str(tmp_path / "k.pem"))
    assert await _material_pem(config) == cert_pem


def test_missing_user_file_names_the_setting(tmp_path: Path) -> None:
    config = Config(tls_cert=str(tmp_path / "absent.pem"), tls_key=str(tmp_path / "absent-key.pem"))
    with pytest.raises(ConfigError, match=r"^ELEKTROMAIL_TLS_CERT: cannot read .*absent.pem"):
        TlsProvider(config).prepare()


def test_corrupt_cache_is_an_error_not_a_silent_replacement(tmp_path: Path) -> None:
    (tmp_path / CERT_FILE_NAME).write_bytes(b"garbage")
    (tmp_path / KEY_FILE_NAME).write_bytes(b"garbage")
    with pytest.raises(ConfigError, match="ELEKTROMAIL_TLS_DIR"):
        TlsProvider(Config(tls_dir=str(tmp_path))).prepare()
