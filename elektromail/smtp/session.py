"""The ESMTP session: one ``asyncio.Protocol`` per connection (RFC 5321, RFC 6409, RFC 4954, RFC 2920).

Input collects in a ``bytearray``; complete lines are handled in order and their replies are gathered and
written with one ``transport.write`` per batch of pipelined commands. A command whose reply needs the
store (end of DATA, AUTH) runs as a task; until its reply is queued no further input is handled, so
replies keep their order and a ``250`` after DATA is only sent once the message is committed.

STARTTLS (RFC 3207) answers 220, drops any plaintext pipelined after it, upgrades the transport in place
with ``loop.start_tls`` and starts the session afresh (:meth:`SmtpSession.restart_after_tls`).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from base64 import b64encode
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from elektromail import sasl
from elektromail.context import ServerContext
from elektromail.delivery.rules import (
    ACCEPT,
    ACCEPTED,
    BOUNCE,
    CARRY_ON,
    DATA,
    DISCONNECT,
    GREETING,
    MAIL,
    RCPT,
    Decision,
)
from elektromail.delivery.service import NO_REQUEST, Recipient, ReportRequest, local_hostname
from elektromail.smtp import replies
from elektromail.smtp.commands import CommandError, parse_bdat, parse_mail, parse_rcpt
from elektromail.smtp.data import ChunkReader, DataReader
from elektromail.smtp.limits import (
    AUTH_LINE_MAX,
    BAD_COMMAND_LIMIT,
    COMMAND_LINE_MAX,
    PENDING_INPUT_MAX,
)
from elektromail.smtp.parameters import MailOptions, RcptOptions, mail_options, rcpt_options
from elektromail.smtp.replies import BAD_COMMAND_CODES, Reply, multiline
from elektromail.smtp.strict import content_refusal
from elektromail.store import JournalError

if TYPE_CHECKING:
    from elektromail.tls import TlsProvider

log = logging.getLogger("elektromail.smtp")

# Greeting levels: which of HELO/EHLO the client used (RFC 5321 4.1.4; EHLO enables the extensions).
NOT_GREETED = 0
HELO = 1
EHLO = 2

CRLF = b"\r\n"
NO_MAIL_OPTIONS = MailOptions()
NO_RCPT_OPTIONS = RcptOptions()
_AUTH_PREFIX = b"AUTH "


class SmtpSettings:
    """What every session of one listener shares, computed once: limits and prebuilt replies."""

    def __init__(self, context: ServerContext, implicit_tls: bool) -> None:
        config = context.config
        self.context = context
        self.delivery = context.delivery
        self.hostname = local_hostname()
        self.implicit_tls = implicit_tls
        self.max_message_size = config.max_message_size
        self.strict = config.smtp_strict
        self.max_recipients = config.max_recipients
        self.idle_timeout = config.smtp_idle_timeout
        self.auth_required = config.smtp_auth_required
        self.banner = Reply(220, "", f"{self.hostname} ESMTP elektromail ready")
        self.helo_reply = f"250 {self.hostname}\r\n".encode()
        self.ehlo_reply = multiline(250, [self.hostname, *self.extensions()])
        # RFC 3207 4: STARTTLS is offered on plaintext connections only, when TLS is configured.
        self.starttls = context.tls is not None and not config.tls_disabled and not implicit_tls
        self.ehlo_reply_with_starttls = multiline(250, [self.hostname, *self.extensions(), "STARTTLS"])

    def extensions(self) -> list[str]:
        """The EHLO keywords every session offers (STARTTLS is added on plaintext connections)."""
        return [
            f"SIZE {self.max_message_size}",  # RFC 1870
            "8BITMIME",  # RFC 6152
            "PIPELINING",  # RFC 2920
            "ENHANCEDSTATUSCODES",  # RFC 2034
            "SMTPUTF8",  # RFC 6531
            "CHUNKING",  # RFC 3030
            "DSN",  # RFC 3461
            "AUTH " + " ".join(sasl.MECHANISMS),  # RFC 4954
            "HELP",
        ]


HELP_REPLY = (
    b"214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH\r\n"
    b"214 2.0.0 See RFC 5321 and RFC 4954\r\n"
)


class SmtpSession(asyncio.Protocol):
    """One client connection."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.context = settings.context
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self._out: list[bytes] = []
        self._loop = asyncio.get_running_loop()
        self._last_input = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._busy = False  # a reply is being produced by a task: handle no more input until it is queued
        self._rule_wait = False  # that task only waits, as a delay rule asked: stopping need not wait for it
        self._closing = False
        self._closed = False
        self._shutdown_pending = False
        self._write_paused = False
        self._read_paused = False
        self._discarding = False  # inside an over-long line, dropping input until its CRLF
        self._chunk: ChunkReader | None = None  # a BDAT chunk being read: its octets are not commands
        self._bad_commands = 0
        self.tls_active = settings.implicit_tls
        self._reset_session()

    # ------------------------------------------------------------------ state

    def _reset_session(self) -> None:
        """A fresh session: after connect, and after a STARTTLS upgrade (RFC 3207 4.2 forgets everything)."""
        self.greeting = NOT_GREETED
        self.user: str | None = None
        self._sasl: sasl.Step | None = None  # the SASL step that takes the next line
        self._reset_transaction()

    def restart_after_tls(self, transport: asyncio.BaseTransport) -> None:
        """Continue on the TLS transport after STARTTLS (RFC 3207 4.2).

        Plaintext the client sent after STARTTLS was discarded before the handshake began (it could have
        been injected); what is buffered now arrived inside TLS. The session forgets everything it learnt
        before the handshake: greeting, authentication, transaction.
        """
        self.transport = cast(asyncio.Transport, transport)
        self.tls_active = True
        self._reset_session()

    def _reset_transaction(self) -> None:
        self.sender: str | None = None  # None: no transaction; "" is the null reverse-path
        self.recipients: list[Recipient] = []
        self._rcpt_attempted = False
        self.smtputf8 = False
        self.eight_bit = False  # BODY=8BITMIME or SMTPUTF8 was declared
        self.report_request = NO_REQUEST  # RET and ENVID (RFC 3461)
        self._data: DataReader | None = None
        self._chunks: bytearray | None = None  # the message so far, once BDAT began it (RFC 3030)

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)
        self.context.connections.add(self)
        if self.context.stopping:
            self.transport.write(replies.SHUTTING_DOWN.wire)
            self.transport.close()
            return
        self._last_input = self._loop.time()
        self._idle_timer = self._loop.call_at(self._last_input + self.settings.idle_timeout, self._check_idle)
        rules = self.settings.delivery.rules
        if GREETING in rules.stages and (decision := rules.decide(GREETING)) is not CARRY_ON:
            self._stage(decision, self.settings.banner)
            return
        self.transport.write(self.settings.banner.wire)

    def data_received(self, data: bytes) -> None:
        self._last_input = self._loop.time()
        self.buffer += data
        if self._busy or self._write_paused:
            if len(self.buffer) > PENDING_INPUT_MAX and not self._read_paused and self.transport is not None:
                self._read_paused = True
                self.transport.pause_reading()
            return
        self._process()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = self._closing = True
        if self._rule_wait and self._task is not None:
            self._task.cancel()
        self.context.connections.discard(self)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        self.buffer.clear()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if not self._busy and not self._closing:
            self._process()

    def shutdown(self) -> None:
        """The server is stopping: 421 and close, after the reply of a delivery in progress."""
        if self._closed or self.transport is None:
            return
        if self._busy and self._rule_wait and self._task is not None:
            self._task.cancel()  # a staged delay ends now; nothing was stored during it
            self._busy = False
        if self._busy:
            self._shutdown_pending = True
            return
        self._say_goodbye(replies.SHUTTING_DOWN)

    # ------------------------------------------------------------------ input

    def _process(self) -> None:
        """Handle every complete line or DATA section in the buffer, then write the replies in one go."""
        try:
            self._handle_input()
        except Exception:  # a bug in framing: this session cannot know where it is, so it ends alone
            log.exception("SMTP session failed")
            self._say_goodbye(replies.INTERNAL_ERROR)
            return
        self._flush()

    def _handle_input(self) -> None:
        buffer = self.buffer
        while not (self._busy or self._closing or self._write_paused):
            if self._chunk is not None:
                if not self._chunk.feed(buffer):
                    break
                chunk, self._chunk = self._chunk, None
                self._chunk_complete(chunk)
                continue
            if self._data is not None:
                result = self._data.feed(buffer)
                if result is None:
                    break
                self._data = None
                self._message_complete(result)
                continue
            end = buffer.find(CRLF)
            if self._discarding:
                if end < 0:
                    del buffer[:-1]  # keep a CR that may start the CRLF
                    break
                del buffer[: end + 2]
                self._discarding = False
                self._reply(replies.LINE_TOO_LONG)
                continue
            limit = AUTH_LINE_MAX if self._sasl is not None or buffer[:5].upper() == _AUTH_PREFIX else COMMAND_LINE_MAX
            if end < 0:
                if len(buffer) > limit:
                    self._discarding = True
                    del buffer[:-1]
                break
            line = bytes(buffer[:end])
            del buffer[: end + 2]
            if end + 2 > limit:
                self._reply(replies.LINE_TOO_LONG)
                continue
            try:
                self._line(line)
            except Exception:  # a bug must cost this command, never the session or the server
                log.exception("SMTP command failed: %r", line[:80])
                self._sasl = None
                self._reset_transaction()
                self._reply(replies.LOCAL_ERROR)
        if self._read_paused and not self._busy and len(buffer) < PENDING_INPUT_MAX and self.transport is not None:
            self._read_paused = False
            self.transport.resume_reading()

    def _line(self, line: bytes) -> None:
        if self._sasl is not None:
            step, self._sasl = self._sasl, None
            self._auth_response(step, line)
            return
        try:
            text = line.decode()
        except UnicodeDecodeError:
            if line[:5].upper() not in _ADDRESS_COMMANDS:
                self._reply(replies.INVALID_UTF8)
                return
            # Octets that are not UTF-8 in an address: MAIL and RCPT judge them (553 or 501), not the framing.
            text = line.decode("utf-8", "surrogateescape")
        verb, _, argument = text.partition(" ")
        handler = _HANDLERS.get(verb.upper())
        if handler is None:
            self._reply(replies.UNKNOWN_COMMAND)
        else:
            handler(self, argument)

    # ------------------------------------------------------------------ output

    def _reply(self, reply: Reply) -> None:
        self._out.append(reply.wire)
        if reply.code in BAD_COMMAND_CODES:
            self._bad_commands += 1
            if self._bad_commands >= BAD_COMMAND_LIMIT:
                self._say_goodbye(replies.TOO_MANY_ERRORS)
        elif reply.code < 400:
            self._bad_commands = 0

    def _send(self, wire: bytes) -> None:
        """A reply that is not a single :class:`Reply` (greeting lines, multi-line, SASL challenges)."""
        self._out.append(wire)
        self._bad_commands = 0

    def _flush(self) -> None:
        out = self._out
        if not out:
            return
        if not self._closed and self.transport is not None:
            self.transport.write(out[0] if len(out) == 1 else b"".join(out))
        out.clear()

    def _say_goodbye(self, reply: Reply) -> None:
        """Queue ``reply``, write everything queued, and close; further input is ignored."""
        self._out.append(reply.wire)
        self._closing = True
        self._flush()
        if self.transport is not None:
            self.transport.close()

    def _hang_up(self) -> None:
        """Close without a reply (a ``disconnect`` rule); replies to earlier commands still go out."""
        self._closing = True
        self._flush()
        if self.transport is not None:
            self.transport.close()

    def _stage(self, decision: Decision, reply: Reply) -> None:
        """Answer as a fault rule decided: ``reply`` unless the verdict replaces it, after any delay."""
        verdict = decision.verdict
        answer: Reply | None = reply
        if verdict is not None and verdict is not ACCEPTED:
            answer = None if verdict.action == DISCONNECT else Reply(verdict.code, verdict.status, verdict.text)
        if decision.delay_ms:
            self._defer(self._after(decision.delay_ms, answer))
        elif answer is None:
            self._hang_up()
        else:
            self._reply(answer)

    async def _after(self, delay_ms: int, reply: Reply | None) -> Reply | None:
        await self._rule_delay(delay_ms)
        return reply

    async def _rule_delay(self, delay_ms: int) -> None:
        self._rule_wait = True
        try:
            await asyncio.sleep(delay_ms / 1000)
        finally:
            self._rule_wait = False

    def _check_idle(self) -> None:
        # One timer per session, moved on only when it fires: cheaper than re-arming it on every read.
        if self._closing:
            return
        deadline = self._last_input + self.settings.idle_timeout
        if self._busy or deadline > self._loop.time():
            if self._busy:
                deadline = self._loop.time() + self.settings.idle_timeout
            self._idle_timer = self._loop.call_at(deadline, self._check_idle)
            return
        self._idle_timer = None
        self._say_goodbye(replies.IDLE_TIMEOUT)

    def _defer(self, work: Awaitable[Reply | None]) -> None:
        """Produce the next reply with a task; input waits until it is queued. No reply: hang up."""
        self._busy = True
        self._task = self._loop.create_task(self._finish(work))

    async def _finish(self, work: Awaitable[Reply | None]) -> None:
        try:
            reply = await work
        except Exception:
            log.exception("SMTP session failed while producing a reply")
            reply = replies.LOCAL_ERROR
        self._busy = False
        self._task = None
        if self._closed:
            return
        if reply is None:
            self._hang_up()
            return
        self._reply(reply)
        if self._shutdown_pending:
            self._say_goodbye(replies.SHUTTING_DOWN)
        elif not self._closing:
            self._process()
        else:
            self._flush()

    # ------------------------------------------------------------------ commands

    def cmd_ehlo(self, argument: str) -> None:
        if not argument.strip():
            self._reply(replies.HELO_NEEDS_DOMAIN)
            return
        self.greeting = EHLO
        self._reset_transaction()  # RFC 5321 4.1.4: EHLO is an implicit RSET
        offer_tls = self.settings.starttls and not self.tls_active
        self._send(self.settings.ehlo_reply_with_starttls if offer_tls else self.settings.ehlo_reply)

    def cmd_helo(self, argument: str) -> None:
        if not argument.strip():
            self._reply(replies.HELO_NEEDS_DOMAIN)
            return
        self.greeting = HELO
        self._reset_transaction()
        self._send(self.settings.helo_reply)

    def cmd_mail(self, argument: str) -> None:
        if self.greeting == NOT_GREETED:
            self._reply(replies.NEED_HELO)
            return
        if self.settings.auth_required and self.user is None:
            self._reply(replies.AUTH_REQUIRED)
            return
        if self.sender is not None:
            self._reply(replies.NESTED_MAIL)
            return
        try:
            path, parameters = parse_mail(argument)
        except CommandError as error:
            self._reply(error.reply)
            return
        options = NO_MAIL_OPTIONS
        if parameters:
            if self.greeting != EHLO:  # service extensions exist only after EHLO (RFC 5321 4.1.1.1)
                self._reply(replies.PARAMETER_NOT_RECOGNIZED)
                return
            try:
                options = mail_options(parameters, self.settings.max_message_size)
            except CommandError as error:
                self._reply(error.reply)
                return
        if not path.address.isascii() and (refusal := _non_ascii_refusal(path.address, options.smtputf8, True)):
            self._reply(refusal)
            return
        self.sender = path.address
        self.smtputf8 = options.smtputf8
        self.eight_bit = options.eight_bit
        self.report_request = options.report
        rules = self.settings.delivery.rules
        if MAIL in rules.stages and (decision := rules.decide(MAIL, path.address)) is not CARRY_ON:
            self._stage(decision, replies.SENDER_OK)
            return
        self._reply(replies.SENDER_OK)

    def cmd_rcpt(self, argument: str) -> None:
        sender = self.sender
        if sender is None:
            self._reply(replies.NEED_MAIL)
            return
        try:
            path, parameters = parse_rcpt(argument)
        except CommandError as error:
            self._reply(error.reply)
            return
        options = NO_RCPT_OPTIONS
        if parameters:
            if self.greeting != EHLO:
                self._reply(replies.PARAMETER_NOT_RECOGNIZED)
                return
            try:
                options = rcpt_options(parameters)
            except CommandError as error:
                self._reply(error.reply)
                return
        if not path.address.isascii() and (refusal := _non_ascii_refusal(path.address, self.smtputf8, False)):
            self._reply(refusal)
            return
        self._rcpt_attempted = True
        if len(self.recipients) >= self.settings.max_recipients:
            self._reply(replies.TOO_MANY_RECIPIENTS)  # RFC 5321 4.5.3.1.10
            return
        delivery = self.settings.delivery
        decision = delivery.rules.decide(RCPT, sender, (path.address,)) if delivery.rules else CARRY_ON
        verdict = decision.verdict or ACCEPTED
        if verdict.action in _DELIVERED:
            recipient = delivery.recipient(sender, path.address, path.local_part, verdict)
            if options.notify is not None:
                recipient.notify = options.notify
            recipient.original_recipient = options.original_recipient
            self.recipients.append(recipient)
            if not decision.delay_ms:
                self._reply(replies.RECIPIENT_OK)
                return
            decision = Decision(decision.delay_ms)  # accepted: the usual reply, after the delay
        self._stage(decision, replies.RECIPIENT_OK)

    def cmd_data(self, argument: str) -> None:
        if argument:
            self._reply(replies.SYNTAX_ERROR)
        elif (refusal := self._content_refusal()) is not None:
            self._reply(refusal)
        elif self._chunks is not None:
            self._reply(replies.DATA_AFTER_BDAT)  # RFC 3030 2
        else:
            self._reply(replies.START_MAIL_INPUT)
            self._data = DataReader(self.settings.max_message_size)

    def _content_refusal(self) -> Reply | None:
        """Why message content (DATA or BDAT) cannot come now, or None when it can."""
        if self.sender is None:
            return replies.NEED_MAIL
        if not self.recipients:
            # RFC 5321 3.3: 554 when every RCPT was refused, 503 when none was sent.
            return replies.NO_VALID_RECIPIENTS if self._rcpt_attempted else replies.NEED_RCPT
        return None

    def cmd_bdat(self, argument: str) -> None:
        """RFC 3030 2: ``BDAT size [LAST]`` and then exactly ``size`` octets, read before the reply, even
        when the chunk is refused. A refused chunk fails the transaction; the chunks a pipelining client
        sent after it are read and refused in turn (there is no transaction any more)."""
        try:
            size, last = parse_bdat(argument)
        except CommandError as error:
            self._reply(error.reply)  # the size is unknown: what follows can only be read as commands
            return
        refusal = self._content_refusal()
        if refusal is None and len(self._chunks or b"") + size > self.settings.max_message_size:
            refusal = replies.MESSAGE_TOO_BIG
        if refusal is not None:
            self._chunk = ChunkReader(size, last, None, refusal)
            return
        if self._chunks is None:
            self._chunks = bytearray()
        self._chunk = ChunkReader(size, last, self._chunks, None)

    def _chunk_complete(self, chunk: ChunkReader) -> None:
        if chunk.refusal is not None:
            self._reset_transaction()
            self._reply(chunk.refusal)
        elif chunk.last:
            self._message_complete(bytes(self._chunks or b""))
        else:
            self._reply(replies.chunk_received(chunk.size))

    def _message_complete(self, result: bytes | Reply) -> None:
        sender, recipients, request = self.sender or "", self.recipients, self.report_request
        eight_bit = self.eight_bit
        self._reset_transaction()
        if not isinstance(result, Reply) and self.settings.strict:
            result = content_refusal(result, eight_bit) or result
        if isinstance(result, Reply):
            self._reply(result)
            return
        rules = self.settings.delivery.rules
        decision = CARRY_ON
        if DATA in rules.stages:
            decision = rules.decide(DATA, sender, [recipient.address for recipient in recipients])
            if decision.verdict is not None and decision.verdict is not ACCEPTED:
                self._stage(decision, replies.MESSAGE_ACCEPTED)  # refused or dropped: nothing is stored
                return
        self._defer(self._deliver(sender, recipients, result, request, decision.delay_ms))

    async def _deliver(
        self, sender: str, recipients: list[Recipient], message: bytes, request: ReportRequest, delay_ms: int = 0
    ) -> Reply | None:
        if delay_ms:
            await self._rule_delay(delay_ms)
            if self._closed:  # the client gave up waiting: it does not know the message arrived, so it did not
                return None
        try:
            await self.settings.delivery.deliver(sender, recipients, message, request)
        except JournalError as error:  # the disk failed, not the session: the client may try again
            log.error("SMTP message from <%s> not stored: %s", sender, error)
            return replies.NOT_STORED
        return replies.MESSAGE_ACCEPTED

    def cmd_rset(self, argument: str) -> None:
        if argument:
            self._reply(replies.SYNTAX_ERROR)
            return
        self._reset_transaction()
        self._reply(replies.RESET_OK)

    def cmd_noop(self, argument: str) -> None:
        self._reply(replies.OK)  # RFC 5321 4.1.1.9: an argument is allowed and ignored

    def cmd_quit(self, argument: str) -> None:
        if argument:
            self._reply(replies.SYNTAX_ERROR)
            return
        self._say_goodbye(replies.CLOSING)

    def cmd_vrfy(self, argument: str) -> None:
        # RFC 5321 3.5.3: 252 when the server will not verify but will accept mail for the address.
        self._reply(replies.CANNOT_VRFY if argument.strip() else replies.SYNTAX_ERROR)

    def cmd_expn(self, argument: str) -> None:
        self._reply(replies.NOT_IMPLEMENTED)

    def cmd_help(self, argument: str) -> None:
        self._send(HELP_REPLY)

    # ------------------------------------------------------------------ STARTTLS (RFC 3207)

    def cmd_starttls(self, argument: str) -> None:
        provider = self.context.tls
        if argument:
            self._reply(replies.STARTTLS_NO_PARAMETERS)
        elif self.tls_active:
            self._reply(replies.TLS_ALREADY_ACTIVE)
        elif not self.settings.starttls or provider is None:
            self._reply(replies.NOT_IMPLEMENTED)
        else:
            self._busy = True  # input waits: nothing after STARTTLS may be read as plaintext
            self._task = self._loop.create_task(self._start_tls(provider))

    async def _start_tls(self, provider: TlsProvider) -> None:
        try:
            material = await provider.material()
        except Exception:
            log.exception("TLS certificate unavailable")
            self._busy = False
            self._reply(replies.TLS_NOT_AVAILABLE)
            self._process()
            return
        if self._closed or self.transport is None:
            return
        self._out.append(replies.READY_FOR_TLS.wire)
        self._flush()
        # RFC 3207 6 (CVE-2011-0411): plaintext pipelined after STARTTLS is dropped, never executed later.
        self.buffer.clear()
        self._discarding = False
        try:
            transport = await self._loop.start_tls(self.transport, self, material.context, server_side=True)
        except (OSError, ssl.SSLError, ConnectionError) as error:
            log.info("STARTTLS handshake failed: %s", error)
            if self.transport is not None:
                self.transport.abort()
            return
        if transport is None or self._closed:
            return
        self.restart_after_tls(transport)
        self._busy = False
        self._task = None
        if self._shutdown_pending:
            self._say_goodbye(replies.SHUTTING_DOWN)
        else:
            self._process()

    # ------------------------------------------------------------------ AUTH (RFC 4954)

    def cmd_auth(self, argument: str) -> None:
        if self.greeting != EHLO:
            self._reply(replies.NEED_EHLO_FOR_AUTH)
            return
        if self.user is not None:
            self._reply(replies.ALREADY_AUTHENTICATED)
            return
        if self.sender is not None:
            self._reply(replies.AUTH_IN_TRANSACTION)
            return
        mechanism, _, initial = argument.partition(" ")
        mechanism = mechanism.upper()
        if mechanism not in sasl.MECHANISMS:
            self._reply(replies.UNKNOWN_MECHANISM)
            return
        if " " in initial:
            self._reply(replies.SYNTAX_ERROR)
            return
        try:
            # RFC 4954 4: "=" is an empty initial response.
            response = None if not initial else b"" if initial == "=" else sasl.decode_base64(initial)
            self._defer(self._auth_step(sasl.begin(mechanism, sasl.verifier(self.context), response)))
        except sasl.SaslError:
            self._reply(replies.BAD_BASE64)

    def _auth_response(self, step: sasl.Step, line: bytes) -> None:
        """The client's answer to a ``334`` challenge; ``*`` cancels the exchange (RFC 4954 4)."""
        if line == b"*":
            self._reply(replies.AUTH_CANCELLED)
            return
        try:
            response = sasl.decode_base64(line)
        except sasl.SaslError:
            self._reply(replies.BAD_BASE64)
            return
        self._defer(self._auth_step(step(response)))

    async def _auth_step(self, result: Awaitable[sasl.Result]) -> Reply:
        try:
            outcome = await result
        except sasl.SaslError:
            return replies.BAD_BASE64
        if isinstance(outcome, sasl.Challenge):
            self._sasl = outcome.next
            return Reply(334, "", b64encode(outcome.data).decode())
        if isinstance(outcome, sasl.Success):
            self.user = outcome.account.name
            return replies.AUTH_SUCCEEDED
        return replies.AUTH_FAILED


