"""The SMTP connection: one ``asyncio.Protocol`` per client, under an :class:`SmtpSession`.

It owns what touches the transport: the input buffer (a ``bytearray``), framing (command lines, the DATA
section, BDAT chunks), flow control, the idle timer, the tasks that produce deferred replies, STARTTLS's
handshake and the 421 at shutdown. Every complete line or content section in the buffer is handed to the
session in order, and the replies the session queued are written with one ``transport.write`` per read
(RFC 2920: a pipelined batch is answered in one go). A deferred reply (end of DATA, AUTH) is produced at
once when its work never waits; while one is being produced by a task (a SQLite commit, a delay rule) no
further input is handled, so replies keep their order and a ``250`` after DATA is only sent once the
message is committed.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from elektromail.smtp import eager, replies, starttls
from elektromail.smtp.actions import Deferred, StartTls
from elektromail.smtp.limits import AUTH_LINE_MAX, COMMAND_LINE_MAX, PENDING_INPUT_MAX
from elektromail.smtp.replies import Reply
from elektromail.smtp.session import SmtpSession
from elektromail.smtp.settings import SmtpSettings
from elektromail.smtp.state import CHUNK, CLOSED, COMMAND, DATA, SASL
from elektromail.store.provenance import client_address
from elektromail.tls import connection_facts
from elektromail.transcripts.recorder import UNCONNECTED, Transcript

log = logging.getLogger("elektromail.smtp")

CRLF = b"\r\n"
_AUTH_PREFIX = b"AUTH "


class Phase(enum.Enum):
    """Where the connection is. With the session's :class:`~elektromail.smtp.state.State` it is the whole
    state of a client, apart from flow control, which follows the transport's callbacks."""

    READING = "reading"  # input is handed to the session as it arrives
    DISCARDING = "discarding"  # reading, inside an over-long line: dropped up to its CRLF
    WAITING = "waiting"  # a task produces the next reply (delivery, SASL, TLS): input waits
    DELAYING = "delaying"  # the task only waits, as a fault rule asked: a stopping server cuts it short
    STOPPING = "stopping"  # waiting, and the server is stopping: 421 follows the reply
    CLOSING = "closing"  # the last reply is written and the transport is closing: input is ignored
    CLOSED = "closed"  # the connection is gone


# Members as module constants, compared by identity: see elektromail.smtp.state.
READING = Phase.READING
DISCARDING = Phase.DISCARDING
WAITING = Phase.WAITING
DELAYING = Phase.DELAYING
STOPPING = Phase.STOPPING
CLOSING = Phase.CLOSING
CLOSED_PHASE = Phase.CLOSED


