"""SEARCH and UID SEARCH (RFC 9051 6.4.4): CHARSET, ESEARCH RETURN options (RFC 9051 7.3.4, RFC 4731)
for IMAP4rev2 clients and the plain ``* SEARCH`` response for IMAP4rev1 clients; RETURN (SAVE) keeps the
result for ``$`` (RFC 5182 SEARCHRES, part of IMAP4rev2). A search with the MODSEQ key (RFC 7162 3.1.5)
also reports the highest mod-sequence of what it found."""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.condstore import enable_condstore
from elektromail.imap.commands.search_keys import MODSEQ, Predicate, SearchContext, parse_keys, search_all
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import Ok, capability, command_with_uid_form, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.responses import sequence_text
from elektromail.imap.engine.session import Session
from elektromail.store.model import Message

capability("ESEARCH", "SEARCHRES")

# RFC 9051 6.4.4: UTF-8 must be supported; US-ASCII is its subset. Anything else is refused.
CHARSETS = ("UTF-8", "US-ASCII")
SAVE = "SAVE"
RETURN_OPTIONS = ("MIN", "MAX", "COUNT", "ALL", SAVE)


class SearchArguments(NamedTuple):
    returns: tuple[str, ...] | None  # None: no RETURN given
    charset: str | None
    predicate: Predicate
    modseq: bool = False  # the MODSEQ key is used: the response carries the highest MODSEQ found


def _saves(returns: tuple[str, ...] | None) -> bool:
    return returns is not None and SAVE in returns


def parse_search(reader: Reader) -> SearchArguments:
    reader.sp()
    returns: tuple[str, ...] | None = None
    if reader.take(b"RETURN "):
        reader.expect(b"(", "( after RETURN")
        options: list[str] = []
        while not reader.close_paren():
            if options:
                reader.sp()
            option = reader.atom().upper()
            if option not in RETURN_OPTIONS:
                raise reader.error(f"unknown RETURN option {option}")
            options.append(option)
        returns = tuple(options) or ("ALL",)  # RFC 4731 3.1: RETURN () means ALL
        reader.sp()
    charset: str | None = None
    if reader.take(b"CHARSET "):
        charset = reader.astring().decode("ascii", "replace").upper()
        reader.sp()
    used: set[str] = set()
    predicate = search_all(parse_keys(reader, used=used))
    return SearchArguments(returns, charset, predicate, MODSEQ in used)


def _saved_uids(returns: tuple[str, ...], matches: list[int], uids: list[int]) -> frozenset[int]:
    """RFC 5182 2.1: with MIN and/or MAX but neither ALL nor COUNT only those are saved, else every match."""
    if not matches:
        return frozenset()
    if ("MIN" in returns or "MAX" in returns) and not ("ALL" in returns or "COUNT" in returns):
        kept = set()
        if "MIN" in returns:
            kept.add(uids[0])
        if "MAX" in returns:
            kept.add(uids[-1])
        return frozenset(kept)
    return frozenset(uids)


@command_with_uid_form("SEARCH", parse=parse_search, expunge_ok=False)
async def search(session: Session, tag: str, arguments: SearchArguments, by_uid: bool) -> Ok | None:
    view = session.require_selected()
    saves = _saves(arguments.returns)
    if arguments.charset is not None and arguments.charset not in CHARSETS:
        if saves:
            # RFC 5182 2.1: a SAVE that ends in NO empties "$" (one that ends in BAD leaves it alone).
            view.saved = frozenset()
        raise no(f"unsupported charset {arguments.charset}", codes.BADCHARSET + " (" + " ".join(CHARSETS) + ")")
    if arguments.modseq:
        enable_condstore(session)  # RFC 7162 3.1: SEARCH MODSEQ is a CONDSTORE enabling command
    context = SearchContext(view.exists, view.uids[-1] if view.uids else 0, view.recent, view.saved)
    predicate = arguments.predicate
    matches = [(seq, message) for seq, message in enumerate(view.messages, 1) if predicate(context, seq, message)]
    results = [message.uid if by_uid else seq for seq, message in matches]
    returns = arguments.returns
    if returns is not None and saves:
        view.saved = _saved_uids(returns, results, [message.uid for _, message in matches])
        returns = tuple(option for option in returns if option != SAVE)
        if not returns:
            return None  # RFC 5182 2.1: RETURN (SAVE) alone sends no ESEARCH response
    # RFC 7162 3.1.5: no MODSEQ in the response when nothing matched.
    highest = _highest_modseq(returns, [message for _, message in matches]) if arguments.modseq and matches else None
    if returns is None and not session.rev2:
        line = b"SEARCH" + (b" " + " ".join(map(str, results)).encode("ascii") if results else b"")
        if highest is not None:
            line += b" (MODSEQ %d)" % highest
        session.untagged(line)
        return None
    if returns is None:
        returns = ("ALL",)
    line = b'ESEARCH (TAG "' + tag.encode("ascii") + b'")'
    if by_uid:
        line += b" UID"
    if results:
        if "MIN" in returns:
            line += b" MIN %d" % results[0]
        if "MAX" in returns:
            line += b" MAX %d" % results[-1]
    if "COUNT" in returns:
        line += b" COUNT %d" % len(results)
    if "ALL" in returns and results:
        line += b" ALL " + sequence_text(results)
    if highest is not None:
        line += b" MODSEQ %d" % highest
    session.untagged(line)
    return None


def _highest_modseq(returns: tuple[str, ...] | None, found: list[Message]) -> int:
    """RFC 7162 3.1.5: the highest MODSEQ of the messages the response names. With only MIN and/or MAX
    (RFC 4731) that is those messages; otherwise every message found."""
    if returns is not None and not ("ALL" in returns or "COUNT" in returns):
        named = []
        if "MIN" in returns:
            named.append(found[0])
        if "MAX" in returns:
            named.append(found[-1])
        if named:
            found = named
    return max(message.modseq for message in found)
