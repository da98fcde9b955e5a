"""The HTTP API and IMAP say the same about every message of the differential corpora.

Each corpus is appended over IMAP to a server with the control plane on; then, message by message, the
API's details (``GET /messages/{uid}``) and summary (``GET /messages``) are compared with what the same
server's IMAP answers over a real connection: ENVELOPE for subject, date, addresses and Message-ID,
BODYSTRUCTURE for which parts are the text, the HTML and the attachments, and BINARY[n] (BODY[n] where
the transfer encoding is unknown) for their content and sizes. No field may differ and no request fail.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import unquote_to_bytes

import httpx
import pytest

from elektromail import Config, ServerThread
from elektromail.config import UserSpec
from elektromail.mail.headers import decode_words
from elektromail.mail.links import urls_in_html, urls_in_text
from tests.differential.corpora import CORPORA
from tests.differential.probe import append_all, children_of
from tests.differential.wire import Client, Value, fetch_items

USER, PASSWORD = "user", "pass"
SHOWN = 40
CONTENT_FIELDS = ("text", "html", "links")
# Dovecot's placeholders for the parts of an address that are missing (what ENVELOPE sends).
MISSING_MAILBOX, MISSING_DOMAIN = b"MISSING_MAILBOX", b"MISSING_DOMAIN"


class Part(NamedTuple):
    """A BODYSTRUCTURE leaf (an encapsulated message is one): what the API's views depend on."""

    number: str
    kind: str  # type/subtype, lower case
    params: list[tuple[bytes, bytes]]
    content_id: bytes | None
    disposition: str | None  # its kind, lower case
    disposition_params: list[tuple[bytes, bytes]]
    is_root: bool

    @property
    def is_message(self) -> bool:
        return self.kind == "message/rfc822"


@contextmanager
def server_with(messages: list[bytes]) -> Iterator[tuple[Client, httpx.Client]]:
    config = Config(smtp_port=0, imap_port=0, http_port=0, bind_addr="127.0.0.1", users=(UserSpec(USER, PASSWORD),))
    server = ServerThread(config).start()
    try:
        imap = Client(server.imap_port, USER, PASSWORD)
        try:
            append_all(imap, messages)
            with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}", timeout=30) as http:
                yield imap, http
        finally:
            imap.close()
    finally:
        server.stop()


def _pairs(value: Value) -> list[tuple[bytes, bytes]]:
    if not isinstance(value, list):
        return []
    return [
        (k, v) for k, v in zip(value[::2], value[1::2], strict=False) if isinstance(k, bytes) and isinstance(v, bytes)
    ]


