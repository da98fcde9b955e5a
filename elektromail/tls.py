"""TLS material: the user's PEM files, a cached certificate, or one generated at start.

Generation (ECDSA P-256, self-signed, a year of validity) costs a few milliseconds but importing
``cryptography`` costs more (time, and some 14 MiB of memory), so a generated certificate is made on a
worker thread when first needed: the first STARTTLS, implicit-TLS listener or ``GET /tls/certificate``
waits for it. User-supplied and cached files are checked
before any socket opens, so a bad file stops start-up with a clear message.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import socket
import ssl
import weakref
from pathlib import Path

from elektromail.config import Config, ConfigError
from elektromail.store.provenance import TlsFacts

CERT_FILE_NAME = "elektromail-cert.pem"
KEY_FILE_NAME = "elektromail-key.pem"
VALIDITY = datetime.timedelta(days=365)
# Regenerate a cached certificate this close to its expiry rather than serve one about to lapse.
RENEW_BEFORE = datetime.timedelta(days=7)
BASE_NAMES = ("localhost", "127.0.0.1", "::1")


class TlsMaterial:
    """A server SSL context and the PEM certificate clients may trust."""

    def __init__(self, context: ssl.SSLContext, certificate_pem: bytes) -> None:
        self.context = context
        self.certificate_pem = certificate_pem


def server_context(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """TLS 1.2 and 1.3 only. ``ssl`` loads chains from files only: a private temporary directory holds
    them for the duration of the call."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sni_callback = _remember_server_name
    import tempfile  # here: start-up does not pay for it unless TLS is used

    with tempfile.TemporaryDirectory(prefix="elektromail-tls-") as directory:
        cert_path = Path(directory, "cert.pem")
        key_path = Path(directory, "key.pem")
        cert_path.write_bytes(cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        context.load_cert_chain(cert_path, key_path)
    return context


# The server name each TLS connection's client asked for (RFC 6066 3), for transcripts and deliveries.
_server_names: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def _remember_server_name(connection: object, server_name: str | None, context: ssl.SSLContext) -> None:
    if server_name is not None:
        _server_names[connection] = server_name


def connection_facts(transport: object) -> TlsFacts | None:
    """Protocol version, cipher and SNI of a TLS transport; None for a plain one."""
    get_extra_info = getattr(transport, "get_extra_info", None)
    ssl_object = get_extra_info("ssl_object") if get_extra_info is not None else None
    if ssl_object is None:
        return None
    cipher = ssl_object.cipher()
    return TlsFacts(
        version=ssl_object.version() or "unknown",
        cipher=cipher[0] if cipher else "unknown",
        sni=_server_names.get(ssl_object),
    )


def certificate_names(config: Config) -> list[str]:
    names = [*BASE_NAMES, socket.gethostname(), *config.tls_hostnames]
    return list(dict.fromkeys(name for name in names if name))


def generate_certificate(names: list[str]) -> tuple[bytes, bytes]:
    """A self-signed ECDSA P-256 certificate for ``names`` (DNS names and IP addresses)."""
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        # A self-signed leaf that clients can use directly as their trust anchor.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem


def check_pair(cert_pem: bytes, key_pem: bytes, source: str) -> datetime.datetime:
    """Validate a PEM certificate and key; returns the certificate's expiry. Errors name ``source``."""

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise ConfigError(f"{source}: the certificate is not a valid PEM X.509 certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{source}: the key is not a valid unencrypted PEM private key") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if certificate.public_key().public_bytes(serialization.Encoding.PEM, public) != key.public_key().public_bytes(
        serialization.Encoding.PEM, public
    ):
        raise ConfigError(f"{source}: the certificate and the key do not match")
    return certificate.not_valid_after_utc


def _read(path: str, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"{setting}: cannot read {path}: {error.strerror}") from None


def load_user_files(config: Config) -> TlsMaterial:
    assert config.tls_cert is not None and config.tls_key is not None
    cert_pem = _read(config.tls_cert, "ELEKTROMAIL_TLS_CERT")
    key_pem = _read(config.tls_key, "ELEKTROMAIL_TLS_KEY")
    check_pair(cert_pem, key_pem, "ELEKTROMAIL_TLS_CERT/ELEKTROMAIL_TLS_KEY")
    return TlsMaterial(server_context(cert_pem, key_pem), cert_pem)


def load_cached(directory: str) -> TlsMaterial | None:
    """The certificate kept in ``ELEKTROMAIL_TLS_DIR``, or None when there is none or it is expiring."""
    cert_path = Path(directory, CERT_FILE_NAME)
    key_path = Path(directory, KEY_FILE_NAME)
    if not cert_path.exists() and not key_path.exists():
        return None
    cert_pem = _read(str(cert_path), "ELEKTROMAIL_TLS_DIR")
    key_pem = _read(str(key_path), "ELEKTROMAIL_TLS_DIR")
    expires = check_pair(cert_pem, key_pem, f"ELEKTROMAIL_TLS_DIR ({directory})")
    if expires - datetime.datetime.now(datetime.UTC) < RENEW_BEFORE:
        return None
    return TlsMaterial(server_context(cert_pem, key_pem), cert_pem)


def save_cached(directory: str, cert_pem: bytes, key_pem: bytes) -> None:
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
        key_path = Path(directory, KEY_FILE_NAME)
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(key_pem)
        Path(directory, CERT_FILE_NAME).write_bytes(cert_pem)
    except OSError as error:
        raise ConfigError(f"ELEKTROMAIL_TLS_DIR: cannot write to {directory}: {error.strerror}") from None


def generate(config: Config) -> TlsMaterial:
    cert_pem, key_pem = generate_certificate(certificate_names(config))
    if config.tls_dir is not None:
        save_cached(config.tls_dir, cert_pem, key_pem)
    return TlsMaterial(server_context(cert_pem, key_pem), cert_pem)


def tls_wanted(config: Config) -> bool:
    return not config.tls_disabled or config.smtps_port is not None or config.imaps_port is not None


class TlsProvider:
    """Hands out the TLS material, waiting for a certificate that is still being generated."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._material: TlsMaterial | None = None
        self._pending: asyncio.Future[TlsMaterial] | None = None
        self._generate = False

    def prepare(self) -> None:
        """Check or load files now (errors stop start-up); start generating in the background otherwise."""
        config = self.config
        if config.tls_cert is not None:
            self._material = load_user_files(config)
            return
        if config.tls_dir is not None:
            self._material = load_cached(config.tls_dir)
            if self._material is not None:
                return
            # The cache directory must be writable: find out now, not after the listeners start.
            save_probe = Path(config.tls_dir)
            if save_probe.exists() and not os.access(save_probe, os.W_OK):
                raise ConfigError(f"ELEKTROMAIL_TLS_DIR: {config.tls_dir} is not writable")
        self._generate = True

    def begin(self) -> None:
        """Start generating the certificate (on first need: most test runs never use TLS)."""
        if self._generate and self._pending is None:
            self._pending = asyncio.ensure_future(asyncio.to_thread(generate, self.config))

    @property
    def ready(self) -> TlsMaterial | None:
        """The material if it is already there (no waiting)."""
        return self._material

    async def material(self) -> TlsMaterial:
        if self._material is None:
            self.begin()
            assert self._pending is not None, "TlsProvider.prepare() was not called"
            self._material = await self._pending
        return self._material

    async def close(self) -> None:
        if self._pending is not None and not self._pending.done():
            with contextlib.suppress(Exception):
                await self._pending
