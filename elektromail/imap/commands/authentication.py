"""Not-authenticated state (RFC 9051 6.2): LOGIN and AUTHENTICATE PLAIN/LOGIN with SASL-IR (RFC 4959).

STARTTLS will live here too: it calls ``session.connection.start_tls`` after its tagged OK.
"""

from __future__ import annotations

from elektromail import auth
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import NOT_AUTHENTICATED, CommandFailed, Ok, State, bad, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session
from elektromail.store.model import Account


def parse_login(reader: Reader) -> tuple[str, str]:
    reader.sp()
    user = reader.text_astring()
    reader.sp()
    password = reader.text_astring()
    reader.end()
    return user, password


async def _logged_in(session: Session, account: Account | None) -> Ok:
    if account is None:
        raise no("invalid credentials", codes.AUTHENTICATIONFAILED)
    session.account = account
    session.state = State.AUTHENTICATED
    # RFC 9051 6.2.3: the capability list may change after login; send it so the client need not ask.
    return Ok("authenticated", session.capability_code())


@command("LOGIN", states=NOT_AUTHENTICATED, parse=parse_login)
async def login(session: Session, tag: str, arguments: tuple[str, str]) -> Ok | None:
    user, password = arguments
    return await _logged_in(session, await auth.authenticate(session.context, user, password))


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


async def _step(session: Session, prompt: bytes) -> bytes:
    """One SASL round trip; ``*`` from the client cancels the exchange (RFC 9051 6.2.2)."""
    answer = (await session.continuation(prompt)).strip()
    if answer == CANCEL:
        raise bad("authentication cancelled")
    return answer


def _initial(data: bytes) -> bytes:
    return b"" if data == b"=" else data  # RFC 4959: "=" is an empty initial response


@command("AUTHENTICATE", states=NOT_AUTHENTICATED, parse=parse_authenticate)
async def authenticate(session: Session, tag: str, arguments: tuple[str, bytes | None]) -> Ok | None:
    mechanism, initial = arguments
    try:
        if mechanism == "PLAIN":
            response = _initial(initial) if initial is not None else await _step(session, b"")
            authzid, user, password = auth.parse_plain(response)
            if authzid and authzid != user:
                raise no("cannot act as another user", codes.AUTHORIZATIONFAILED)
        elif mechanism == "LOGIN":
            user_data = _initial(initial) if initial is not None else await _step(session, b"VXNlcm5hbWU6")
            user = auth.decode_text(user_data)
            password = auth.decode_text(await _step(session, b"UGFzc3dvcmQ6"))
        else:
            raise no(f"unsupported mechanism {mechanism}", codes.CANNOT)
    except auth.SaslError as error:
        raise CommandFailed(f"invalid SASL response: {error}", status="BAD") from None
    return await _logged_in(session, await auth.authenticate(session.context, user, password))
