"""``charset SP search-keys``, the tail SORT and THREAD share (RFC 5256 3 and 4): the charset is required
and the keys select messages exactly as SEARCH does."""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.condstore import enable_condstore
from elektromail.imap.commands.search import CHARSETS
from elektromail.imap.commands.search_keys import MODSEQ, Predicate, SearchContext, parse_keys, search_all
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.session import Session
from elektromail.store.model import Message


class Selection(NamedTuple):
    charset: str
    predicate: Predicate
    modseq: bool  # the MODSEQ search key is used (RFC 7162 3.1.5)


def parse_selection(reader: Reader) -> Selection:
    """``SP charset SP search-key *(SP search-key)``."""
    reader.sp()
    charset = reader.astring().decode("ascii", "replace").upper()
    reader.sp()
    used: set[str] = set()
    predicate = search_all(parse_keys(reader, used=used))
    return Selection(charset, predicate, MODSEQ in used)


def select(session: Session, selection: Selection) -> list[tuple[int, Message]]:
    """The (sequence number, message) pairs the keys match, in mailbox order."""
    view = session.require_selected()
    if selection.modseq:
        enable_condstore(session)  # RFC 7162 3.1: a search with MODSEQ enables CONDSTORE
    if selection.charset not in CHARSETS:
        raise no(f"unsupported charset {selection.charset}", codes.BADCHARSET + " (" + " ".join(CHARSETS) + ")")
    context = SearchContext(view.exists, view.uids[-1] if view.uids else 0, view.recent, view.saved)
    predicate = selection.predicate
    return [(seq, message) for seq, message in enumerate(view.messages, 1) if predicate(context, seq, message)]
