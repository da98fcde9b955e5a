"""What the differential suite asks each server, and the answers in a form that can be compared and kept.

For every message: the structure items and every section of every part (found in the BODYSTRUCTURE
answers) in one FETCH, then BINARY and BINARY.SIZE of every part in a second FETCH (one FETCH per part
when a part cannot be decoded, since [UNKNOWN-CTE] fails the whole command). Then SEARCH, SORT and THREAD
over the whole mailbox. Answers are kept as canonical text; long section contents as length and digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tests.differential.wire import Client, Reply, Value, canonical, fetch_items

Answers = dict[str, str]  # item label (or command) -> canonical answer
# Sections longer than this are kept as their length and a digest: the recorded file stays small and a
# difference is still a difference.
KEEP_VERBATIM = 100
MAX_PARTS = 40  # per message; bounds the command length for hostile nesting
STRUCTURE_ITEMS = ("ENVELOPE", "BODY", "BODYSTRUCTURE", "RFC822.SIZE")
TOP_SECTIONS = (
    "",
    "HEADER",
    "TEXT",
    "HEADER.FIELDS (FROM TO SUBJECT X-MISSING)",
    "HEADER.FIELDS.NOT (FROM RECEIVED CONTENT-TYPE)",
)
PART_SECTIONS = ("", "MIME", "HEADER", "TEXT", "HEADER.FIELDS (SUBJECT FROM)", "HEADER.FIELDS.NOT (SUBJECT)")
PARTIALS = ("<0.20>", "<7.100>", "<100000.5>")
BASE_DATE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

SEARCHES = (
    "FROM alice",
    "FROM example.com",
    'FROM "Doe, John"',
    "CHARSET UTF-8 FROM jörg",
    "FROM MAILER-DAEMON",
    "FROM friends",
    "FROM route1",
    "FROM missing_mailbox",
    "TO bob",
    "TO yamada",
    "TO undisclosed",
    "CC adam",
    "CC example",
    "BCC x",
    "SUBJECT address",
    'SUBJECT "qp part"',
    "CHARSET UTF-8 SUBJECT grüße",
    "CHARSET UTF-8 SUBJECT 日本",
    "CHARSET UTF-8 SUBJECT привет",
    "BODY body",
    "BODY inner",
    "BODY deepest",
    "CHARSET UTF-8 BODY wörld",
    "CHARSET UTF-8 BODY café",
    "BODY alice",
    "BODY subject",
    "BODY hello",
    "TEXT alice",
    "TEXT body",
    "TEXT carol",
    "TEXT deepest",
    "TEXT subject",
    "HEADER Content-Type multipart",
    "HEADER X-Long aaaa",
    "HEADER Message-ID example",
    'HEADER X-Missing ""',
    "HEADER Received host399",
    "SENTBEFORE 2-Mar-2026",
    "SENTON 2-Mar-2026",
    "SENTSINCE 3-Mar-2026",
    "SENTBEFORE 1-Jan-1971",
    "BEFORE 3-Mar-2026",
    "ON 2-Mar-2026",
    "SINCE 4-Mar-2026",
    "LARGER 4000",
    "SMALLER 300",
    "LARGER 100 SMALLER 500",
    "OR FROM carol BODY carol",
    "NOT BODY body",
    "CHARSET UTF-8 SUBJECT Köln",
    "CHARSET UTF-8 BODY grüße",
)
SORTS = (
    "(ARRIVAL)",
    "(DATE)",
    "(REVERSE DATE)",
    "(SIZE)",
    "(SUBJECT)",
    "(FROM)",
    "(TO)",
    "(CC)",
    "(DISPLAYFROM)",
    "(DISPLAYTO)",
    "(REVERSE FROM SUBJECT)",
    "(CC DATE)",
)
THREADS = ("ORDEREDSUBJECT", "REFERENCES")


def internal_date(index: int) -> str:
    """A different internal date for each message, spread over days, so BEFORE/ON/SINCE and ARRIVAL select."""
    when = BASE_DATE + timedelta(hours=7 * index)
    return when.strftime('"%d-%b-%Y %H:%M:%S +0000"')


def append_all(client: Client, messages: Sequence[bytes]) -> None:
    for index, data in enumerate(messages):
        reply = client.command(b"APPEND INBOX () " + internal_date(index).encode(), data, b"\x00" in data)
        if reply.status != "OK":
            raise RuntimeError(f"APPEND of message {index + 1} refused: {reply.text!r}")
    reply = client.command(b"SELECT INBOX")
    if reply.status != "OK":
        raise RuntimeError(f"SELECT refused: {reply.text!r}")


def part_numbers(structure: Value, prefix: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Every part number a BODYSTRUCTURE names (RFC 9051 6.4.5 part numbering), depth first."""
    if not isinstance(structure, list) or not structure:
        return []
    if isinstance(structure[0], list):  # multipart: its children are 1..n, then the subtype
        found: list[tuple[int, ...]] = []
        for index, child in enumerate(children_of(structure)):
            number = (*prefix, index + 1)
            found.append(number)
            found.extend(part_numbers_inside(child, number))
        return found
    return [] if prefix else [(1,), *part_numbers_inside(structure, (1,))]


