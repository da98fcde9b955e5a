"""Commands valid in any state (RFC 9051 6.1): CAPABILITY, NOOP, LOGOUT, and ID (RFC 2971)."""

from __future__ import annotations

from elektromail.imap.engine import responses
from elektromail.imap.engine.command_table import ANY, Ok, State, capability, command
from elektromail.imap.engine.limits import MAX_ID_FIELDS, MAX_ID_STRING
from elektromail.imap.engine.parser import Reader, no_arguments
from elektromail.imap.engine.session import SERVER_ID, Session

capability("LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT")


@command("CAPABILITY", states=ANY, parse=no_arguments)
async def capability_command(session: Session, tag: str, arguments: None) -> Ok | None:
    session.untagged(b"CAPABILITY " + " ".join(session.capabilities()).encode("ascii"))
    return None


@command("NOOP", states=ANY, parse=no_arguments)
async def noop(session: Session, tag: str, arguments: None) -> Ok | None:
    return None  # pending updates go out before the tagged OK, as after every command


@command("LOGOUT", states=ANY, parse=no_arguments)
async def logout(session: Session, tag: str, arguments: None) -> Ok | None:
    session.deselect()
    session.untagged(b"BYE logging out")
    session.state = State.LOGOUT
    return None


def parse_id(reader: Reader) -> list[tuple[str, str | None]] | None:
    """RFC 2971 3.3: ``ID ("field" "value" ...)`` or ``ID NIL``."""
    reader.sp()
    if reader.take(b"NIL"):
        reader.end()
        return None
    reader.expect(b"(", "( or NIL")
    fields: list[tuple[str, str | None]] = []
    if not reader.close_paren():
        while True:
            field = reader.string()
            reader.sp()
            value = reader.nstring()
            if len(field) > MAX_ID_STRING or (value is not None and len(value) > MAX_ID_STRING):
                raise reader.error("ID strings are limited to 1024 octets")
            fields.append(
                (field.decode("utf-8", "replace"), None if value is None else value.decode("utf-8", "replace"))
            )
            if len(fields) > MAX_ID_FIELDS:
                raise reader.error("ID allows at most 30 field-value pairs")
            if reader.close_paren():
                break
            reader.sp()
    reader.end()
    return fields


@command("ID", states=ANY, parse=parse_id)
async def id_command(session: Session, tag: str, arguments: list[tuple[str, str | None]] | None) -> Ok | None:
    pairs = b" ".join(responses.quoted(k.encode()) + b" " + responses.quoted(v.encode()) for k, v in SERVER_ID)
    session.untagged(b"ID (" + pairs + b")")
    return None
