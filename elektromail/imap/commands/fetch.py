"""FETCH and UID FETCH (RFC 9051 6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ, CHANGEDSINCE and VANISHED).

The item list is parsed once into encoders; each message's response is then assembled from pieces the
message model computed once and cached (ENVELOPE, BODYSTRUCTURE, section offsets), so a FETCH of
thousands of messages does no parsing. Large bodies are queued as separate buffers, not concatenated.
"""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.condstore import enable_condstore, mod_sequence, modseq_item
from elektromail.imap.commands.fetch_flags import flags_answer
from elektromail.imap.commands.fetch_literals import LiteralItem, altered_warning, literal_answer
from elektromail.imap.commands.qresync import require_qresync, vanished_earlier
from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.command_table import Ok, bad, capability, command_with_uid_form, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.selected import SelectedView
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.imap.engine.session import Session
from elektromail.mail.bodystructure import body, bodystructure
from elektromail.mail.envelope import envelope
from elektromail.mail.preview import preview
from elektromail.mail.sections import (
    HEADER,
    HEADER_FIELDS,
    HEADER_FIELDS_NOT,
    MIME,
    SECTION_TEXTS,
    TEXT,
    Section,
    binary_bytes,
    section_bytes,
)
from elektromail.mail.served import altered, served_message
from elektromail.mail.transfer import UnknownTransferEncoding
from elektromail.store import FlagMode
from elektromail.store.model import Message

# Part of IMAP4rev2; named for IMAP4rev1 clients, which learn of it only from this (RFC 9051 Appendix E).
capability("BINARY")
capability("PREVIEW")  # RFC 8970

SEEN = "\\Seen"

# RFC 9051 6.4.5: the macros, each standing alone in place of a list.
MACROS = {
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"),
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"),
}
MODSEQ = "MODSEQ"
PREVIEW = "PREVIEW"
SIMPLE_ITEMS = frozenset(
    {"FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", MODSEQ}
    | {"RFC822", "RFC822.HEADER", "RFC822.TEXT"}
)
CHANGEDSINCE = "CHANGEDSINCE"
VANISHED = "VANISHED"
# Items that read the body without .PEEK and so set \Seen (RFC 9051 6.4.5).
_SETS_SEEN = frozenset({"RFC822", "RFC822.TEXT"})
# Items whose answer may be a literal (everything else fits on the response line).
_LITERAL_KINDS = frozenset({"BODY[]", "BINARY[]", "RFC822", "RFC822.HEADER", "RFC822.TEXT"})
# Items that send the message's octets in its served form (elektromail.mail.served), not BINARY's.
_SERVED_KINDS = frozenset({"BODY[]", "RFC822", "RFC822.HEADER", "RFC822.TEXT"})


class FetchItem(NamedTuple):
    """One requested data item. ``kind`` is a SIMPLE_ITEMS name, ``BODY[]``, ``BINARY[]`` or ``BINARY.SIZE``."""

    kind: str
    label: bytes = b""
    section: Section = Section()
    partial: tuple[int, int] | None = None
    sets_seen: bool = False


class FetchArguments(NamedTuple):
    sequence: SequenceSet
    items: tuple[FetchItem, ...]
    changed_since: int | None = None  # RFC 7162 3.1.4.1: only messages with a higher MODSEQ
    vanished: bool = False  # RFC 7162 3.2.6: UID FETCH also reports the UIDs expunged since changed_since


# ---------------------------------------------------------------------------------------------- parsing


def _part_numbers(reader: Reader) -> tuple[int, ...]:
    numbers: list[int] = []
    while reader.peek() is not None and 0x30 <= (reader.peek() or 0) <= 0x39:
        numbers.append(reader.nz_number())
        if not reader.peek_is(b"."):
            break
        reader.pos += 1
    return tuple(numbers)


