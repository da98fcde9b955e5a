"""SASL for SMTP AUTH (RFC 4954) and IMAP AUTHENTICATE (RFC 9051 6.2.2): every mechanism, once.

A mechanism is a chain of small steps: each takes the client's decoded response and answers with a
:class:`Challenge` (data for the client, and the step that takes its answer), :class:`Success` or
:class:`Failure`. The protocols only frame the exchange: base64 on the wire, ``334``/``+`` for a challenge,
their own replies for the outcome. Malformed client data raises :class:`SaslError` (SMTP ``501 5.5.2``,
IMAP ``BAD``).

Mechanisms: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195), XOAUTH2 (Google's
and Microsoft's form) and OAUTHBEARER (RFC 7628). On a test server a bearer token is the user's password;
with authentication disabled any credentials log in.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import msgspec

from elektromail.context import ServerContext
from elektromail.delivery.service import local_hostname
from elektromail.store.model import Account

# hmac and secrets (which load OpenSSL's digests through hashlib, over half a MiB) are imported where they
# are used: a server whose clients never authenticate never holds them.

MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER")

# Whether the stored password matches what the client proved (compared in constant time).
Proof = Callable[[str], bool]
Verifier = Callable[[str, Proof], Awaitable[Account | None]]


class SaslError(Exception):
    """The client's SASL data is malformed."""


class Challenge(NamedTuple):
    data: bytes  # to send, before base64
    next: Step  # takes the client's answer


class Success(NamedTuple):
    account: Account


class Failure(NamedTuple):
    authorization: bool = False  # the identity was proved but may not act as the one asked for


Result = Challenge | Success | Failure
Step = Callable[[bytes], Awaitable[Result]]
# A mechanism's start: the challenge that asks for the client's first response when it sent none as an
# initial response (empty when the client speaks first), and the step that takes that response.
Start = Callable[[Verifier], tuple[bytes, Step]]
# RFC 2195: the server speaks first, so the client has nothing to send with the command.
NO_INITIAL_RESPONSE = frozenset({"CRAM-MD5"})

FAILED = Failure()


def verifier(context: ServerContext) -> Verifier:
    """Checks a proof against the store. A user may give their name or their email address."""

    async def verify(username: str, proof: Proof) -> Account | None:
        if not username:
            return None
        store = context.store
        account = store.account(username) or store.account(store.owner_of(username) or "")
        if context.config.auth_disabled:
            return account or await store.ensure_account(username)
        if account is None or not proof(account.password):
            return None
        return account

    return verify


async def authenticate(context: ServerContext, username: str, password: str) -> Account | None:
    """The account for a user name and password (IMAP LOGIN), or None."""
    return await verifier(context)(username, password_proof(password))


def begin(mechanism: str, verify: Verifier, initial: bytes | None) -> Awaitable[Result]:
    """Start ``mechanism`` (upper-case, one of :data:`MECHANISMS`) with the client's initial response, if
    any (already base64-decoded; RFC 4959 ``=`` is ``b""``)."""
    opening, step = _STARTS[mechanism](verify)
    if initial is None:
        return _challenge(opening, step)
    if mechanism in NO_INITIAL_RESPONSE:
        raise SaslError(f"{mechanism} takes no initial response")
    return step(initial)


async def _challenge(data: bytes, step: Step) -> Result:
    return Challenge(data, step)


def decode_base64(data: bytes | str) -> bytes:
    """Strict base64: anything but the alphabet and correct padding is an error."""
    try:
        return b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SaslError("invalid base64") from None


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaslError(f"{what} is not UTF-8") from None


def password_proof(password: str) -> Proof:
    import hmac

    given = password.encode()
    return lambda stored: hmac.compare_digest(stored.encode(), given)


# ---------------------------------------------------------------- PLAIN and LOGIN


def parse_plain(data: bytes) -> tuple[str, str, str]:
    """RFC 4616: ``[authzid] NUL authcid NUL passwd`` -> (authzid, username, password)."""
    parts = data.split(b"\x00")
    if len(parts) != 3:
        raise SaslError("PLAIN response must be authzid NUL authcid NUL passwd")
    authzid, username, password = (_text(part, "PLAIN response") for part in parts)
    if not username:
        raise SaslError("PLAIN response has an empty user name")
    return authzid, username, password


def _plain(verify: Verifier) -> tuple[bytes, Step]:
    async def step(response: bytes) -> Result:
        authzid, username, password = parse_plain(response)
        account = await verify(username, password_proof(password))
        if account is None:
            return FAILED
        if authzid and authzid.lower() not in (username.lower(), account.name.lower()):
            return Failure(authorization=True)
        return Success(account)

    return b"", step


