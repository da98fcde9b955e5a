"""Run the same corpus against elektromail and a reference (Dovecot live, or its recorded answers) and
list every difference that the allow-list does not explain.

The allow-list holds the deliberate deviations: places where Dovecot 2.3 contradicts an RFC and
elektromail follows the RFC. Each entry names the RFC section that decides it; docs/messages.md lists the
same entries. Dovecot 2.3 speaks IMAP4rev1, so both servers are asked in IMAP4rev1 form (no ENABLE
IMAP4rev2): SEARCH answers ``* SEARCH``, not ESEARCH.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import NamedTuple

from tests.differential.probe import (
    SIZE_MATCHES,
    Answers,
    parse_parts,
    part_numbers,
    parts_text,
    probe_mailbox,
    probe_message,
    structure_of,
)
from tests.differential.wire import Client

RECORDED = Path(__file__).parent / "recorded"
MAILBOX = "(mailbox)"
PARTS = "PARTS"


class Deviation(NamedTuple):
    message: str  # fnmatch pattern over corpus message names
    item: str  # fnmatch pattern over item labels / commands
    reason: str  # the RFC section that decides it
    theirs: str = "*"  # fnmatch pattern over Dovecot's answer


# The one allow-list of the suite. docs/messages.md ("Where elektromail and Dovecot differ") lists the same
# entries; each is a place where Dovecot 2.3 contradicts the RFC named and elektromail follows the RFC,
# or input so malformed that no RFC decides and the two servers recover differently, or (marked open)
# a difference on drawn messages that is not matched yet.
DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "*",
        "*",
        "RFC 9051 7.1 / 2.2.2: every command gets a tagged answer; Dovecot's imap process "
        "dies on these and drops the connection, elektromail answers",
        theirs="(connection closed)",
    ),
    Deviation(
        "*",
        "BINARY*",
        "RFC 2045 6.7 note (1) and 6.8: a robust decoder keeps an '=' that starts no "
        "escape and ignores characters outside the base64 alphabet ('=' ends the data); Dovecot "
        "refuses the FETCH with NO [PARSE], elektromail decodes",
        theirs="NO [PARSE]",
    ),
    # The suite checks that every elektromail BINARY.SIZE is the length of its BINARY answer ("SIZE
    # MATCHES" items, which must all be "yes"), and BINARY itself is compared: so where BINARY.SIZE alone
    # differs, it is Dovecot's size that disagrees with its own BINARY.
    Deviation(
        "*",
        "BINARY.SIZE[*",
        "RFC 3516 4.2: BINARY.SIZE is the size of what BINARY returns; "
        "Dovecot reports another figure (after soft line breaks, for multiparts) or refuses it with "
        "[UNKNOWN-CTE] when another part of the message cannot be decoded",
    ),
    Deviation(
        "file-03-nested-attachment",
        "B*[1]",
        "RFC 2046 5.1.1: the CRLF before a boundary line "
        "belongs to the boundary, so part 1 ends at its close delimiter '--inner--'; Dovecot also "
        "counts the line end after it",
    ),
    Deviation(
        "rfc822-base64*",
        "*",
        "RFC 2046 5.2.1 forbids a transfer encoding on message/rfc822 and RFC "
        "3516 4.2 has BINARY remove it: elektromail serves the part as one encoded leaf (size without "
        "the CRLF of the next boundary, RFC 2046 5.1.1) and decodes it for BINARY and SEARCH; Dovecot "
        "counts that CRLF, parses the encoded text as a message and returns it undecoded",
    ),
    Deviation(
        "cr-in-body",
        "*",
        "RFC 9051 6.3.12 / 2.3.4: the message is stored and served as its octets; Dovecot drops the CR of a CR CR LF",
    ),
    Deviation(
        MAILBOX,
        "SORT (SUBJECT)",
        "RFC 5256 2.1, 3: subjects compare by i;ascii-casemap; Dovecot "
        "folds non-ASCII letters too (Türkçe sorts as TURKCE)",
    ),
    Deviation(
        "bare-cr*",
        "*",
        "RFC 5322 2.3: CR occurs only in CRLF; a message of lone CRs has no line "
        "ends for elektromail (one header line) while Dovecot reads each CR as one",
    ),
    Deviation(
        "ew-iso-2022-jp-Q",
        "ENVELOPE",
        "RFC 2047 5(3) forbids '(' inside an encoded word in a "
        "phrase: the From field is unparseable and each server recovers its own way",
    ),
    Deviation(
        MAILBOX,
        "S*FROM*",
        "the two malformed From fields above (bare-cr*, ew-iso-2022-jp-Q) read "
        "differently in SEARCH FROM and in SORT by FROM and DISPLAYFROM",
    ),
)


_OPEN_HEADER = (
    "open: a header with no empty line and an encoding field (Dovecot drops the field from "
    "BINARY[] without adding 'binary', or reports 7bit for base64)"
)
_OPEN_PARTS = (
    "open: BINARY of parts whose header holds lines that are no field (Dovecot answers "
    "[UNKNOWN-CTE]) and of a multipart with an empty boundary"
)
# Open: drawn messages on which no RFC decides and elektromail does not yet answer as Dovecot does.
DEVIATIONS += tuple(Deviation(f"generated-{n:03d}", "BINARY[*", _OPEN_HEADER) for n in (10, 11, 12))
DEVIATIONS += tuple(Deviation(f"generated-{n:03d}", "BINARY[*", _OPEN_PARTS) for n in range(49, 56))
DEVIATIONS += tuple(Deviation(f"generated-{n:03d}", "BINARY[*", _OPEN_HEADER) for n in range(95, 102))


class Difference(NamedTuple):
    message: str
    item: str
    ours: str
    theirs: str

    def __str__(self) -> str:
        return f"{self.message} {self.item}:\n    ours:    {self.ours[:300]}\n    dovecot: {self.theirs[:300]}"


def _matches(text: str, pattern: str) -> bool:
    """``*`` and ``?`` as in fnmatch; brackets stand for themselves (labels are full of them)."""
    return fnmatchcase(text, pattern.replace("[", "[[]"))


def allowed(message: str, item: str, theirs: str) -> bool:
    return any(
        _matches(message, d.message) and _matches(item, d.item) and _matches(theirs, d.theirs) for d in DEVIATIONS
    )


class Recording(NamedTuple):
    messages: dict[str, Answers]
    mailbox: Answers


def recording_path(corpus: str) -> Path:
    return RECORDED / f"{corpus}.json"


def load_recording(corpus: str) -> Recording:
    data = json.loads(recording_path(corpus).read_text(encoding="utf-8"))
    return Recording(data["messages"], data["mailbox"])


def save_recording(corpus: str, recording: Recording) -> None:
    """One JSON object per line, so a changed answer is a one-line change in review."""
    lines = [
        "{",
        '"mailbox": ' + json.dumps(recording.mailbox, ensure_ascii=False, sort_keys=True) + ",",
        '"messages": {',
    ]
    names = sorted(recording.messages)
    for index, name in enumerate(names):
        comma = "," if index < len(names) - 1 else ""
        lines.append(
            json.dumps(name) + ": " + json.dumps(recording.messages[name], ensure_ascii=False, sort_keys=True) + comma
        )
    lines += ["}", "}"]
    RECORDED.mkdir(exist_ok=True)
    recording_path(corpus).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _parts(client: Client, seq: int) -> list[tuple[int, ...]]:
    return part_numbers(structure_of(client, seq))


def _union(*lists: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
    return sorted({part for parts in lists for part in parts})


def record(client: Client, names: Sequence[str]) -> Recording:
    """The reference server's answers for an appended, selected corpus."""
    messages: dict[str, Answers] = {}
    for seq, name in enumerate(names, start=1):
        parts = _parts(client, seq)
        answers = probe_message(client, seq, parts)
        answers[PARTS] = parts_text(parts)
        messages[name] = answers
    return Recording(messages, probe_mailbox(client))


