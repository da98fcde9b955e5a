"""CONDSTORE (RFC 7162 3.1): what the commands that take part share.

Every mailbox has mod-sequences (the store assigns them), so the extension is always on offer; a session
turns it on with ``ENABLE CONDSTORE`` or any CONDSTORE enabling command (SELECT/EXAMINE with the
``CONDSTORE`` parameter, STATUS HIGHESTMODSEQ, FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH
MODSEQ). From then on SELECT reports HIGHESTMODSEQ and untagged FETCH responses about flag changes carry
UID and MODSEQ.
"""

from __future__ import annotations

from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.command_table import capability
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import CONDSTORE, Session

capability(CONDSTORE)


def enable_condstore(session: Session) -> None:
    """A CONDSTORE enabling command ran. RFC 7162 3.1: the first one issued with a mailbox selected
    tells the client the mailbox's HIGHESTMODSEQ, which it has not heard yet."""
    if CONDSTORE in session.enabled:
        return
    session.enabled.add(CONDSTORE)
    if session.selected is not None:
        highest_modseq_ok(session, session.selected.mailbox.highest_modseq)


def highest_modseq_ok(session: Session, highest: int) -> None:
    session.untagged_ok("highest mod-sequence", responses.code(codes.HIGHESTMODSEQ, highest))


def mod_sequence(reader: Reader) -> int:
    """RFC 7162 7 mod-sequence-valzer: 0 to 2^63 - 1 (a larger number is a parse error, so BAD).

    CHANGEDSINCE's grammar asks for 1 or more, but clients send 0 there to mean "every message"."""
    return reader.number64()


def modseq_item(modseq: int) -> bytes:
    return b"MODSEQ (%d)" % modseq