def children_of(multipart: list[Value]) -> list[list[Value]]:
    children: list[list[Value]] = []
    for item in multipart:
        if not isinstance(item, list):
            break
        children.append(item)
    return children


def part_numbers_inside(part: list[Value], number: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The parts within part ``number``: a multipart's children, or those of an encapsulated message."""
    if isinstance(part[0], list):
        return part_numbers(part, number)
    kind = [item.lower() if isinstance(item, bytes) else item for item in part[:2]]
    if kind in ([b"message", b"rfc822"], [b"message", b"global"]) and len(part) > 8:
        inner = part[8]
        if isinstance(inner, list) and inner and isinstance(inner[0], list):
            return part_numbers(inner, number)
        deeper = (*number, 1)
        return [deeper, *(part_numbers_inside(inner, deeper) if isinstance(inner, list) and inner else [])]
    return []


def _keep(label: str, value: Value) -> str:
    text = canonical(value)
    if isinstance(value, bytes) and len(text) > KEEP_VERBATIM:
        return f"{len(value)} octets sha256:{hashlib.sha256(value).hexdigest()[:16]}"
    return text


def _spec(part: tuple[int, ...], text: str) -> str:
    number = ".".join(map(str, part))
    return f"{number}.{text}" if number and text else number or text


def section_items(parts: Iterable[tuple[int, ...]]) -> list[str]:
    items = list(STRUCTURE_ITEMS)
    for text in TOP_SECTIONS:
        items.append(f"BODY.PEEK[{text}]")
    items += [f"BODY.PEEK[]{partial}" for partial in PARTIALS] + ["BODY.PEEK[TEXT]<3.50>"]
    for part in parts:
        for text in PART_SECTIONS:
            items.append(f"BODY.PEEK[{_spec(part, text)}]")
        items += [f"BODY.PEEK[{_spec(part, '')}]{partial}" for partial in PARTIALS[:2]]
    return items


def binary_items(parts: Iterable[tuple[int, ...]]) -> list[str]:
    items = []
    for part in parts:
        spec = _spec(part, "")
        items += [f"BINARY.PEEK[{spec}]", f"BINARY.SIZE[{spec}]", f"BINARY.PEEK[{spec}]<1.10>"]
    return items


def _response_label(item: str) -> str:
    """The label a server answers an item with: BODY.PEEK[1]<0.20> -> BODY[1]<0>."""
    label = item.replace(".PEEK", "")
    if label.endswith(">") and "<" in label:
        label = label[: label.rindex("<")] + "<" + label[label.rindex("<") + 1 : label.rindex(".")] + ">"
    return label.upper()


CLOSED = "(connection closed)"
SIZE_MATCHES = "SIZE MATCHES "  # a BINARY.SIZE answer equals the length of the BINARY answer


def fetch(client: Client, seq: int, items: Sequence[str], answers: Answers) -> bool:
    """FETCH ``items`` of message ``seq`` into ``answers``; False (and nothing kept) when refused."""
    try:
        reply = client.command(b"FETCH %d (%b)" % (seq, " ".join(items).encode()))
    except ConnectionError:
        client.reconnect()
        return False
    if reply.status != "OK":
        return False
    got: dict[str, Value] = {}
    for line in reply.untagged:
        if line.startswith(b"* %d FETCH " % seq):
            got.update(fetch_items(line)[1])
    for item in items:
        label = _response_label(item)
        answers[label] = _keep(label, got[label]) if label in got else "(absent)"
    for label, value in got.items():
        if label.startswith("BINARY.SIZE["):  # RFC 3516 4.2: the size of what BINARY returns
            binary = got.get("BINARY[" + label[len("BINARY.SIZE[") :])
            if isinstance(binary, bytes):
                answers[SIZE_MATCHES + label] = "yes" if value == str(len(binary)) else "no"
    return True


def _tagged_outcome(client: Client, seq: int, item: str) -> str:
    try:
        reply = client.command(b"FETCH %d (%b)" % (seq, item.encode()))
    except ConnectionError:
        client.reconnect()
        return CLOSED
    code = reply.text.split(b"]")[0] + b"]" if reply.text.startswith(b"[") else b""
    return f"{reply.status} {code.decode('latin-1')}".strip()


def _fetch_each(client: Client, seq: int, items: Sequence[str], answers: Answers) -> None:
    """All items in one FETCH; when that is refused (one part cannot be decoded, [UNKNOWN-CTE] fails the
    whole command) or the server drops the connection, item by item to find which."""
    if fetch(client, seq, items, answers):
        return
    for item in items:
        if not fetch(client, seq, [item], answers):
            answers[_response_label(item)] = _tagged_outcome(client, seq, item)


def probe_message(client: Client, seq: int, parts: Sequence[tuple[int, ...]]) -> Answers:
    answers: Answers = {}
    parts = list(parts)[:MAX_PARTS]
    _fetch_each(client, seq, section_items(parts), answers)
    _fetch_each(client, seq, binary_items([(), *parts]), answers)
    return answers


def structure_of(client: Client, seq: int) -> Value:
    reply = client.command(b"FETCH %d (BODYSTRUCTURE)" % seq)
    for line in reply.untagged:
        if line.startswith(b"* %d FETCH " % seq):
            return fetch_items(line)[1].get("BODYSTRUCTURE")
    return None


def parts_text(parts: Iterable[tuple[int, ...]]) -> str:
    return " ".join(".".join(map(str, part)) for part in parts)


def parse_parts(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(n) for n in word.split(".")) for word in text.split()]