def _differ(message: str, ours: Answers, theirs: Answers) -> Iterator[Difference]:
    for item in sorted(set(ours) | set(theirs)):
        if item.startswith(SIZE_MATCHES):  # elektromail's own consistency, whatever Dovecot's is
            if ours.get(item, "yes") != "yes":
                yield Difference(message, item, ours[item], "(BINARY.SIZE must be the length of BINARY)")
            continue
        if item == PARTS:
            continue
        mine, reference = ours.get(item, "(not asked)"), theirs.get(item, "(not recorded)")
        if mine != reference and not allowed(message, item, reference):
            yield Difference(message, item, mine, reference)


class Outcome(NamedTuple):
    differences: list[Difference]
    compared: int


def compare_live(ours: Client, theirs: Client, names: Sequence[str]) -> tuple[Outcome, Recording]:
    """Both servers hold the corpus, selected: ask both the same, compare; also return theirs as a recording."""
    differences: list[Difference] = []
    compared = 0
    recorded: dict[str, Answers] = {}
    for seq, name in enumerate(names, start=1):
        reference_parts = _parts(theirs, seq)
        parts = _union(reference_parts, _parts(ours, seq))
        mine, reference = probe_message(ours, seq, parts), probe_message(theirs, seq, parts)
        compared += len(set(mine) | set(reference))
        differences.extend(_differ(name, mine, reference))
        reference[PARTS] = parts_text(reference_parts)
        recorded[name] = reference
    mailbox_mine, mailbox_reference = probe_mailbox(ours), probe_mailbox(theirs)
    compared += len(mailbox_reference)
    differences.extend(_differ(MAILBOX, mailbox_mine, mailbox_reference))
    return Outcome(differences, compared), Recording(recorded, mailbox_reference)


def compare_recorded(ours: Client, names: Sequence[str], recording: Recording) -> Outcome:
    differences: list[Difference] = []
    compared = 0
    for seq, name in enumerate(names, start=1):
        theirs = recording.messages.get(name)
        if theirs is None:
            differences.append(Difference(name, "(message)", "in the corpus", "not recorded"))
            continue
        parts = _union(parse_parts(theirs.get(PARTS, "")), _parts(ours, seq))
        mine = probe_message(ours, seq, parts)
        compared += len(set(mine) | set(theirs)) - 1
        differences.extend(_differ(name, mine, theirs))
    mailbox = probe_mailbox(ours)
    compared += len(recording.mailbox)
    differences.extend(_differ(MAILBOX, mailbox, recording.mailbox))
    return Outcome(differences, compared)