def _text(value: Value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def leaves(structure: Value, prefix: tuple[int, ...] = ()) -> list[Part]:
    """Depth first, numbered as BODY[n] numbers them (RFC 9051 6.4.5); message/rfc822 not entered."""
    assert isinstance(structure, list) and structure
    if isinstance(structure[0], list):
        return [leaf for i, child in enumerate(children_of(structure)) for leaf in leaves(child, (*prefix, i + 1))]
    kind = f"{_text(structure[0])}/{_text(structure[1])}".lower()
    # The disposition follows the basic fields, the type's own fields and the MD5 (RFC 9051 7.5.2).
    at = {"message/rfc822": 11}.get(kind, 9 if kind.startswith("text/") else 8)
    disposition = structure[at] if len(structure) > at else None
    content_id = structure[3]
    return [
        Part(
            ".".join(map(str, prefix or (1,))),
            kind,
            _pairs(structure[2]),
            content_id if isinstance(content_id, bytes) else None,
            _text(disposition[0]).lower() if isinstance(disposition, list) else None,
            _pairs(disposition[1]) if isinstance(disposition, list) else [],
            not prefix,
        )
    ]


def fetch_one(imap: Client, uid: int, item: str) -> Value | None:
    """One FETCH item, or None when the server refuses it (BINARY of an unknown encoding)."""
    reply = imap.command(f"UID FETCH {uid} ({item})".encode())
    if reply.status != "OK":
        return None
    for line in reply.untagged:
        _, items = fetch_items(line)
        for label, value in items.items():
            if label.startswith(item.replace(".PEEK", "").split("[")[0]) and label != "UID":
                return value
    return None


def content(imap: Client, uid: int, part: Part) -> bytes:
    """The part's content without its transfer encoding; as sent when that encoding is unknown."""
    decoded = None if part.is_message else fetch_one(imap, uid, f"BINARY.PEEK[{part.number}]")
    if not isinstance(decoded, bytes):
        decoded = fetch_one(imap, uid, f"BODY.PEEK[{part.number}]")
    assert isinstance(decoded, bytes)
    return decoded


def as_text(data: bytes, part: Part) -> str:
    """Read with the part's charset; an unknown one, or US-ASCII holding 8-bit text, as UTF-8."""
    charset = next((value for name, value in part.params if name.lower() == b"charset"), b"")
    try:
        codec = codecs.lookup(charset.decode("ascii", "replace")).name if charset else "utf-8"
    except LookupError:
        codec = "utf-8"
    try:
        return data.decode("utf-8" if codec == "ascii" else codec, "replace")
    except (LookupError, UnicodeError):
        return data.decode("utf-8", "replace")


def addresses(value: Value) -> list[str]:
    """ENVELOPE addresses as the API lists them: ``mailbox@host``; group markers and names without an
    address are left out, a missing domain is left off."""
    found: list[str] = []
    for address in value if isinstance(value, list) else []:
        assert isinstance(address, list)
        mailbox, host = address[2], address[3]
        if not isinstance(host, bytes) or not isinstance(mailbox, bytes) or mailbox == MISSING_MAILBOX:
            continue
        text = mailbox.decode("utf-8", "replace")
        found.append(text if host == MISSING_DOMAIN else f"{text}@{host.decode('utf-8', 'replace')}")
    return found


def _decoded(value: Value) -> str | None:
    return decode_words(value) if isinstance(value, bytes) else None


def _rfc2231(value: bytes) -> str:
    charset, quote, rest = value.partition(b"'")
    if not quote:
        charset, rest = b"utf-8", value
    data = unquote_to_bytes(rest.partition(b"'")[2] if b"'" in rest else rest)
    try:
        return data.decode((charset or b"utf-8").decode("ascii", "replace"), "replace")
    except (LookupError, UnicodeError):
        return data.decode("latin-1", "replace")


def filename(part: Part) -> str | None:
    for params, key in ((part.disposition_params, b"filename"), (part.params, b"name")):
        for name, value in params:
            if name.lower() == key + b"*":
                return _rfc2231(value)
            if name.lower() == key:
                return decode_words(value)
    return None


def as_imap_sends(value: Any) -> Any:
    """A literal cannot carry NUL (RFC 9051 4.3), so IMAP sends it as 0x80, which reads as U+FFFD; the
    API's JSON can carry it as it is stored."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [as_imap_sends(item) for item in value]
    if isinstance(value, dict):
        return {key: as_imap_sends(item) for key, item in value.items()}
    return value


def first(parts: list[Part], kind: str) -> Part | None:
    return next((part for part in parts if part.kind == kind and part.disposition != "attachment"), None)


def expected_detail(imap: Client, uid: int) -> dict[str, Any]:
    reply = imap.command(f"UID FETCH {uid} (ENVELOPE BODYSTRUCTURE)".encode())
    assert reply.status == "OK", reply.text
    _, items = fetch_items(reply.untagged[0])
    envelope = items["ENVELOPE"]
    assert isinstance(envelope, list)
    parts = leaves(items["BODYSTRUCTURE"])
    text_part, html_part = first(parts, "text/plain"), first(parts, "text/html")
    text = None if text_part is None else as_text(content(imap, uid, text_part), text_part)
    html = None if html_part is None else as_text(content(imap, uid, html_part), html_part)
    attachments = [
        {
            "filename": filename(part),
            "content_type": part.kind,
            "size": len(content(imap, uid, part)),
            "content_id": _decoded(part.content_id),
            "inline": part.disposition == "inline",
        }
        for part in parts
        if part not in (text_part, html_part) and (not part.is_root or part.disposition is not None)
    ]
    from_ = addresses(envelope[2])
    return {
        "date": _decoded(envelope[0]),
        "subject": _decoded(envelope[1]),
        "from": from_[0] if from_ else None,
        "to": addresses(envelope[5]),
        "cc": addresses(envelope[6]),
        "message_id": _decoded(envelope[9]),
        "text": text,
        "html": html,
        "attachments": attachments,
        "links": list(dict.fromkeys(urls_in_text(text or "") + urls_in_html(html or ""))),
    }


@pytest.mark.timeout(600)
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_api_and_imap_agree_on_every_message(corpus: str) -> None:
    messages = CORPORA[corpus]()
    assert messages
    problems: list[str] = []
    with server_with([data for _, data in messages]) as (imap, http):
        listed = http.get("/messages", params={"user": USER, "limit": 1000})
        assert listed.status_code == 200, listed.text
        summaries = {summary["uid"]: summary for summary in listed.json()["messages"]}
        assert len(summaries) == len(messages)
        for uid, (name, _) in enumerate(messages, 1):
            response = http.get(f"/messages/{uid}", params={"user": USER})
            if response.status_code != 200:
                problems.append(f"{name}: HTTP {response.status_code} {response.text[:200]}")
                continue
            detail = response.json()
            for field, want in expected_detail(imap, uid).items():
                # BINARY[n] (literal8) carries NUL; ENVELOPE and BODYSTRUCTURE strings cannot.
                got = detail[field] if field in CONTENT_FIELDS else as_imap_sends(detail[field])
                if got != want:
                    problems.append(f"{name}: {field}: API {detail[field]!r} IMAP {want!r}")
            for field in ("from", "to", "subject", "date", "links"):
                if summaries[uid][field] != detail[field]:
                    problems.append(f"{name}: summary {field}: {summaries[uid][field]!r}, detail {detail[field]!r}")
    shown = "\n".join(problems[:SHOWN])
    assert not problems, f"{len(problems)} disagreements over {len(messages)} messages:\n{shown}"