class SmtpConnection(asyncio.Protocol):
    """One client connection."""

    def __init__(self, settings: SmtpSettings, loop: asyncio.AbstractEventLoop) -> None:
        self.settings = settings
        self.context = settings.context
        self.session = SmtpSession(settings, tls_active=settings.implicit_tls, transcript=UNCONNECTED)
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.phase = READING
        # Flow control mirrors the transport: the peer reads too slowly / sends too far ahead.
        self._write_paused = False
        self._read_paused = False
        self._loop = loop
        self._last_input = 0.0
        self.idle_check_at = 0.0  # when the listener's idle watch next checks this connection
        self._task: asyncio.Task[None] | None = None
        self.transcript: Transcript = self.session.transcript  # the session's own, once connected

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here (nor a call to
        # typing.cast, which is a call all the same).
        self.transport = transport  # type: ignore[assignment]
        self.context.connections.add(self)
        # Timed by the loop's clock, which every read takes already: a command is stamped without a call.
        peer = client_address(transport.get_extra_info("peername"))
        transcript = self.context.transcripts.start("smtp", peer, self._loop.time)
        self.transcript = self.session.transcript = transcript
        if self.settings.implicit_tls and (facts := connection_facts(transport)) is not None:
            transcript.tls_established(facts)
        if self.context.lifecycle.stopping:
            self._say_goodbye(replies.SHUTTING_DOWN)
            return
        self._last_input = self._loop.time()
        self.idle_check_at = self._last_input + self.settings.idle_timeout
        self.settings.idle.add(self, self._loop)
        session = self.session
        if (action := session.greet()) is None and len(session.out) == 1 and session.state is not CLOSED:
            banner = session.out.pop()  # the usual greeting, written as _flush() would, without the call
            transport.write(banner)  # type: ignore[attr-defined]
            self.transcript.server_output(banner)
            return
        if action is not None:
            self._act(action)
        self._flush()

    def data_received(self, data: bytes) -> None:
        self._last_input = self._loop.time()
        idle = not self.buffer and self.phase is READING and not self._write_paused and not self._read_paused
        if idle and self._take_whole(data):
            return
        self.buffer += data
        phase = self.phase
        if (phase is not READING and phase is not DISCARDING) or self._write_paused:
            if len(self.buffer) > PENDING_INPUT_MAX and not self._read_paused and self.transport is not None:
                self._read_paused = True
                self.transport.pause_reading()
            return
        self._process()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.phase is DELAYING and self._task is not None:
            self._task.cancel()
        self.phase = CLOSED_PHASE
        self.context.connections.discard(self)
        self.context.transcripts.end(self.transcript)
        self.settings.idle.discard(self)
        if self.buffer:
            self.buffer.clear()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self.phase is READING or self.phase is DISCARDING:
            self._process()

    def shutdown(self) -> None:
        """The server is stopping: 421 and close, after the reply of a delivery in progress."""
        if self.phase is CLOSED_PHASE or self.phase is CLOSING or self.transport is None:
            return
        if self.phase is DELAYING and self._task is not None:
            self._task.cancel()  # a staged delay ends now; nothing was stored during it
        elif self.phase is WAITING or self.phase is STOPPING:
            self.phase = STOPPING
            return
        self._say_goodbye(replies.SHUTTING_DOWN)

    # ------------------------------------------------------------------ input

    def _process(self) -> None:
        """Hand every complete line or content section in the buffer to the session, then write the replies
        in one go."""
        try:
            self._handle_input()
        except Exception:  # a bug in framing: this session cannot know where it is, so it ends alone
            log.exception("SMTP session failed")
            self._say_goodbye(replies.INTERNAL_ERROR)
            return
        self._flush()

    def _take_whole(self, data: bytes) -> bool:
        """The usual read, handled without the input buffer: nothing is pending, and ``data`` is exactly one
        command line, or the whole rest of a message with its terminator. False: another shape, which the
        buffer frames."""
        session = self.session
        state = session.state
        heard: bytes | None = None  # the line read, recorded with its replies as one exchange
        content = -1  # the size of the message read, recorded with its stored ids and replies
        try:
            if state is COMMAND or state is SASL:
                end = data.find(CRLF)
                if end < 0 or end + 2 != len(data) or end + 2 > COMMAND_LINE_MAX:
                    return False
                line = data[:end]
                if state is COMMAND and line and line[0] | 0x20 != 0x61:
                    heard = line  # recorded with its replies; not AUTH, which records its outcome first
                else:
                    self.transcript.client_line(line)
                action = session.line(line)
                if action is not None:
                    self._act(action)
                if session.state is CHUNK:  # BDAT 0: a chunk without octets is complete already
                    if heard is not None:
                        self.transcript.client_line(heard)
                        heard = None
                    self._handle_input()
            elif state is DATA:
                assert session.data is not None
                result = session.data.take_whole(data)
                if result is None:
                    return False
                if isinstance(result, bytes):
                    content = len(result)
                action = session.message_complete(result)
                if action is not None:  # delivery still to come: the content first, then what it stores
                    if content >= 0:
                        self.transcript.message(content, None, self._last_input)
                        content = -1
                    self._act(action)
            else:
                return False
        except Exception:  # a bug in framing: this session cannot know where it is, so it ends alone
            log.exception("SMTP session failed")
            if heard is not None:
                self.transcript.client_line(heard)
            if content >= 0:
                self.transcript.message(content, None, self._last_input)
            self._say_goodbye(replies.INTERNAL_ERROR)
            return True
        out = session.out
        if heard is not None and len(out) == 1 and session.state is not CLOSED and self.transport is not None:
            # The usual answer to a command line, one reply and the session goes on: what _flush() does,
            # without the call.
            data = out.pop()
            self.transport.write(data)
            self.transcript.exchange(heard, data, self._last_input)
            return True
        self._flush(heard, content)
        return True

    def _handle_input(self) -> None:
        buffer = self.buffer
        session = self.session
        while (self.phase is READING or self.phase is DISCARDING) and not self._write_paused:
            state = session.state
            if state is not COMMAND and state is not SASL:
                if state is DATA:
                    assert session.data is not None
                    result = session.data.feed(buffer)
                    if result is None:
                        break
                    action = session.message_complete(result)
                    if isinstance(result, bytes):  # with the ids it was stored under, if it was by now
                        self.transcript.message(len(result), None, self._loop.time())
                elif state is CHUNK:
                    assert session.chunk is not None
                    if not session.chunk.feed(buffer):
                        break
                    size = session.chunk.size
                    action = session.chunk_complete()
                    self.transcript.message(size, None, self._loop.time())
                else:  # closed: the goodbye is queued
                    break
                if action is not None:
                    self._act(action)
                continue
            end = buffer.find(CRLF)
            if self.phase is DISCARDING:
                if end < 0:
                    del buffer[:-1]  # keep a CR that may start the CRLF
                    break
                del buffer[: end + 2]
                self.phase = READING
                session.line_too_long()
                continue
            if end < 0 or end + 2 > COMMAND_LINE_MAX:  # the limit depends on the line only past the usual one
                limit = AUTH_LINE_MAX if state is SASL or buffer[:5].upper() == _AUTH_PREFIX else COMMAND_LINE_MAX
                if end < 0:
                    if len(buffer) > limit:
                        self.phase = DISCARDING
                        del buffer[:-1]
                    break
                if end + 2 > limit:
                    del buffer[: end + 2]
                    session.line_too_long()
                    continue
            line = bytes(buffer[:end])
            del buffer[: end + 2]
            self.transcript.client_line(line)
            action = session.line(line)
            if action is not None:
                self._act(action)
        reading = self.phase is READING or self.phase is DISCARDING
        if self._read_paused and reading and len(buffer) < PENDING_INPUT_MAX and self.transport is not None:
            self._read_paused = False
            self.transport.resume_reading()

    def _act(self, action: Deferred | StartTls) -> None:
        """Carry out what the session asked for besides its replies: a deferred reply or STARTTLS.

        A deferred reply without a delay is produced at once when its work never waits (delivery to the
        in-memory store): it joins this batch's replies and input goes on. Otherwise a task produces it
        and input waits for it."""
        if isinstance(action, Deferred):
            if not action.delay_ms and action.work is not None:
                try:
                    outcome = eager.start(action.work())
                except Exception:
                    log.exception("SMTP session failed while producing a reply")
                    self.session.resume(replies.LOCAL_ERROR)
                    return
                if isinstance(outcome, eager.Done):
                    self.session.resume(outcome.value)
                    return
                self.phase = WAITING
                self._task = self._loop.create_task(self._produce(action, outcome))
                return
            work = self._produce(action)
        else:
            work = self._start_tls()
        self.phase = WAITING
        self._task = self._loop.create_task(work)

    # ------------------------------------------------------------------ output

    def _flush(self, heard: bytes | None = None, content: int = -1) -> None:
        """Write the queued replies; close once the session said its last. ``heard``: the command line
        these replies answer, ``content``: the size of the message they answer (or -1), not recorded yet
        (the transcript records both at once)."""
        out = self.session.out
        data: bytes | None = None
        if out:
            if self.phase is not CLOSED_PHASE and self.transport is not None:
                data = out[0] if len(out) == 1 else b"".join(out)
                self.transport.write(data)
            out.clear()
        if heard is not None:
            self.transcript.exchange(heard, data, self._last_input)
        elif content >= 0:
            self.transcript.message(content, data, self._last_input)
        elif data is not None:
            self.transcript.server_output(data)
        if self.session.state is CLOSED and self.phase is not CLOSED_PHASE and self.phase is not CLOSING:
            self.phase = CLOSING
            if self.transport is not None:
                self.transport.close()

    def _say_goodbye(self, reply: Reply) -> None:
        """Queue ``reply``, write everything queued, and close; further input is ignored."""
        self.session.goodbye(reply)
        self._flush()

    def check_idle(self, now: float) -> float | None:
        """The idle watch's check (see :mod:`elektromail.smtp.idle`): 421 after ``idle_timeout`` without
        input, unless a reply is being produced. The next check time, or None when there is none."""
        # The check moves on only when it comes: cheaper than moving it on every read.
        phase = self.phase
        if phase is CLOSING or phase is CLOSED_PHASE:
            return None
        if phase is WAITING or phase is DELAYING or phase is STOPPING:
            return now + self.settings.idle_timeout
        deadline = self._last_input + self.settings.idle_timeout
        if deadline > now:
            return deadline
        self._say_goodbye(replies.IDLE_TIMEOUT)
        return None

    # ------------------------------------------------------------------ deferred replies

    async def _produce(self, deferred: Deferred, started: Coroutine[Any, Any, Reply | None] | None = None) -> None:
        """Produce ``deferred``'s reply, or finish ``started``, its work that was begun eagerly."""
        try:
            if started is not None:
                reply = await started
            else:
                if deferred.delay_ms:
                    self.phase = DELAYING
                    await asyncio.sleep(deferred.delay_ms / 1000)
                    if self.phase is CLOSED_PHASE:  # the client gave up waiting: told nothing, nothing is done
                        return
                    self.phase = WAITING
                reply = deferred.reply if deferred.work is None else await deferred.work()
        except Exception:
            log.exception("SMTP session failed while producing a reply")
            reply = replies.LOCAL_ERROR
        self._resume(reply)

    def _resume(self, reply: Reply | None) -> None:
        """The reply that held up input is ready: queue it and carry on."""
        self._task = None
        if self.phase is not CLOSED_PHASE:
            self.session.resume(reply)
            self._carry_on()

    def _carry_on(self) -> None:
        """Input may be handled again: write what is queued and close, or say 421, or read on."""
        stopping = self.phase is STOPPING
        self.phase = READING
        if self.session.state is CLOSED:
            self._flush()
        elif stopping:
            self._say_goodbye(replies.SHUTTING_DOWN)
        else:
            self._process()

    async def _start_tls(self) -> None:
        provider = self.context.tls
        transport = self.transport
        if provider is None or transport is None:  # the session only asks when TLS is configured
            self._resume(replies.TLS_NOT_AVAILABLE)
            return
        outcome = await starttls.handshake(self._loop, transport, self, provider, self._announce_tls)
        if isinstance(outcome, Reply):
            self._resume(outcome)
            return
        self._task = None
        if outcome is None or self.phase is CLOSED_PHASE:
            return
        self.transport = outcome
        self.session.tls_active = True
        if (facts := connection_facts(outcome)) is not None:
            self.transcript.tls_established(facts)
        self.session.restart()  # RFC 3207 4.2; what is buffered now arrived inside TLS
        self._carry_on()

    def _announce_tls(self) -> bool:
        if self.phase is CLOSED_PHASE or self.transport is None:
            return False
        self.session.out.append(replies.READY_FOR_TLS.wire)
        self._flush()
        self.buffer.clear()
        return True


def smtp_factory(settings: SmtpSettings) -> Callable[[], asyncio.Protocol]:
    """The protocol factory a listener uses: one :class:`SmtpConnection` per client, sharing ``settings``.
    Made on the loop the listener runs on, which it hands to every connection: ``asyncio.get_running_loop``
    makes a system call (it checks the process id) every time."""
    return partial(SmtpConnection, settings, asyncio.get_running_loop())
