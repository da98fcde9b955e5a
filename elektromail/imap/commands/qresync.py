"""QRESYNC (RFC 7162 3.2): what SELECT/EXAMINE and UID FETCH share to resynchronise a mailbox.

``ENABLE QRESYNC`` turns it on (and CONDSTORE with it). From then on expunges are reported as
``* VANISHED uids`` (see :mod:`elektromail.imap.engine.selected`), ``SELECT mailbox (QRESYNC (...))`` tells the
client what changed and vanished since a mod-sequence it knew, and ``UID FETCH ... (CHANGEDSINCE n
VANISHED)`` does the same for a UID range. The store remembers every expunged UID with the mod-sequence
of its expunge (:attr:`elektromail.store.model.Mailbox.expunged`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from elektromail.imap.commands.condstore import mod_sequence, modseq_item
from elektromail.imap.engine import responses
from elektromail.imap.engine.command_table import bad, capability
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.selected import SelectedView
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.imap.engine.session import QRESYNC, Session
from elektromail.store.model import Mailbox

capability(QRESYNC)


class QresyncParameters(NamedTuple):
    """RFC 7162 3.2.5: ``QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])``."""

    uid_validity: int
    modseq: int
    known_uids: SequenceSet | None = None


def parse_qresync_parameter(reader: Reader) -> QresyncParameters:
    """The parameter's value after the ``QRESYNC`` keyword.

    seq-match-data (sequence numbers paired with the UIDs they had) only helps a server that forgets
    expunges; this one keeps all of them, so it is checked for syntax and otherwise not needed."""
    reader.sp()
    reader.expect(b"(", "( after QRESYNC")
    uid_validity = reader.nz_number()
    reader.sp()
    modseq = mod_sequence(reader)
    known: SequenceSet | None = None
    if not reader.close_paren():
        reader.sp()
        known = _uid_set(reader)
        if not reader.close_paren():
            reader.sp()
            reader.expect(b"(", "( before the sequence match data")
            _uid_set(reader)
            reader.sp()
            _uid_set(reader)
            reader.expect(b")", ") after the sequence match data")
            reader.expect(b")", ") after the QRESYNC parameters")
    return QresyncParameters(uid_validity, modseq, known)


def _uid_set(reader: Reader) -> SequenceSet:
    sequence = reader.sequence_set()
    if sequence.saved:
        raise reader.error("$ is not a set of known UIDs")
    return sequence


def require_qresync(session: Session, what: str) -> None:
    """RFC 7162 3.2.5, 3.2.6: the QRESYNC parameter and the VANISHED modifier need ENABLE QRESYNC first."""
    if not session.qresync:
        raise bad(f"{what} needs ENABLE QRESYNC first")


def uid_filter(mailbox: Mailbox, uids: SequenceSet | None) -> Callable[[int], bool]:
    """Membership in a UID set; ``*`` is the highest UID the mailbox ever gave out."""
    if uids is None:
        return _everything
    largest = mailbox.uid_next - 1
    return lambda uid: uids.contains(uid, largest)


def _everything(uid: int) -> bool:
    return True


def vanished_earlier(out: list[bytes], mailbox: Mailbox, modseq: int, uids: SequenceSet | None) -> None:
    """``* VANISHED (EARLIER) uids`` for the UIDs in the set expunged after ``modseq``, if there are any."""
    vanished = mailbox.vanished_since(modseq, uid_filter(mailbox, uids))
    if vanished:
        out.append(b"* VANISHED (EARLIER) " + responses.sequence_text(vanished) + b"\r\n")


def resynchronise(session: Session, view: SelectedView, parameters: QresyncParameters) -> None:
    """RFC 7162 3.2.5.1: before SELECT's tagged OK, what vanished and what changed since the client's
    mod-sequence. A different UIDVALIDITY means the client's cache is void: it gets nothing extra."""
    mailbox = view.mailbox
    if parameters.uid_validity != mailbox.uid_validity:
        return
    out = session.out
    vanished_earlier(out, mailbox, parameters.modseq, parameters.known_uids)
    known = uid_filter(mailbox, parameters.known_uids)
    rev1 = not session.rev2
    for seq, message in enumerate(view.messages, 1):
        if message.modseq > parameters.modseq and known(message.uid):
            flags = responses.flag_list(view.flags_of(message, rev1))
            item = modseq_item(message.modseq)
            out.append(b"* %d FETCH (UID %d FLAGS %s %s)\r\n" % (seq, message.uid, flags, item))
