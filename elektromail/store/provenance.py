"""How a stored message arrived: the SMTP envelope it was delivered for and the facts of its delivery.

Headers say what the sender wrote; the envelope says to whom the message was really sent (a Bcc recipient
is only here) and the delivery says how (which session, EHLO name, TLS, AUTH). Each copy of a message
keeps its own record, since one SMTP transaction stores one copy per recipient user. The records are
immutable, shared by the HTTP views and the search, and persisted as JSON by the SQLite backend.

Every record is frozen and holds only text, numbers, times and other records, so none can be part of a
reference cycle: they are left out of the cycle collector (``gc=False``), which saves 16 octets each and
keeps the collector from walking tens of thousands of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from elektromail.interning import bounded_interner

# Where a message came from: an SMTP session, POST /inject, IMAP APPEND, the preload directory, or a
# delivery status notification the server wrote itself.
Protocol = Literal["smtp", "http", "imap", "preload", "bounce"]
SMTP: Protocol = "smtp"
HTTP: Protocol = "http"
IMAP: Protocol = "imap"
PRELOAD: Protocol = "preload"
BOUNCE: Protocol = "bounce"


class RecipientParameters(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """The DSN parameters one RCPT TO gave (RFC 3461 4.1, 4.2); only recipients that gave any are listed."""

    address: str
    notify: Annotated[tuple[str, ...] | None, msgspec.Meta(description="NOTIFY keywords; [] for NEVER")] = None
    orcpt: Annotated[str | None, msgspec.Meta(description='ORCPT decoded, e.g. "rfc822;user@example.com"')] = None


class Envelope(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The SMTP envelope (RFC 5321 2.3.1) of one delivered copy, as the client wrote it."""

    mail_from: Annotated[str, msgspec.Meta(description='the reverse path; "" for the null path <>')]
    rcpt_to: Annotated[
        tuple[str, ...], msgspec.Meta(description="every RCPT TO address this copy was delivered for, as written")
    ]
    body: Annotated[str | None, msgspec.Meta(description="BODY= of MAIL (RFC 6152): 7BIT or 8BITMIME")] = None
    smtputf8: Annotated[bool, msgspec.Meta(description="SMTPUTF8 was declared (RFC 6531)")] = False
    size: Annotated[int | None, msgspec.Meta(description="SIZE= of MAIL (RFC 1870)")] = None
    ret: Annotated[str | None, msgspec.Meta(description="RET= of MAIL (RFC 3461): FULL or HDRS")] = None
    envid: Annotated[str | None, msgspec.Meta(description="ENVID= of MAIL (RFC 3461), decoded")] = None
    recipient_parameters: tuple[RecipientParameters, ...] = ()


class TlsFacts(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    version: Annotated[str, msgspec.Meta(description='e.g. "TLSv1.3"')]
    cipher: Annotated[str, msgspec.Meta(description='e.g. "TLS_AES_256_GCM_SHA384"')]
    sni: Annotated[str | None, msgspec.Meta(description="the server name the client asked for")] = None


class AuthFacts(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    mechanism: Annotated[str, msgspec.Meta(description='the SASL mechanism, e.g. "PLAIN"; "LOGIN" for IMAP LOGIN')]
    user: str


class Delivery(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """How the message reached the store. Fields a path cannot honestly know are null."""

    protocol: Protocol
    received_at: datetime
    session_id: Annotated[str | None, msgspec.Meta(description="the session in GET /sessions/{id}")] = None
    client: Annotated[str | None, msgspec.Meta(description="the client's address:port")] = None
    helo: Annotated[str | None, msgspec.Meta(description="the EHLO or HELO name")] = None
    tls: TlsFacts | None = None
    auth: AuthFacts | None = None


class Provenance(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Everything a message keeps about its arrival; ``envelope`` is null where there was none (APPEND)."""

    delivery: Delivery
    envelope: Envelope | None = None


# A test run's transactions mostly repeat one envelope (the same sender to the same recipients): the
# copies share one record per distinct envelope, not one each with its own strings. Bounded, and
# emptied when full, so that endless variety cannot grow it.
SHARED_ENVELOPES_MAX = 1024
_envelopes: dict[Envelope, Envelope] = {}
shared_envelope: Callable[[Envelope], Envelope] = bounded_interner(_envelopes, SHARED_ENVELOPES_MAX)


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Provenance).decode


def encode_provenance(provenance: Provenance) -> bytes:
    return _encode(provenance)


def decode_provenance(data: bytes | str) -> Provenance:
    return _decode(data)


def client_address(peer: object) -> str | None:
    """``host:port`` (``[v6]:port``) from a transport's peername, or None for anything else."""
    if isinstance(peer, tuple) and len(peer) >= 2:
        host, port = peer[0], peer[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return None