def _login(verify: Verifier) -> tuple[bytes, Step]:
    async def username_step(response: bytes) -> Result:
        username = _text(response, "user name")

        async def password_step(answer: bytes) -> Result:
            account = await verify(username, password_proof(_text(answer, "password")))
            return FAILED if account is None else Success(account)

        return Challenge(b"Password:", password_step)

    return b"Username:", username_step


# ---------------------------------------------------------------- CRAM-MD5 (RFC 2195)


def cram_md5_digest(password: str, challenge: bytes) -> str:
    import hmac

    return hmac.new(password.encode(), challenge, "md5").hexdigest()


def _cram_md5(verify: Verifier) -> tuple[bytes, Step]:
    import hmac
    import secrets

    # RFC 2195 2: a unique msg-id-like string; randomness makes replay of a captured answer useless.
    challenge = f"<{secrets.randbelow(10**12)}.{secrets.token_hex(4)}@{local_hostname()}>".encode()

    async def step(response: bytes) -> Result:
        username, _, digest = _text(response, "CRAM-MD5 response").rpartition(" ")
        if not username or len(digest) != 32:
            raise SaslError("CRAM-MD5 response must be user name, space, 32 hex digits")
        digest = digest.lower()
        account = await verify(username, lambda stored: hmac.compare_digest(cram_md5_digest(stored, challenge), digest))
        return FAILED if account is None else Success(account)

    return challenge, step


# ---------------------------------------------------------------- XOAUTH2 and OAUTHBEARER (RFC 7628)

_KV_SEPARATOR = b"\x01"
_BEARER = "Bearer "


def _bearer_token(pairs: dict[str, str]) -> str:
    auth = pairs.get("auth", "")
    if auth[: len(_BEARER)].lower() != _BEARER.lower():
        raise SaslError("auth must be 'Bearer <token>'")
    return auth[len(_BEARER) :].strip()


def _key_values(data: bytes) -> dict[str, str]:
    """``key=value`` pairs separated by ^A, ending in ^A^A (RFC 7628 3.1)."""
    if not data.endswith(_KV_SEPARATOR * 2):
        raise SaslError("the message must end with two ^A")
    pairs: dict[str, str] = {}
    for item in _text(data, "the message").split("\x01")[:-2]:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise SaslError(f"{item!r} is not key=value")
        pairs[key] = value
    return pairs


def parse_xoauth2(data: bytes) -> tuple[str, str]:
    """``user=<user> ^A auth=Bearer <token> ^A ^A`` -> (user, token)."""
    pairs = _key_values(data)
    if not pairs.get("user"):
        raise SaslError("XOAUTH2 needs user=")
    return pairs["user"], _bearer_token(pairs)


def parse_oauthbearer(data: bytes) -> tuple[str, str]:
    """RFC 7628 3.1: ``gs2-header ^A kvpairs ^A`` where the GS2 header is ``n,a=<user>,`` -> (user, token)."""
    header, separator, rest = data.partition(_KV_SEPARATOR)
    fields = _text(header, "the GS2 header").split(",")
    if not separator or len(fields) != 3 or fields[0] not in ("n", "y") or fields[2]:
        raise SaslError("OAUTHBEARER must start with a GS2 header such as 'n,a=user,'")
    if not fields[1].startswith("a="):
        raise SaslError("OAUTHBEARER needs the user as a=<user> in the GS2 header")
    # RFC 5801 4: "," and "=" are escaped as =2C and =3D in a saslname.
    user = fields[1][2:].replace("=2C", ",").replace("=3D", "=")
    return user, _bearer_token(_key_values(rest))


def _bearer(parse: Callable[[bytes], tuple[str, str]], error: dict[str, str]) -> Start:
    # RFC 7628 3.2.2: a refused token gets an error challenge; the client answers ^A, then the failure.
    error_challenge = msgspec.json.encode(error)

    async def after_error(response: bytes) -> Result:
        return FAILED

    def start(verify: Verifier) -> tuple[bytes, Step]:
        async def step(response: bytes) -> Result:
            user, token = parse(response)
            account = await verify(user, password_proof(token))
            return Challenge(error_challenge, after_error) if account is None else Success(account)

        return b"", step

    return start


_STARTS: dict[str, Start] = {
    "PLAIN": _plain,
    "LOGIN": _login,
    "CRAM-MD5": _cram_md5,
    # Google's and Microsoft's XOAUTH2 answer with the same kind of JSON.
    "XOAUTH2": _bearer(parse_xoauth2, {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}),
    "OAUTHBEARER": _bearer(parse_oauthbearer, {"status": "invalid_token", "schemes": "bearer", "scope": ""}),
}
