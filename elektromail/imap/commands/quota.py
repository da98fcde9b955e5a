"""QUOTA (RFC 9208), minimal: one quota root per user covering every mailbox, STORAGE only, no limit
enforced (a test server should not refuse mail for space)."""

from __future__ import annotations

from elektromail.imap.commands.mailboxes import find_mailbox
from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.command_table import AUTHENTICATED, Ok, capability, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session

capability("QUOTA", "QUOTA=RES-STORAGE")

QUOTA_ROOT = ""
# RFC 9208 5.1: STORAGE is counted in units of 1024 octets. 1 TiB: large enough never to bind.
STORAGE_LIMIT_KIB = 1024 * 1024 * 1024


def _quota_line(session: Session) -> bytes:
    account = session.require_account()
    used = sum(mailbox.total_size for mailbox in account.mailboxes.values())
    return b"QUOTA %s (STORAGE %d %d)" % (
        responses.quoted(QUOTA_ROOT.encode()),
        (used + 1023) // 1024,
        STORAGE_LIMIT_KIB,
    )


def parse_root(reader: Reader) -> str:
    reader.sp()
    root = reader.text_astring()
    reader.end()
    return root


@command("GETQUOTA", states=AUTHENTICATED, parse=parse_root)
async def getquota(session: Session, tag: str, root: str) -> Ok | None:
    if root != QUOTA_ROOT:
        raise no("no such quota root", codes.NONEXISTENT)
    session.untagged(_quota_line(session))
    return None


def parse_mailbox(reader: Reader) -> str:
    reader.sp()
    name = reader.mailbox()
    reader.end()
    return name


@command("GETQUOTAROOT", states=AUTHENTICATED, parse=parse_mailbox)
async def getquotaroot(session: Session, tag: str, name: str) -> Ok | None:
    mailbox = find_mailbox(session, name)
    if mailbox is None:
        raise no("no such mailbox", codes.NONEXISTENT)
    wire_name = responses.mailbox_name(mailbox.name, session.utf8)
    session.untagged(b"QUOTAROOT " + wire_name + b" " + responses.quoted(QUOTA_ROOT.encode()))
    session.untagged(_quota_line(session))
    return None