_ADDRESS_COMMANDS = frozenset({b"MAIL ", b"RCPT "})


def _non_ascii_refusal(address: str, smtputf8: bool, sender: bool) -> Reply | None:
    """RFC 6531 3.4: non-ASCII needs SMTPUTF8 (553 5.6.7); with it, the octets must be UTF-8 (501)."""
    if not smtputf8:
        return replies.NON_ASCII_ADDRESS
    try:
        address.encode()
    except UnicodeEncodeError:  # surrogates stand for octets that were not UTF-8
        return replies.SENDER_NOT_UTF8 if sender else replies.RECIPIENT_NOT_UTF8
    return None


# Verdicts under which an accepted recipient joins the transaction (bounce: accepted, then reported).
_DELIVERED = frozenset({ACCEPT, BOUNCE})

_HANDLERS: dict[str, Callable[[SmtpSession, str], None]] = {
    "EHLO": SmtpSession.cmd_ehlo,
    "HELO": SmtpSession.cmd_helo,
    "MAIL": SmtpSession.cmd_mail,
    "RCPT": SmtpSession.cmd_rcpt,
    "DATA": SmtpSession.cmd_data,
    "BDAT": SmtpSession.cmd_bdat,
    "RSET": SmtpSession.cmd_rset,
    "NOOP": SmtpSession.cmd_noop,
    "QUIT": SmtpSession.cmd_quit,
    "VRFY": SmtpSession.cmd_vrfy,
    "EXPN": SmtpSession.cmd_expn,
    "HELP": SmtpSession.cmd_help,
    "AUTH": SmtpSession.cmd_auth,
    "STARTTLS": SmtpSession.cmd_starttls,
}


def smtp_factory(context: ServerContext, implicit_tls: bool = False) -> Callable[[], asyncio.Protocol]:
    """The protocol factory the supervisor's listener uses: one :class:`SmtpSession` per connection."""
    settings = SmtpSettings(context, implicit_tls)
    return lambda: SmtpSession(settings)
