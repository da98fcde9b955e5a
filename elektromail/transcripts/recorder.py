"""One session's transcript: what the client and the server said, as it happened, within a size budget.

Recording is on the path of every read and write an SMTP or IMAP session handles, so a record is two
items appended to one list (appends CPython specialises; no tuple is made), the moment (monotonic
seconds) and the payload as received or written: only the list and the payloads are kept. The payload's
type says what it is (bytes: what was said; int: the size of message content; str: a stored message's
id; TLS and AUTH facts; None: the truncation marker); a client's bytes have their moment stored negated,
so the sign tells who spoke. Decoding, line splitting and formatting happen when someone reads the
transcript. Secrets are masked before they are kept (see :mod:`.masking`); message content (DATA, BDAT,
literals in either direction) is kept as its size only. Once ``limit`` octets are recorded a single
truncation marker ends the record, after which recording costs a comparison; the structured facts (TLS,
AUTH, stored messages) are still kept, since they are small and bounded by what the session can do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from time import monotonic, time
from typing import ClassVar, Literal, cast

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts.literals import without_literals
from elektromail.transcripts.masking import (
    SECRET,
    is_imap_continuation,
    is_smtp_continuation,
    mask_imap_command,
    mask_smtp_command,
)

SessionProtocol = Literal["smtp", "imap"]

# Entry kinds, as readers see them in ``entries``.
CLIENT = 0  # bytes: one command line (or the part of an IMAP command around literals), masked
SERVER = 1  # bytes: output as written, CRLF included, literal content replaced by its size
CONTENT = 2  # int: octets of message content the client sent (DATA, BDAT, an IMAP literal)
STORED = 3  # str: the server-wide id of a message the session delivered or appended
TLS = 4  # TlsFacts: the handshake completed
AUTH = 5  # AuthFacts: the client authenticated
TRUNCATED = 6  # None: the size budget is spent; nothing more is recorded

Entry = tuple[float, int, object]

# The fixed cost of an entry beside its payload, counted against the budget so that many tiny lines
# cannot hold more memory than the budget says.
ENTRY_OVERHEAD = 48

# The first octets, lower-cased, of the IMAP commands whose lines may carry secrets (LOGIN, AUTHENTICATE).
_SECRET_INITIALS = frozenset(b"la")


def _kind(moment: float, payload: object) -> int:
    """The kind of a record from its payload's type (and, for bytes, its moment's sign)."""
    if isinstance(payload, bytes):
        return CLIENT if moment < 0 else SERVER
    if isinstance(payload, int):
        return CONTENT
    if isinstance(payload, str):
        return STORED
    if isinstance(payload, TlsFacts):
        return TLS
    if isinstance(payload, AuthFacts):
        return AUTH
    return TRUNCATED


class Transcript:
    """The record of one session. The session calls the recording methods; readers use ``entries``."""

    __slots__ = (
        "id",
        "protocol",
        "client",
        "_started",
        "_ended",
        "origin",
        "_log",
        "size",
        "limit",
        "helo",
        "tls",
        "auth",
        "message_ids",
        "_smtp",
        "_exchange",
        "_hide_rest",
        "_skip",
    )

    def __init__(self, session_id: str, protocol: SessionProtocol, client: str | None, limit: int) -> None:
        self.id = session_id
        self.protocol = protocol
        self.client = client
        self._started = time()  # wall-clock moments as numbers: a datetime is made only for readers
        self._ended: float | None = None
        self.origin = monotonic()
        self._log: list[object] = []  # moment, payload, moment, payload, ... (see the module's text)
        self.size = 0  # octets counted against ``limit``; past it, the transcript is truncated
        self.limit = limit
        self.helo: str | None = None
        self.tls: TlsFacts | None = None
        self.auth: AuthFacts | None = None
        self.message_ids: tuple[str, ...] = ()
        self._smtp = protocol == "smtp"
        self._exchange = False  # inside a SASL exchange: client lines are secret
        self._hide_rest = False  # IMAP LOGIN continued after a literal: the rest may be the password
        self._skip = 0  # octets of a server literal still to come, not recorded

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self._started, UTC)

    @property
    def ended_at(self) -> datetime | None:
        return None if self._ended is None else datetime.fromtimestamp(self._ended, UTC)

    @property
    def truncated(self) -> bool:
        return self.size > self.limit

    @property
    def entries(self) -> list[Entry]:
        """What was recorded so far, in order, as (monotonic time, kind, payload)."""
        log = self._log[:]  # a copy: the session may record on while this is read
        moments = cast(list[float], log[::2])
        return [(abs(m), _kind(m, p), p) for m, p in zip(moments, log[1::2], strict=True)]

    recording: ClassVar[bool] = True  # lines are recorded (False: UnrecordedTranscript)

    def _add(self, payload: object, size: int) -> None:
        if self.size > self.limit:
            return
        self.size += size + ENTRY_OVERHEAD
        if self.size > self.limit:
            payload = None  # the truncation marker, recorded once
        log = self._log
        log.append(monotonic())
        log.append(payload)

    def client_line(self, line: bytes) -> None:
        """A command line as received, without its CRLF; for IMAP, the part up to a literal if any."""
        size = self.size
        if size > self.limit:
            return
        if self._exchange:
            line = SECRET
        elif self._smtp:
            # Only AUTH carries a secret: other commands skip the masking call on their first octet (an
            # integer test; ``line[:1] in b"Aa"`` costs several times more, being a substring search).
            if line and line[0] | 0x20 == 0x61:
                line, self._exchange = mask_smtp_command(line)
        else:
            # Only LOGIN and AUTHENTICATE carry secrets: the command name's first octet after the tag
            # decides whether the line is looked at further.
            space = line.find(b" ")
            if 0 <= space < len(line) - 1 and line[space + 1] | 0x20 in _SECRET_INITIALS:
                line, self._exchange, self._hide_rest = mask_imap_command(line)
            else:
                self._hide_rest = False
        self.size = size = size + len(line) + ENTRY_OVERHEAD
        if size > self.limit:
            self._log.append(monotonic())
            self._log.append(None)
            return
        log = self._log
        log.append(-monotonic())
        log.append(line)

    def exchange(self, line: bytes, reply: bytes | None) -> None:
        """An SMTP command line and the replies written for it in the same turn of the event loop (None:
        its reply comes later), recorded at one moment: one call and one clock read per round trip."""
        size = self.size
        if size > self.limit:
            return
        if self._exchange or (line and line[0] | 0x20 == 0x61):  # inside SASL, or AUTH: masked as usual
            self.client_line(line)
            if reply is not None:
                self.server_output(reply)
            return
        if reply is None:
            self.client_line(line)
            return
        self.size = size = size + len(line) + len(reply) + 2 * ENTRY_OVERHEAD
        if size <= self.limit:
            moment = monotonic()
            log = self._log
            log.append(-moment)
            log.append(line)
            log.append(moment)
            log.append(reply)
        else:  # one of the two may still have fitted: recorded the slow way
            self.size -= len(line) + len(reply) + 2 * ENTRY_OVERHEAD
            self.client_line(line)
            self.server_output(reply)

    def client_continued(self, line: bytes) -> None:
        """The part of an IMAP command that follows one of its literals."""
        if self.size > self.limit:
            return
        if self._hide_rest or self._exchange:
            line = SECRET
        self.size += len(line) + ENTRY_OVERHEAD
        log = self._log
        if self.size <= self.limit:
            log.append(-monotonic())
            log.append(line)
        else:
            log.append(monotonic())
            log.append(None)

    def client_content(self, size: int) -> None:
        """Message content (DATA, a BDAT chunk, an IMAP literal): only its size is recorded."""
        total = self.size
        if total > self.limit:
            return
        self.size = total = total + 8 + ENTRY_OVERHEAD  # _add, inlined: once per message
        log = self._log
        log.append(monotonic())
        log.append(size if total <= self.limit else None)

    def server_output(self, data: bytes) -> None:
        if self.size > self.limit:
            return
        self._note_exchange(data)
        if self._smtp:  # SMTP replies carry no literals
            pass
        elif self._skip or b"}\r\n" in data:
            kept, self._skip = without_literals((data,), self._skip)
            data = b"".join(kept)
        self._record_output(data)

    def server_output_many(self, chunks: Sequence[bytes]) -> None:
        """One write of several pieces (IMAP responses built from precomputed parts), as one entry. Each
        literal's content (a FETCH answer's message octets, a buffer each) is skipped, never copied."""
        if not chunks or self.size > self.limit:
            return
        if len(chunks) == 1 or self._smtp:
            self.server_output(chunks[0] if len(chunks) == 1 else b"".join(chunks))
            return
        self._note_exchange(next((chunk for chunk in chunks if chunk), b""))
        kept, self._skip = without_literals(chunks, self._skip)
        self._record_output(b"".join(kept))

    def _note_exchange(self, data: bytes) -> None:
        if self._exchange and not (is_smtp_continuation(data) if self._smtp else is_imap_continuation(data)):
            self._exchange = False

    def _record_output(self, data: bytes) -> None:
        self.size = size = self.size + len(data) + ENTRY_OVERHEAD
        log = self._log
        log.append(monotonic())
        log.append(data if size <= self.limit else None)

    def stored(self, message_id: str) -> None:
        """The session delivered (SMTP) or appended (IMAP) the message with this server-wide id."""
        self.message_ids += (message_id,)
        self._add(message_id, len(message_id))

    def tls_established(self, facts: TlsFacts) -> None:
        self.tls = facts
        self._add(facts, 64)

    def authenticated(self, facts: AuthFacts) -> None:
        self.auth = facts
        self._add(facts, 64)

    def end(self) -> bool:
        """Note the session's end; False when it had ended already."""
        if self._ended is not None:
            return False
        self._ended = time()
        return True

    @property
    def ended(self) -> bool:
        return self._ended is not None

    def milliseconds(self, moment: float) -> int:
        """A recorded time as milliseconds since the session started."""
        return round((moment - self.origin) * 1000)


class UnrecordedTranscript(Transcript):
    """A session's identity and facts without its lines: what sessions get with recording turned off."""

    __slots__ = ()

    recording: ClassVar[bool] = False

    def client_line(self, line: bytes) -> None:
        pass

    def client_continued(self, line: bytes) -> None:
        pass

    def exchange(self, line: bytes, reply: bytes | None) -> None:
        pass

    def client_content(self, size: int) -> None:
        pass

    def server_output(self, data: bytes) -> None:
        pass

    def server_output_many(self, chunks: Sequence[bytes]) -> None:
        pass

    def stored(self, message_id: str) -> None:
        pass

    def tls_established(self, facts: TlsFacts) -> None:
        self.tls = facts

    def authenticated(self, facts: AuthFacts) -> None:
        self.auth = facts