def _section(reader: Reader, binary: bool) -> Section:
    """``[`` section ``]`` after BODY / BINARY (RFC 9051 9 section, section-binary)."""
    reader.expect(b"[")
    part = _part_numbers(reader)
    text = ""
    fields: tuple[str, ...] = ()
    if not binary and not reader.peek_is(b"]"):
        text = reader.atom_before(b"]").upper()
        if text not in SECTION_TEXTS or (text == MIME and not part):
            raise reader.error(f"invalid section {text}")
        if text in (HEADER_FIELDS, HEADER_FIELDS_NOT):
            reader.sp()
            reader.expect(b"(")
            fields = tuple(name.decode("utf-8", "replace") for name in reader.items_to_close_paren(reader.astring))
    reader.expect(b"]", "]")
    return Section(part, text, fields)


def _partial(reader: Reader) -> tuple[int, int] | None:
    if not reader.take(b"<"):
        return None
    origin = reader.number()
    reader.expect(b".", "'.' in a partial range")
    length = reader.nz_number()
    reader.expect(b">", ">")
    return origin, length


def section_label(section: Section) -> bytes:
    """The section as the response names it: BODY[1.2.HEADER.FIELDS (FROM TO)]."""
    spec = ".".join(str(number) for number in section.part)
    if section.text:
        spec = f"{spec}.{section.text}" if spec else section.text
    if section.fields:
        spec += " (" + " ".join(name.upper() for name in section.fields) + ")"
    return spec.encode("utf-8")


def _item(reader: Reader) -> FetchItem:
    name = reader.atom_before(b"[<").upper()
    if name in ("BODY", "BODY.PEEK") and reader.peek_is(b"["):
        section = _section(reader, binary=False)
        partial = _partial(reader)
        label = b"BODY[" + section_label(section) + b"]"
        if partial is not None:
            label += b"<%d>" % partial[0]
        return FetchItem("BODY[]", label, section, partial, sets_seen=name == "BODY")
    if name in ("BINARY", "BINARY.PEEK", "BINARY.SIZE"):
        section = _section(reader, binary=True)
        label_part = section_label(section)
        if name == "BINARY.SIZE":
            return FetchItem("BINARY.SIZE", b"BINARY.SIZE[" + label_part + b"]", section)
        partial = _partial(reader)
        label = b"BINARY[" + label_part + b"]"
        if partial is not None:
            label += b"<%d>" % partial[0]
        return FetchItem("BINARY[]", label, section, partial, sets_seen=name == "BINARY")
    if name == PREVIEW:
        _preview_modifiers(reader)
        return FetchItem(PREVIEW, b"PREVIEW")
    if name in SIMPLE_ITEMS:
        return FetchItem(name, name.encode("ascii"), sets_seen=name in _SETS_SEEN)
    raise reader.error(f"unknown FETCH item {name}")


def _preview_modifiers(reader: Reader) -> None:
    """RFC 8970: ``PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"]``, where LAZY is the one modifier.
    LAZY lets a server answer NIL when the preview is costly; it never is here, so it changes nothing.
    A parenthesis that does not start with LAZY belongs to the FETCH modifiers (CHANGEDSINCE)."""
    if not reader.peek_word(b" (LAZY"):
        return
    reader.sp()
    reader.expect(b"(")
    while True:
        if reader.keyword() != "LAZY":
            raise reader.error("unknown PREVIEW modifier")
        if reader.close_paren():
            return
        reader.sp()


def parse_fetch(reader: Reader) -> FetchArguments:
    reader.sp()
    sequence = reader.sequence_set()
    reader.sp()
    if reader.take(b"("):
        items = reader.items_to_close_paren(lambda: _item(reader))
    else:
        start = reader.pos
        word = reader.atom_before(b"[<").upper()
        if word in MACROS:
            items = [FetchItem(name, name.encode("ascii")) for name in MACROS[word]]
        else:
            reader.pos = start
            items = [_item(reader)]
    changed_since, vanished = (None, False) if reader.at_end() else _modifiers(reader)
    reader.end()
    return FetchArguments(sequence, tuple(dict.fromkeys(items)), changed_since, vanished)


