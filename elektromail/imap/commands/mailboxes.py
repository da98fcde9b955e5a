"""Authenticated-state mailbox commands (RFC 9051 6.3): SELECT, EXAMINE (with the RFC 7162 CONDSTORE and
QRESYNC parameters), CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE."""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.condstore import highest_modseq_ok
from elektromail.imap.commands.qresync import QresyncParameters, parse_qresync_parameter, require_qresync, resynchronise
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import AUTHENTICATED, Ok, command, no
from elektromail.imap.engine.parser import Reader, UndecodableName
from elektromail.imap.engine.selected import SelectedView
from elektromail.imap.engine.session import CONDSTORE, QRESYNC, Session
from elektromail.store.model import INBOX, Mailbox

# RFC 9051 6.3.4: names a server may refuse; wildcards would make LIST patterns ambiguous.
_FORBIDDEN_IN_NAMES = frozenset("%*")

# SELECT's fixed lines around the numbers that change, formatted in one step each.
_EXISTS = b"* %d EXISTS\r\n"
_EXISTS_RECENT = _EXISTS + b"* %d RECENT\r\n"
_UID_LINES = b"* OK [%s %%d] UIDs valid\r\n* OK [%s %%d] predicted next UID\r\n" % (
    codes.UIDVALIDITY.encode("ascii"),
    codes.UIDNEXT.encode("ascii"),
)
_UNSEEN = b"* OK [%s %%d] first unseen\r\n" % codes.UNSEEN.encode("ascii")


def parse_mailbox(reader: Reader) -> str:
    reader.sp()
    name = reader.mailbox()
    reader.end()
    return name


class SelectArguments(NamedTuple):
    name: str
    condstore: bool = False
    qresync: QresyncParameters | None = None


def parse_select(reader: Reader) -> SelectArguments:
    """``mailbox [SP "(" select-param *(SP select-param) ")"]``; the parameters known are CONDSTORE
    (RFC 7162 3.1.8) and QRESYNC (RFC 7162 3.2.5), each at most once."""
    reader.sp()
    name = reader.mailbox()
    condstore = False
    qresync: QresyncParameters | None = None
    if not reader.at_end():
        reader.sp()
        reader.expect(b"(", "( before SELECT parameters")
        while True:
            parameter = reader.keyword()
            if parameter == CONDSTORE and not condstore:
                condstore = True
            elif parameter == QRESYNC and qresync is None:
                qresync = parse_qresync_parameter(reader)
            else:
                raise reader.error(f"unknown or repeated SELECT parameter {parameter}")
            if reader.close_paren():
                break
            reader.sp()
    reader.end()
    return SelectArguments(name, condstore, qresync)


def parse_two_mailboxes(reader: Reader) -> tuple[str, str]:
    reader.sp()
    first = reader.mailbox()
    reader.sp()
    second = reader.mailbox()
    reader.end()
    return first, second


def check_decodable(name: str) -> None:
    if isinstance(name, UndecodableName):
        raise no("mailbox name is not valid modified UTF-7", codes.CANNOT)


def check_new_name(name: str) -> None:
    if not name or any(ch in _FORBIDDEN_IN_NAMES for ch in name):
        raise no("invalid mailbox name", codes.CANNOT)


def find_mailbox(session: Session, name: str) -> Mailbox | None:
    """The mailbox ``name`` names; a name that is not valid modified UTF-7 names none."""
    return None if isinstance(name, UndecodableName) else session.require_account().mailbox(name)


def existing_mailbox(session: Session, name: str, missing_code: str = codes.NONEXISTENT) -> Mailbox:
    mailbox = find_mailbox(session, name)
    if mailbox is None or not mailbox.selectable:
        raise no("no such mailbox", missing_code)
    return mailbox