def probe_mailbox(client: Client) -> Answers:
    """SEARCH, SORT and THREAD answers over the selected mailbox."""
    answers: Answers = {}
    for criteria in SEARCHES:
        reply = _search(client, criteria)
        answers["SEARCH " + criteria] = _listed(reply.status, reply.untagged, b"* SEARCH")
    for order in SORTS:
        reply = client.command(b"SORT " + order.encode() + b" UTF-8 ALL")
        answers["SORT " + order] = _listed(reply.status, reply.untagged, b"* SORT")
    for algorithm in THREADS:
        reply = client.command(b"THREAD " + algorithm.encode() + b" UTF-8 ALL")
        answers["THREAD " + algorithm] = _listed(reply.status, reply.untagged, b"* THREAD")
    return answers


def _search(client: Client, criteria: str) -> Reply:
    """SEARCH, with a last argument that is not ASCII sent as a literal (an atom cannot carry it)."""
    head, _, last = criteria.rpartition(" ")
    if last.isascii():
        return client.command(b"SEARCH " + criteria.encode("ascii"))
    return client.command(b"SEARCH " + head.encode("ascii"), last.encode("utf-8"))


def _listed(status: str, untagged: list[bytes], prefix: bytes) -> str:
    if status != "OK":
        return status
    for line in untagged:
        if line.startswith(prefix):
            return line[len(prefix) :].strip().decode("latin-1")
    return "(none)"