def _modifiers(reader: Reader) -> tuple[int | None, bool]:
    """RFC 7162 fetch-modifiers: ``SP "(" fetch-modifier *(SP fetch-modifier) ")"`` with
    ``CHANGEDSINCE mod-sequence`` and ``VANISHED``, each at most once; VANISHED needs CHANGEDSINCE."""
    reader.sp()
    reader.expect(b"(", "( before FETCH modifiers")
    changed_since: int | None = None
    vanished = False
    while True:
        name = reader.keyword()
        if name == CHANGEDSINCE and changed_since is None:
            reader.sp()
            changed_since = mod_sequence(reader)
        elif name == VANISHED and not vanished:
            vanished = True
        else:
            raise reader.error(f"unknown or repeated FETCH modifier {name}")
        if reader.close_paren():
            break
        reader.sp()
    if changed_since is None:
        raise reader.error("VANISHED needs CHANGEDSINCE")
    return changed_since, vanished


# ---------------------------------------------------------------------------------------------- encoding


def _clip(data: bytes, partial: tuple[int, int] | None) -> bytes:
    if partial is None:
        return data
    origin, length = partial
    return data[origin : origin + length]


# An encoded item: plain bytes, or (prefix ending in a literal's {n}CRLF, the literal's bytes).
Piece = bytes | tuple[bytes, bytes]
# Item lists answered in one pass from the view (fetch_flags): FETCH (FLAGS) and UID FETCH (FLAGS).
_FLAGS_SHAPES = frozenset({("FLAGS",), ("UID", "FLAGS")})
# Buffers queued before they are handed to the connection mid-answer (a few hundred responses).
_FLUSH_BUFFERS = 512
# Literal bodies larger than this go out as their own buffer instead of being copied into the line.
_SEPARATE_BUFFER = 4096


def _literal_parts(label: bytes, data: bytes | None, binary: bool = False) -> Piece:
    if data is None:
        return label + b" NIL"
    if binary and b"\x00" in data:
        return (label + b" ~{%d}\r\n" % len(data), data)  # RFC 3516 4.3: literal8
    return (label + b" {%d}\r\n" % len(data), data)


def _encode(item: FetchItem, view: SelectedView, message: Message, rev1: bool) -> Piece:
    kind = item.kind
    parsed = message.parsed
    if kind == "UID":
        return b"UID %d" % message.uid
    if kind == "FLAGS":
        return view.flags_bytes(message, rev1)
    if kind == "RFC822.SIZE":  # the size of the message as BODY[] sends it (RFC 9051 7.5.2)
        return b"RFC822.SIZE %d" % served_message(parsed).size
    if kind == "INTERNALDATE":
        return b"INTERNALDATE " + responses.date_time(message.internal_date)
    if kind == "ENVELOPE":
        return envelope(parsed, b"ENVELOPE ")
    if kind == "BODYSTRUCTURE":
        return b"BODYSTRUCTURE " + bodystructure(parsed)
    if kind == "BODY":
        return b"BODY " + body(parsed)
    if kind == "BODY[]":
        data = section_bytes(parsed, item.section)
        return _literal_parts(item.label, None if data is None else _clip(data, item.partial))
    if kind == "RFC822":
        return _literal_parts(b"RFC822", served_message(parsed).served)
    if kind == "RFC822.HEADER":
        return _literal_parts(b"RFC822.HEADER", section_bytes(parsed, Section(text=HEADER)))
    if kind == "RFC822.TEXT":
        return _literal_parts(b"RFC822.TEXT", section_bytes(parsed, Section(text=TEXT)))
    if kind == MODSEQ:
        return modseq_item(message.modseq)
    if kind == PREVIEW:
        return b"PREVIEW " + responses.string(preview(parsed).encode("utf-8"))
    try:
        decoded = binary_bytes(parsed, item.section.part)
    except UnknownTransferEncoding as error:
        raise no(f"cannot decode content transfer encoding {error}", codes.UNKNOWN_CTE) from None
    if kind == "BINARY.SIZE":
        return item.label + b" %d" % (0 if decoded is None else len(decoded))
    return _literal_parts(item.label, None if decoded is None else _clip(decoded, item.partial), binary=True)


