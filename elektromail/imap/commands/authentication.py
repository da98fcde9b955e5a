"""Not-authenticated state (RFC 9051 6.2): LOGIN, and AUTHENTICATE with every mechanism of
:mod:`elektromail.sasl` and SASL-IR (RFC 4959).

STARTTLS will live here too: it calls ``session.connection.start_tls`` after its tagged OK.
"""

from __future__ import annotations

from base64 import b64encode

from elektromail import sasl
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import NOT_AUTHENTICATED, CommandFailed, Ok, State, bad, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session
from elektromail.store.model import Account
from elektromail.store.provenance import AuthFacts


def parse_login(reader: Reader) -> tuple[str, str]:
    reader.sp()
    user = reader.text_astring()
    reader.sp()
    password = reader.text_astring()
    reader.end()
    return user, password


async def _logged_in(session: Session, account: Account | None, mechanism: str) -> Ok:
    if account is None:
        raise no("invalid credentials", codes.AUTHENTICATIONFAILED)
    session.account = account
    session.connection.transcript.authenticated(AuthFacts(mechanism=mechanism, user=account.name))
    session.state = State.AUTHENTICATED
    # RFC 9051 6.2.3: the capability list may change after login; send it so the client need not ask.
    return Ok("authenticated", session.capability_code())


@command("LOGIN", states=NOT_AUTHENTICATED, parse=parse_login)
async def login(session: Session, tag: str, arguments: tuple[str, str]) -> Ok | None:
    user, password = arguments
    return await _logged_in(session, await sasl.authenticate(session.context, user, password), "LOGIN")


def parse_authenticate(reader: Reader) -> tuple[str, bytes | None]:
    """``AUTHENTICATE SP auth-type [SP (base64 / "=")]`` (RFC 9051 6.2.2, RFC 4959)."""
    reader.sp()
    mechanism = reader.keyword()
    initial: bytes | None = None
    if not reader.at_end():
        reader.sp()
        initial = reader.data[reader.pos :]
        reader.pos = len(reader.data)
        if not initial:
            raise reader.error("empty initial response")
    return mechanism, initial


CANCEL = b"*"
# The longest exchange any mechanism has (LOGIN: user name, password), with room to spare.
SASL_STEPS_MAX = 4


async def _step(session: Session, challenge: bytes) -> bytes:
    """One SASL round trip; ``*`` from the client cancels the exchange (RFC 9051 6.2.2)."""
    answer = (await session.continuation(b64encode(challenge))).strip()
    if answer == CANCEL:
        raise bad("authentication cancelled")
    return sasl.decode_base64(answer)


@command("AUTHENTICATE", states=NOT_AUTHENTICATED, parse=parse_authenticate)
async def authenticate(session: Session, tag: str, arguments: tuple[str, bytes | None]) -> Ok | None:
    mechanism, initial = arguments
    if mechanism not in sasl.MECHANISMS:
        raise no(f"unsupported mechanism {mechanism}", codes.CANNOT)
    try:
        # RFC 4959: "=" is an empty initial response.
        response = None if initial is None else b"" if initial == b"=" else sasl.decode_base64(initial)
        outcome = await sasl.begin(mechanism, sasl.verifier(session.context), response)
        for _ in range(SASL_STEPS_MAX):
            if not isinstance(outcome, sasl.Challenge):
                break
            outcome = await outcome.next(await _step(session, outcome.data))
    except sasl.SaslError as error:
        raise CommandFailed(f"invalid SASL response: {error}", status="BAD") from None
    if isinstance(outcome, sasl.Failure) and outcome.authorization:
        raise no("cannot act as another user", codes.AUTHORIZATIONFAILED)
    return await _logged_in(session, outcome.account if isinstance(outcome, sasl.Success) else None, mechanism)
