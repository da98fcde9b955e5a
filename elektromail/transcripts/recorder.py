"""One session's transcript: what the client and the server said, as it happened, within a size budget.

Recording is on the path of every read and write an SMTP or IMAP session handles, so a record is a few
items added to one list by a single extend: the moment (seconds of the session's clock: the event
loop's for SMTP, whose reads have taken it already, else monotonic) and the payload as received
or written; only the list and the payloads are kept. The payload's type says what it is (bytes: what was
said; bytearray: the part of an IMAP command after a literal; int: the size of message content; str: a
stored message's id; TLS and AUTH facts; None: the truncation marker); a client's payloads have their
moment stored negated, so the sign tells who spoke, and a server's bytes that follow a payload without a
moment of their own were written at the moment before (an SMTP reply recorded with its command line).
Masking, decoding, line splitting and formatting happen when someone reads the transcript: every reader
gets ``entries``, where :class:`~.masking.Masker` has replaced secrets. Message content (DATA, BDAT,
literals in either direction) is kept as its size only. Octets count against ``limit`` as recorded;
once it is reached a single truncation marker ends the record, after which recording costs a
comparison; the structured facts (TLS, AUTH, stored messages) are still kept, since they are small and
bounded by what the session can do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from time import monotonic, time
from typing import ClassVar, Literal

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts.literals import without_literals
from elektromail.transcripts.masking import Masker

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

_TWO_ENTRIES = 2 * ENTRY_OVERHEAD


def _kind(moment: float, payload: object) -> int:
    """The kind of a record from its payload's type (and, for bytes, its moment's sign)."""
    if isinstance(payload, bytes):
        return CLIENT if moment < 0 else SERVER
    if isinstance(payload, bytearray):
        return CLIENT
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
        "_message_ids",
        "_smtp",
        "_skip",
        "_clock",
    )

    def __init__(
        self,
        session_id: str,
        protocol: SessionProtocol,
        client: str | None,
        limit: int,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.id = session_id
        self.protocol = protocol
        self.client = client
        self._started = time()  # wall-clock moments as numbers: a datetime is made only for readers
        self._ended: float | None = None
        self._clock = clock  # one clock for every moment of the session, so that they stay in order
        self.origin = clock()
        self._log: list[object] = []  # moment, payload, moment, payload, ... (see the module's text)
        self.size = 0  # octets counted against ``limit``; past it, the transcript is truncated
        self.limit = limit
        self.helo: str | None = None
        self.tls: TlsFacts | None = None
        self.auth: AuthFacts | None = None
        self._message_ids: list[str] | None = None  # made when the first message is stored
        self._smtp = protocol == "smtp"
        self._skip = 0  # octets of a server literal still to come, not recorded

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self._started, UTC)

    @property
    def ended_at(self) -> datetime | None:
        return None if self._ended is None else datetime.fromtimestamp(self._ended, UTC)

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The server-wide ids of the messages the session delivered or appended, in order."""
        return () if self._message_ids is None else tuple(self._message_ids)

    @property
    def truncated(self) -> bool:
        return self.size > self.limit

    @property
    def entries(self) -> list[Entry]:
        """What was recorded so far, in order, as (clock time, kind, payload), secrets masked."""
        log = self._log[:]  # a copy: the session may record on while this is read
        masker = Masker(self._smtp)
        entries: list[Entry] = []
        moment = 0.0
        index = 0
        while index < len(log):
            item = log[index]
            if isinstance(item, float):
                moment, payload = item, log[index + 1]
                index += 2
            else:  # server output at the moment of the record before it
                payload = item
                index += 1
            kind = SERVER if payload is item else _kind(moment, payload)
            if kind == CLIENT:
                if isinstance(payload, bytearray):
                    payload = masker.continued(bytes(payload))
                else:
                    assert isinstance(payload, bytes)
                    payload = masker.client(payload)
            elif kind == SERVER:
                assert isinstance(payload, bytes)
                masker.server(payload)
            entries.append((abs(moment), kind, payload))
        return entries

    recording: ClassVar[bool] = True  # lines are recorded (False: UnrecordedTranscript)

    def _add(self, payload: object, size: int) -> None:
        size += self.size + ENTRY_OVERHEAD
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (self._clock(), payload)

    def client_line(self, line: bytes) -> None:
        """A command line as received, without its CRLF; for IMAP, the part up to a literal if any."""
        size = self.size + len(line) + ENTRY_OVERHEAD
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (-self._clock(), line)

    def exchange(self, line: bytes, reply: bytes | None, moment: float) -> None:
        """An SMTP command line and the replies written for it in the same turn of the event loop (None:
        its reply comes later), recorded at ``moment`` (the session clock's time when the line was read,
        which the connection has already): one call and no clock read per round trip."""
        if reply is None:
            self.client_line(line)
            return
        size = self.size + len(line) + len(reply) + _TWO_ENTRIES
        if size > self.limit:
            if self.size <= self.limit:  # the line may still fit
                self.client_line(line)
                self.server_output(reply)
            return
        self.size = size
        self._log += (-moment, line, reply)

    def client_continued(self, line: bytes) -> None:
        """The part of an IMAP command that follows one of its literals (kept as a bytearray: readers
        mask it when the command was a LOGIN whose password follows a literal user name)."""
        size = self.size + len(line) + ENTRY_OVERHEAD
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (-self._clock(), bytearray(line))

    def client_content(self, size: int) -> None:
        """Message content (DATA, a BDAT chunk, an IMAP literal): only its size is recorded."""
        total = self.size + 8 + ENTRY_OVERHEAD
        if total > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = total
        self._log += (self._clock(), size)

    def server_output(self, data: bytes) -> None:
        """Output as written: SMTP replies, or IMAP responses (whose literal content is kept as its size)."""
        if not self._smtp and (self._skip or 0x7B in data):
            # A literal starts with "{": one memchr for that octet rules most output out (an integer
            # operand: a bytes one is first tried as an integer, which raises and clears a TypeError).
            if self.size > self.limit:
                return
            kept, self._skip = without_literals((data,), self._skip)
            data = b"".join(kept)
        size = self.size + len(data) + ENTRY_OVERHEAD
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (self._clock(), data)

    def server_output_many(self, chunks: Sequence[bytes]) -> None:
        """One write of several pieces (IMAP responses built from precomputed parts), as one entry. A
        literal's content (a FETCH answer's message octets, a buffer each) is skipped, not copied, when
        the first or the last piece holds a "{" (an answer with literals starts with an announcement);
        other output is joined in C and one memchr over it tells whether it holds a literal after all."""
        if self.size > self.limit or not chunks:
            return
        if self._skip or 0x7B in chunks[0] or 0x7B in chunks[-1]:
            data = None
        else:
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            if 0x7B in data:  # a literal in between after all
                data = None
        if data is None:
            kept, self._skip = without_literals(chunks, self._skip)
            data = b"".join(kept)
        size = self.size + len(data) + ENTRY_OVERHEAD
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (self._clock(), data)

    def _truncate(self) -> None:
        """The budget is spent: the truncation marker ends the record."""
        self.size = self.limit + 1
        self._log += (self._clock(), None)

    def stored(self, message_id: str) -> None:
        """The session delivered (SMTP) or appended (IMAP) the message with this server-wide id."""
        if self._message_ids is None:
            self._message_ids = [message_id]
        else:
            self._message_ids.append(message_id)
        size = self.size + len(message_id) + ENTRY_OVERHEAD  # _add, inlined: once per message
        if size > self.limit:
            if self.size <= self.limit:
                self._truncate()
            return
        self.size = size
        self._log += (self._clock(), message_id)

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

    def exchange(self, line: bytes, reply: bytes | None, moment: float) -> None:
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


class _Unconnected(UnrecordedTranscript):
    """What a connection holds until it is connected and given its own transcript: it records nothing
    and learns nothing, so that one instance serves every connection."""

    __slots__ = ()

    def tls_established(self, facts: TlsFacts) -> None:
        pass

    def authenticated(self, facts: AuthFacts) -> None:
        pass


# Shared, so that connections are not made with a transcript of another type than the registry's: the
# initialiser both share would then see two types and CPython would stop specialising its attribute
# stores (a measurable cost per session).
UNCONNECTED: Transcript = _Unconnected("", "smtp", None, 0)