def _beyond(sequence: SequenceSet, exists: int) -> bool:
    """A sequence number larger than the mailbox's message count, which RFC 9051 9 (seq-number) answers
    with BAD; that "includes * if the selected mailbox is empty" (as Dovecot answers too)."""
    if exists == 0:
        return bool(sequence.ranges)
    return any(
        (r.start is not None and r.start > exists) or (r.end is not None and r.end > exists) for r in sequence.ranges
    )


def selected_spans(session: Session, sequence: SequenceSet, by_uid: bool) -> list[range]:
    """The positions in the selected view that a sequence set names, as ascending ranges."""
    view = session.require_selected()
    if not by_uid and not sequence.saved and _beyond(sequence, view.exists):
        raise bad("invalid message sequence number")
    return view.index_spans(sequence, by_uid)


def selected_messages(session: Session, sequence: SequenceSet, by_uid: bool) -> list[tuple[int, Message]]:
    """(sequence number, message) pairs a sequence set names; shared by STORE, COPY, MOVE and EXPUNGE."""
    messages = session.require_selected().messages
    return [(index + 1, messages[index]) for span in selected_spans(session, sequence, by_uid) for index in span]


def _flags_shape(items: list[FetchItem], newly_seen: set[int]) -> tuple[str, ...] | None:
    """("FLAGS",) or ("UID", "FLAGS") when that is all the answer holds, for the one-pass answer."""
    kinds = tuple(item.kind for item in items)
    return kinds if kinds in _FLAGS_SHAPES and not newly_seen else None


@command_with_uid_form("FETCH", parse=parse_fetch, expunge_ok=False)
async def fetch(session: Session, tag: str, arguments: FetchArguments, by_uid: bool) -> Ok | None:
    view = session.require_selected()
    if arguments.vanished:
        if not by_uid:
            raise bad("VANISHED is a UID FETCH modifier")  # RFC 7162 3.2.6
        require_qresync(session, "VANISHED")
    items = list(arguments.items)
    if by_uid and not any(item.kind == "UID" for item in items):
        items.insert(0, FetchItem("UID", b"UID"))
    has_modseq = any(item.kind == MODSEQ for item in items)
    changed_since = arguments.changed_since
    if has_modseq or changed_since is not None:
        enable_condstore(session)  # RFC 7162 3.1: FETCH MODSEQ and CHANGEDSINCE are enabling commands
    spans = selected_spans(session, arguments.sequence, by_uid)
    messages = view.messages
    if changed_since is not None:
        changed = [index for span in spans for index in span if messages[index].modseq > changed_since]
        spans = [range(index, index + 1) for index in changed]
        if not has_modseq:  # RFC 7162 3.1.4.1: CHANGEDSINCE implies the MODSEQ item
            items.append(FetchItem(MODSEQ, MODSEQ.encode("ascii")))
            has_modseq = True
    newly_seen: set[int] = set()
    if not view.read_only and any(item.sets_seen for item in items):
        unseen = [messages[index] for span in spans for index in span if SEEN not in messages[index].flags]
        if unseen:
            await session.context.store.set_flags(view.mailbox, unseen, [SEEN], FlagMode.ADD, origin=session)
            newly_seen = {message.uid for message in unseen}
    rev1 = not session.rev2
    if arguments.vanished and changed_since is not None:
        vanished_earlier(session.out, view.mailbox, changed_since, arguments.sequence)  # before the FETCHes
    view.announce_keywords(session.out)  # before any FLAGS below shows a keyword new to the client
    # The answer goes out as it is made, a chunk at a time: the client reads one while the next is built.
    shape = _flags_shape(items, newly_seen)
    if shape is not None:
        for chunk in flags_answer(view, spans, rev1, with_uid=len(shape) == 2):
            session.raw(chunk)
            session.flush()
        return None
    altered_numbers: list[int] = []
    literal = _single_literal(items, newly_seen)
    if literal is not None:
        for batch in literal_answer(messages, spans, literal, items[0].kind == "UID", altered_numbers):
            session.out.extend(batch)
            session.flush()
        _warn(session, altered_numbers)
        return None
    extras = _SeenExtras(session, items, has_modseq) if newly_seen else None
    literal_free = not any(item.kind in _LITERAL_KINDS for item in items)
    serves_octets = any(item.kind in _SERVED_KINDS for item in items)
    out = session.out
    for span in spans:
        for index in span:
            message = messages[index]
            pieces = [_encode(item, view, message, rev1) for item in items]
            if serves_octets and altered(message.parsed):
                altered_numbers.append(index + 1)
            if extras is not None and message.uid in newly_seen:
                extras.add(pieces, view, message, rev1)
            if literal_free:  # no literal: one formatting step
                out.append(b"* %d FETCH (%b)\r\n" % (index + 1, b" ".join(pieces)))  # type: ignore[arg-type]
            else:
                _append_with_literals(out, index + 1, pieces)
            if len(out) >= _FLUSH_BUFFERS:
                session.flush()
                out = session.out
    _warn(session, altered_numbers)
    return None


