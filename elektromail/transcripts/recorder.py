"""One session's transcript: what the client and the server said, as it happened, within a size budget.

Recording is on the path of every read and write an SMTP or IMAP session handles, so a record is three
items added to one list: the moment (seconds of the session's clock: the event loop's for SMTP, whose
reads have taken it already, else monotonic), what the server heard or learnt (``heard``) and what it
wrote (``written``, or None); only the list and the payloads are kept. ``heard``'s type says what it is
(bytes: a command line; bytearray: the part of an IMAP command after a literal; int: the size of
message content; str: a stored message's id; list: ids an SMTP message was stored under; a tuple: the
size of an SMTP message and that list; TLS and AUTH facts; None: nothing, and with nothing written
either, the truncation marker). An SMTP command
line and the replies written for it in the same turn of the event loop are one record, and so are a
message's content, the ids it was stored under and the reply to it. Masking, decoding, line splitting
and formatting happen when someone reads the transcript: every reader gets ``entries``, where
:class:`~.masking.Masker` has replaced secrets. Message content (DATA, BDAT, literals in either
direction) is kept as its size only. Octets count against ``limit`` as recorded; once it is reached a
single truncation marker ends the record, after which recording costs a comparison; the structured
facts (TLS, AUTH, stored messages) are still kept, since they are small and bounded by what the session
can do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from time import monotonic, time
from typing import ClassVar, Literal

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts.literals import without_literals
from elektromail.transcripts.replay import Entry, replay

SessionProtocol = Literal["smtp", "imap"]

# The fixed cost of an entry beside its payload, counted against the budget so that many tiny lines
# cannot hold more memory than the budget says.
ENTRY_OVERHEAD = 48

_TWO_ENTRIES = 2 * ENTRY_OVERHEAD
_CONTENT = 8 + ENTRY_OVERHEAD  # message content counts as its size, an integer
_CONTENT_AND_ENTRY = _CONTENT + ENTRY_OVERHEAD
_FACTS = 64  # TLS or AUTH facts
_STORED_ID = 64  # a stored message's id (a short string) in a list of them


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
        "delivered",
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
        self._log: list[object] = []  # moment, heard, written, moment, ... (see the module's text)
        self.size = 0  # octets counted against ``limit``; past it, the transcript is truncated
        self.limit = limit
        self.helo: str | None = None
        self.tls: TlsFacts | None = None
        self.auth: AuthFacts | None = None
        self._message_ids: list[str] = []
        # The ids an SMTP message was just stored under, set by the session without a call and recorded
        # with the message's content by ``message``.
        self.delivered: list[str] | None = None
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
        return tuple(self._message_ids)

    @property
    def truncated(self) -> bool:
        return self.size > self.limit

    @property
    def entries(self) -> list[Entry]:
        """What was recorded so far, in order, as (clock time, kind, payload), secrets masked."""
        return replay(self._log[:], self._smtp)  # a copy: the session may record on while this is read

    recording: ClassVar[bool] = True  # lines are recorded (False: UnrecordedTranscript)

    def _record(self, moment: float, heard: object, written: bytes | None, size: int) -> None:
        """One record of ``size`` octets, or the truncation marker when it does not fit."""
        size += self.size
        if size > self.limit:
            if self.size <= self.limit:  # the budget is spent: the truncation marker ends the record
                self.size = self.limit + 1
                self._log += (moment, None, None)
            return
        self.size = size
        self._log += (moment, heard, written)

    def client_line(self, line: bytes) -> None:
        """A command line as received, without its CRLF; for IMAP, the part up to a literal if any."""
        size = len(line) + ENTRY_OVERHEAD + self.size
        if size > self.limit:
            self._record(self._clock(), line, None, len(line) + ENTRY_OVERHEAD)
            return
        self.size = size
        log = self._log
        log.append(self._clock())
        log.append(line)
        log.append(None)

    def exchange(self, line: bytes, reply: bytes | None, moment: float) -> None:
        """An SMTP command line and the replies written for it in the same turn of the event loop (None:
        its reply comes later), recorded at ``moment`` (the session clock's time when the line was read,
        which the connection has already): one call and no clock read per round trip."""
        if reply is None:
            self._record(moment, line, None, len(line) + ENTRY_OVERHEAD)
            return
        size = len(line) + len(reply) + _TWO_ENTRIES + self.size  # small integers first: one allocation
        if size > self.limit:
            if self.size <= self.limit:  # the line may still fit
                self._record(moment, line, None, len(line) + ENTRY_OVERHEAD)
                self._record(moment, None, reply, len(reply) + ENTRY_OVERHEAD)
            return
        self.size = size
        log = self._log
        log.append(moment)
        log.append(line)
        log.append(reply)

    def message(self, size: int, reply: bytes | None, moment: float) -> None:
        """SMTP message content of ``size`` octets read at ``moment``, the ids it was stored under (in
        ``delivered``, if it was stored by now) and the replies written for it in the same turn (None:
        they come later), as one record."""
        stored = self.delivered
        cost = _CONTENT if reply is None else len(reply) + _CONTENT_AND_ENTRY
        if stored is not None:
            self.delivered = None
            self._message_ids += stored
            cost += len(stored) * _STORED_ID
        total = cost + self.size
        if total > self.limit:  # not all of it fits: piece by piece, up to the truncation marker
            if self.size <= self.limit:
                self._record(moment, size, None, _CONTENT)
                if stored is not None:
                    self._record(moment, stored, None, len(stored) * _STORED_ID)
                if reply is not None:
                    self._record(moment, None, reply, len(reply) + ENTRY_OVERHEAD)
            return
        self.size = total
        log = self._log
        log.append(moment)
        log.append(size if stored is None else (size, stored))
        log.append(reply)

    def client_continued(self, line: bytes) -> None:
        """The part of an IMAP command that follows one of its literals (kept as a bytearray: readers
        mask it when the command was a LOGIN whose password follows a literal user name)."""
        self._record(self._clock(), bytearray(line), None, len(line) + ENTRY_OVERHEAD)

    def client_content(self, size: int) -> None:
        """Message content (an IMAP literal): only its size is recorded."""
        self._record(self._clock(), size, None, _CONTENT)

    def server_output(self, data: bytes) -> None:
        """Output as written: SMTP replies, or IMAP responses (whose literal content is kept as its size)."""
        if not self._smtp and (self._skip or 0x7B in data):
            # A literal starts with "{": one memchr for that octet rules most output out (an integer
            # operand: a bytes one is first tried as an integer, which raises and clears a TypeError).
            if self.size > self.limit:
                return
            kept, self._skip = without_literals((data,), self._skip)
            data = b"".join(kept)
        size = len(data) + ENTRY_OVERHEAD + self.size
        if size > self.limit:
            self._record(self._clock(), None, data, len(data) + ENTRY_OVERHEAD)
            return
        self.size = size
        log = self._log
        log.append(self._clock())
        log.append(None)
        log.append(data)

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
        self._record(self._clock(), None, data, len(data) + ENTRY_OVERHEAD)

    def stored(self, message_id: str) -> None:
        """The session delivered (SMTP) or appended (IMAP) the message with this server-wide id."""
        self._message_ids.append(message_id)
        if self.size <= self.limit:
            self._record(self._clock(), message_id, None, len(message_id) + ENTRY_OVERHEAD)

    def tls_established(self, facts: TlsFacts) -> None:
        self.tls = facts
        self._record(self._clock(), facts, None, _FACTS)

    def authenticated(self, facts: AuthFacts) -> None:
        self.auth = facts
        self._record(self._clock(), facts, None, _FACTS)

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

    def message(self, size: int, reply: bytes | None, moment: float) -> None:
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
