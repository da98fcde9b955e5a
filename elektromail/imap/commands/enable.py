"""ENABLE (RFC 5161, RFC 9051 6.3.1): IMAP4rev2 and UTF8=ACCEPT (RFC 6855) switch the session's mode;
CONDSTORE (RFC 7162 3.1) turns on mod-sequences in responses, QRESYNC (RFC 7162 3.2) VANISHED and
CONDSTORE with it."""

from __future__ import annotations

from elektromail.imap.engine.command_table import Ok, State, capability, command
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import CONDSTORE, QRESYNC, Session

capability("UTF8=ACCEPT")

ENABLEABLE = {"IMAP4REV2": "IMAP4rev2", "UTF8=ACCEPT": "UTF8=ACCEPT", CONDSTORE: CONDSTORE, QRESYNC: QRESYNC}


def parse_enable(reader: Reader) -> list[str]:
    names: list[str] = []
    while not reader.at_end():
        reader.sp()
        names.append(reader.keyword())
    if not names:
        raise reader.error("ENABLE needs at least one capability")
    return names


@command("ENABLE", states=frozenset({State.AUTHENTICATED}), parse=parse_enable)
async def enable(session: Session, tag: str, names: list[str]) -> Ok | None:
    newly: list[str] = []
    for name in names:
        if name in ENABLEABLE and name not in session.enabled:
            if name == QRESYNC:
                session.enabled.add(CONDSTORE)  # RFC 7162 3.2.3: QRESYNC implies CONDSTORE
            session.enabled.add(name)
            newly.append(ENABLEABLE[name])
    # RFC 5161 3.2: ENABLED lists only what this command enabled; unknown names are ignored.
    session.untagged(b"ENABLED" + b"".join(b" " + name.encode("ascii") for name in newly))
    return None