def _single_literal(items: list[FetchItem], newly_seen: set[int]) -> LiteralItem | None:
    """The item when the answer is one BODY[...] or RFC822 literal per message (after UID, for UID FETCH),
    for the one-pass answer; None otherwise."""
    if newly_seen or not 1 <= len(items) <= 2 or (len(items) == 2 and items[0].kind != "UID"):
        return None
    item = items[-1]
    if item.kind == "BODY[]":
        return LiteralItem(item.label, item.section, item.partial)
    if item.kind == "RFC822":
        return LiteralItem(b"RFC822", None, None)
    return None


def _warn(session: Session, altered_numbers: list[int]) -> None:
    warning = altered_warning(altered_numbers)
    if warning is not None:
        session.untagged(warning)


class _SeenExtras:
    """What a message that this FETCH marked \\Seen adds to its response: the new FLAGS when they were not
    asked for, and for a CONDSTORE session its UID and MODSEQ (RFC 7162 3.1)."""

    def __init__(self, session: Session, items: list[FetchItem], has_modseq: bool) -> None:
        self.uid = session.condstore and not any(item.kind == "UID" for item in items)
        self.flags = not any(item.kind == "FLAGS" for item in items)
        self.modseq = session.condstore and not has_modseq

    def add(self, pieces: list[Piece], view: SelectedView, message: Message, rev1: bool) -> None:
        if self.uid:
            pieces.append(b"UID %d" % message.uid)
        if self.flags:
            pieces.append(view.flags_bytes(message, rev1))
        if self.modseq:
            pieces.append(modseq_item(message.modseq))


def _append_with_literals(out: list[bytes], seq: int, pieces: list[Piece]) -> None:
    """One response whose items include literals: their octets stay the stored bytes object when large
    (queued as their own buffer, not copied into the line)."""
    line = bytearray(b"* %d FETCH (" % seq)
    for index, piece in enumerate(pieces):
        if index:
            line += b" "
        if isinstance(piece, bytes):
            line += piece
            continue
        prefix, data = piece
        line += prefix
        if len(data) > _SEPARATE_BUFFER:
            out.append(bytes(line))
            out.append(data)
            line = bytearray()
        else:
            line += data
    line += b")\r\n"
    out.append(bytes(line))