async def _open(session: Session, arguments: SelectArguments, read_only: bool) -> Ok:
    name, condstore, qresync = arguments
    if qresync is not None:
        require_qresync(session, "the QRESYNC parameter")  # before anything changes: a BAD loses nothing
    had_selection = session.selected is not None
    session.deselect()
    if had_selection:
        session.untagged_ok("previous mailbox closed", codes.CLOSED)  # RFC 9051 6.3.2
    mailbox = existing_mailbox(session, name)
    if condstore:
        session.enabled.add(CONDSTORE)  # RFC 7162 3.1.8; reported below like any CONDSTORE session
    view = SelectedView(mailbox, read_only, session, session.shared.recent, session.view_changed)
    session.select(view)
    rev1 = not session.rev2
    out = session.out
    if rev1:
        out.append(_EXISTS_RECENT % (view.exists, len(view.recent)))
    else:
        out.append(_EXISTS % view.exists)
    view.flags_responses(out)
    out.append(_UID_LINES % (mailbox.uid_validity, mailbox.uid_next))
    if session.condstore:
        highest_modseq_ok(session, mailbox.highest_modseq)  # RFC 7162 3.1.1
    if rev1:
        first_unseen = view.first_unseen()
        if first_unseen is not None:
            out.append(_UNSEEN % first_unseen)
    else:
        # RFC 9051 6.3.2: the LIST response for the mailbox, carrying its canonical name.
        from elektromail.imap.commands.listing import list_line

        session.raw(list_line(session, mailbox, subscribed_flag=False))
    if qresync is not None:
        resynchronise(session, view, qresync)
    return Ok(None, codes.READ_ONLY if read_only else codes.READ_WRITE)


@command("SELECT", states=AUTHENTICATED, parse=parse_select)
async def select(session: Session, tag: str, arguments: SelectArguments) -> Ok | None:
    return await _open(session, arguments, read_only=False)


@command("EXAMINE", states=AUTHENTICATED, parse=parse_select)
async def examine(session: Session, tag: str, arguments: SelectArguments) -> Ok | None:
    return await _open(session, arguments, read_only=True)


@command("CREATE", states=AUTHENTICATED, parse=parse_mailbox)
async def create(session: Session, tag: str, name: str) -> Ok | None:
    account = session.require_account()
    check_decodable(name)
    check_new_name(name.rstrip("/"))
    if name.rstrip("/") == INBOX:
        raise no("INBOX always exists", codes.ALREADYEXISTS)
    await session.context.store.create_mailbox(account, name)
    return None


@command("DELETE", states=AUTHENTICATED, parse=parse_mailbox)
async def delete(session: Session, tag: str, name: str) -> Ok | None:
    account = session.require_account()
    if name == INBOX:
        raise no("INBOX cannot be deleted", codes.CANNOT)
    mailbox = find_mailbox(session, name)
    if mailbox is None:
        raise no("no such mailbox", codes.NONEXISTENT)
    if session.selected is not None and session.selected.mailbox is mailbox:
        session.deselect()
        session.untagged_ok("mailbox closed", codes.CLOSED)
    await session.context.store.delete_mailbox(account, name)
    return None


@command("RENAME", states=AUTHENTICATED, parse=parse_two_mailboxes)
async def rename(session: Session, tag: str, names: tuple[str, str]) -> Ok | None:
    account = session.require_account()
    old, new = names
    check_decodable(new)
    check_new_name(new.rstrip("/"))
    source = find_mailbox(session, old)
    if source is None or (not source.selectable and old == INBOX):
        raise no("no such mailbox", codes.NONEXISTENT)
    if account.mailbox(new) is not None:
        raise no("target mailbox already exists", codes.ALREADYEXISTS)
    await session.context.store.rename_mailbox(account, old, new)
    return None


async def _set_subscribed(session: Session, name: str, subscribed: bool) -> None:
    account = session.require_account()
    check_decodable(name)
    await session.context.store.set_subscribed(account, name, subscribed)


@command("SUBSCRIBE", states=AUTHENTICATED, parse=parse_mailbox)
async def subscribe(session: Session, tag: str, name: str) -> Ok | None:
    await _set_subscribed(session, name, True)
    return None


@command("UNSUBSCRIBE", states=AUTHENTICATED, parse=parse_mailbox)
async def unsubscribe(session: Session, tag: str, name: str) -> Ok | None:
    await _set_subscribed(session, name, False)
    return None
