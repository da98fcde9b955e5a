"""The ESMTP session (RFC 5321, RFC 6409, RFC 2920, RFC 3030): the state machine and the verbs.

Pure: it takes command lines and completed message content, queues reply bytes on :attr:`SmtpSession.out`
and returns what else it needs (:mod:`elektromail.smtp.actions`). It never reads a socket or touches the
event loop, so the unit tests drive it line by line; :mod:`elektromail.smtp.connection` frames the input
and writes the replies. DATA and BDAT are in :mod:`elektromail.smtp.content`, AUTH in
:mod:`elektromail.smtp.auth`, STARTTLS in :mod:`elektromail.smtp.starttls` and fault-rule staging in
:mod:`elektromail.smtp.staging`; the state is :class:`elektromail.smtp.state.State`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from elektromail.delivery.rules import ACCEPT, ACCEPTED, BOUNCE, CARRY_ON, GREETING, MAIL, RCPT, Decision
from elektromail.smtp import content, replies, starttls
from elektromail.smtp.actions import START_TLS, Action, Deferred
from elektromail.smtp.auth import Authentication
from elektromail.smtp.commands import SIMPLE_LINE_MAX, SIMPLE_PATH, CommandError, parse_mail, parse_rcpt
from elektromail.smtp.data import ChunkReader, DataReader
from elektromail.smtp.envelope import NO_TRANSACTION, Envelope, non_ascii_refusal
from elektromail.smtp.limits import BAD_COMMAND_LIMIT
from elektromail.smtp.parameters import MailOptions, RcptOptions, mail_options, rcpt_options
from elektromail.smtp.replies import BAD_COMMAND_CODES, Reply
from elektromail.smtp.settings import SmtpSettings
from elektromail.smtp.staging import staged
from elektromail.smtp.state import CLOSED, COMMAND, SASL
from elektromail.store.provenance import SMTP, AuthFacts, RecipientParameters
from elektromail.store.provenance import Delivery as DeliveryFacts
from elektromail.transcripts.recorder import Transcript, UnrecordedTranscript

log = logging.getLogger("elektromail.smtp")


# Greeting levels: which of HELO/EHLO the client used (RFC 5321 4.1.4; EHLO enables the extensions).
NOT_GREETED = 0
HELO = 1
EHLO = 2

NO_MAIL_OPTIONS = MailOptions()
NO_RCPT_OPTIONS = RcptOptions()
HELP_REPLY = (
    b"214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH\r\n"
    b"214 2.0.0 See RFC 5321 and RFC 4954\r\n"
)
_SENDER_OK = replies.SENDER_OK.wire
_RECIPIENT_OK = replies.RECIPIENT_OK.wire
_ADDRESS_COMMANDS = frozenset({b"MAIL ", b"RCPT "})
_PATH_VERB_INITIALS = frozenset("MR")  # of the verbs SIMPLE_PATH matches
# Verdicts under which an accepted recipient joins the transaction (bounce: accepted, then reported).
_DELIVERED = frozenset({ACCEPT, BOUNCE})


class SmtpSession:
    """One client's dialogue: greeting, authentication and the mail transaction."""

    def __init__(self, settings: SmtpSettings, tls_active: bool = False, transcript: Transcript | None = None) -> None:
        self.settings = settings
        self.out: list[bytes] = []  # reply bytes not yet written; the connection writes them per batch
        self.tls_active = tls_active
        self.auth = Authentication(settings.verify)
        self._bad_commands = 0
        # Where the connection records the session; the session adds what it learns (EHLO name, AUTH).
        # A connection passes its placeholder (see ``UNCONNECTED``) and replaces it once connected.
        self.transcript: Transcript = UnrecordedTranscript("", "smtp", None, 0) if transcript is None else transcript
        # What restart() sets, set here without the calls: a connection makes a session per client.
        self.state = COMMAND
        self.greeting = NOT_GREETED
        self.helo_name: str | None = None
        self.envelope = NO_TRANSACTION
        self.data: DataReader | None = None  # the DATA section's reader while state is DATA
        self.chunk: ChunkReader | None = None  # the BDAT chunk's reader while state is CHUNK

    # ------------------------------------------------------------------ state

    def restart(self) -> None:
        """A fresh session: after connect, and after a STARTTLS upgrade (RFC 3207 4.2 forgets everything)."""
        self.state = COMMAND
        self.greeting = NOT_GREETED
        self.helo_name = None
        self.auth.forget()
        self.reset_transaction()

    @property
    def user(self) -> str | None:
        """The account the client authenticated as, if it did."""
        return self.auth.user

    def reset_transaction(self) -> None:
        self.envelope = NO_TRANSACTION  # MAIL starts the next one with an envelope of its own
        self.data = None
        self.chunk = None

    # ------------------------------------------------------------------ input

    def greet(self) -> Action:
        """The banner, as a GREETING fault rule may stage it."""
        delivery = self.settings.delivery
        if GREETING in delivery.stages and (decision := delivery.rules.decide(GREETING)) is not CARRY_ON:
            return self.stage(decision, self.settings.banner)
        self.out.append(self.settings.banner.wire)
        return None

    def line(self, line: bytes) -> Action:
        """One input line without its CRLF: a command, or a response in an AUTH exchange."""
        try:
            if self.state is SASL:
                self.state = COMMAND
                return self._answer(self.auth.response(line))
            bare = _BARE_COMMANDS.get(line)
            if bare is not None:  # DATA, QUIT, RSET...: what the generic path below finds, found at once
                return bare(self, "")
            try:
                text = line.decode()
            except UnicodeDecodeError:
                if line[:5].upper() not in _ADDRESS_COMMANDS:
                    self.reply(replies.INVALID_UTF8)
                    return None
                # Octets that are not UTF-8 in an address: MAIL and RCPT judge them (553 or 501), not the framing.
                text = line.decode("utf-8", "surrogateescape")
            # MAIL or RCPT (the only verbs the simple shape has) in the shape nearly every client sends.
            if (
                text[:1] in _PATH_VERB_INITIALS
                and len(text) <= SIMPLE_LINE_MAX
                and (simple := SIMPLE_PATH.fullmatch(text))
            ):
                verb, address, local_part = simple.group("verb", "address", "local")
                if self._simple_path(verb, address, local_part):
                    return None
            verb, _, argument = text.partition(" ")
            handler = _HANDLERS.get(verb.upper())
            if handler is None:
                self.reply(replies.UNKNOWN_COMMAND)
                return None
            return handler(self, argument)
        except Exception:  # a bug must cost this command, never the session or the server
            log.exception("SMTP command failed: %r", line[:80])
            self.auth.step = None
            self.reset_transaction()
            self.state = COMMAND
            self.reply(replies.LOCAL_ERROR)
            return None

    def line_too_long(self) -> None:
        self.reply(replies.LINE_TOO_LONG)

    def resume(self, reply: Reply | None) -> None:
        """A deferred reply is ready (None: hang up without one)."""
        if reply is None:
            self.state = CLOSED
            return
        self.reply(reply)
        if self.auth.step is not None and self.state is COMMAND:
            self.state = SASL
        elif reply is replies.AUTH_SUCCEEDED and self.auth.user is not None:
            self.transcript.authenticated(AuthFacts(mechanism=self.auth.mechanism, user=self.auth.user))

    def goodbye(self, reply: Reply) -> None:
        """Queue the last reply; the connection closes once it is written."""
        self.out.append(reply.wire)
        self.state = CLOSED

    def delivery_facts(self) -> DeliveryFacts:
        """How a message of this session arrives: the session, client, EHLO name, TLS and AUTH now."""
        transcript = self.transcript
        user = self.auth.user
        return DeliveryFacts(
            protocol=SMTP,
            received_at=datetime.now(UTC),
            session_id=transcript.id or None,
            client=transcript.client,
            helo=self.helo_name,
            tls=transcript.tls if self.tls_active else None,
            auth=AuthFacts(mechanism=self.auth.mechanism, user=user) if user is not None else None,
        )

    # ------------------------------------------------------------------ output

    def reply(self, reply: Reply) -> None:
        self.out.append(reply.wire)
        if reply.code in BAD_COMMAND_CODES:
            self._bad_commands += 1
            if self._bad_commands >= BAD_COMMAND_LIMIT:
                self.goodbye(replies.TOO_MANY_ERRORS)  # RFC 5321 7.8
        elif reply.code < 400:
            self._bad_commands = 0

    def _send(self, wire: bytes) -> None:
        """A reply that is not a single :class:`Reply` (multi-line, prebuilt)."""
        self.out.append(wire)
        self._bad_commands = 0

    def _answer(self, outcome: Reply | Deferred) -> Action:
        if isinstance(outcome, Reply):
            self.reply(outcome)
            return None
        return outcome

    def stage(self, decision: Decision, reply: Reply) -> Action:
        """Answer as a fault rule decided: ``reply`` unless the verdict replaces it, after any delay."""
        outcome = staged(decision, reply)
        if outcome is None:
            self.state = CLOSED  # a disconnect rule: replies to earlier commands still go out
            return None
        return self._answer(outcome)

    # ------------------------------------------------------------------ commands

    def cmd_ehlo(self, argument: str) -> Action:
        offer_tls = self.settings.starttls and not self.tls_active
        return self._greet(
            argument, EHLO, self.settings.ehlo_reply_with_starttls if offer_tls else self.settings.ehlo_reply
        )

    def cmd_helo(self, argument: str) -> Action:
        return self._greet(argument, HELO, self.settings.helo_reply)

    def _greet(self, argument: str, greeting: int, reply: bytes) -> Action:
        """EHLO or HELO: the client's domain is required; the greeting starts a fresh transaction."""
        if not argument.strip():
            self.reply(replies.HELO_NEEDS_DOMAIN)
            return None
        self.greeting = greeting
        # Interned: each message's delivery record keeps it, and clients mostly repeat one name.
        self.helo_name = self.transcript.helo = sys.intern(argument.strip())
        # RFC 5321 4.1.4: EHLO is an implicit RSET (reset_transaction() and _send(), without the calls).
        self.envelope = NO_TRANSACTION
        self.data = None
        self.chunk = None
        self.out.append(reply)
        self._bad_commands = 0
        return None

    def cmd_mail(self, argument: str) -> Action:
        refusal = self._mail_refusal()
        if refusal is not None:
            self.reply(refusal)
            return None
        try:
            path, parameters = parse_mail(argument)
            options = NO_MAIL_OPTIONS
            if parameters:
                if self.greeting != EHLO:  # service extensions exist only after EHLO (RFC 5321 4.1.1.1)
                    raise CommandError(replies.PARAMETER_NOT_RECOGNIZED)
                options = mail_options(parameters, self.settings.max_message_size)
        except CommandError as error:
            self.reply(error.reply)
            return None
        if not path.address.isascii() and (refusal := non_ascii_refusal(path.address, options.smtputf8, True)):
            self.reply(refusal)
            return None
        envelope = self.envelope = Envelope(path.address)
        envelope.mail_parameters = parameters
        envelope.smtputf8 = options.smtputf8
        envelope.eight_bit = options.eight_bit
        envelope.report = options.report
        delivery = self.settings.delivery
        if MAIL in delivery.stages and (decision := delivery.rules.decide(MAIL, path.address)) is not CARRY_ON:
            return self.stage(decision, replies.SENDER_OK)
        self.reply(replies.SENDER_OK)
        return None

    def _simple_path(self, verb: str, address: str, local_part: str) -> bool:
        """MAIL or RCPT in the shape of :data:`SIMPLE_PATH` when nothing else can decide its reply: no fault or
        DSN rules, authentication not required, the transaction where the command belongs. The reply and the
        envelope are those the generic handler gives. False: the generic handler answers."""
        settings = self.settings
        if settings.delivery.stages:
            return False
        envelope = self.envelope
        if verb == "MAIL FROM":
            if self.greeting == NOT_GREETED or envelope.sender is not None:
                return False
            if settings.auth_required and self.auth.user is None:
                return False
            self.envelope = Envelope(address)  # the other fields stay as a new transaction has them: no parameters
            self.out.append(_SENDER_OK)
        else:
            sender = envelope.sender
            if sender is None or len(envelope.recipients) >= settings.max_recipients:
                return False
            envelope.rcpt_attempted = True
            envelope.recipients.append(settings.delivery.recipient(sender, address, local_part, ACCEPTED))
            self.out.append(_RECIPIENT_OK)
        self._bad_commands = 0
        return True

    def _mail_refusal(self) -> Reply | None:
        if self.greeting == NOT_GREETED:
            return replies.NEED_HELO
        if self.settings.auth_required and self.auth.user is None:
            return replies.AUTH_REQUIRED
        if self.envelope.sender is not None:
            return replies.NESTED_MAIL
        return None

    def cmd_rcpt(self, argument: str) -> Action:
        envelope = self.envelope
        sender = envelope.sender
        if sender is None:
            self.reply(replies.NEED_MAIL)
            return None
        try:
            path, parameters = parse_rcpt(argument)
            options = NO_RCPT_OPTIONS
            if parameters:
                if self.greeting != EHLO:
                    raise CommandError(replies.PARAMETER_NOT_RECOGNIZED)
                options = rcpt_options(parameters)
        except CommandError as error:
            self.reply(error.reply)
            return None
        if not path.address.isascii() and (refusal := non_ascii_refusal(path.address, envelope.smtputf8, False)):
            self.reply(refusal)
            return None
        envelope.rcpt_attempted = True
        if len(envelope.recipients) >= self.settings.max_recipients:
            self.reply(replies.TOO_MANY_RECIPIENTS)  # RFC 5321 4.5.3.1.10
            return None
        delivery = self.settings.delivery
        decision = delivery.rules.decide(RCPT, sender, (path.address,)) if delivery.rules else CARRY_ON
        verdict = decision.verdict or ACCEPTED
        if verdict.action in _DELIVERED:
            recipient = delivery.recipient(sender, path.address, path.local_part, verdict)
            if options.notify is not None:
                recipient.notify = options.notify
            recipient.original_recipient = options.original_recipient
            envelope.recipients.append(recipient)
            if options.notify is not None or options.original_recipient is not None:
                notify = None if options.notify is None else tuple(sorted(options.notify))
                envelope.rcpt_parameters.append(
                    RecipientParameters(address=path.address, notify=notify, orcpt=options.original_recipient)
                )
            if not decision.delay_ms:
                self.reply(replies.RECIPIENT_OK)
                return None
            decision = Decision(decision.delay_ms)  # accepted: the usual reply, after the delay
        return self.stage(decision, replies.RECIPIENT_OK)

    def chunk_complete(self) -> Action:
        """The connection read the whole BDAT chunk into :attr:`chunk`."""
        return content.chunk_complete(self)

    def message_complete(self, result: bytes | Reply) -> Action:
        """The message (or the reply refusing it) after DATA's terminator or the last BDAT chunk."""
        return content.message_complete(self, result)

    def cmd_rset(self, argument: str) -> Action:
        if argument:
            self.reply(replies.SYNTAX_ERROR)
            return None
        self.reset_transaction()
        self.reply(replies.RESET_OK)
        return None

    def cmd_noop(self, argument: str) -> Action:
        self.reply(replies.OK)  # RFC 5321 4.1.1.9: an argument is allowed and ignored
        return None

    def cmd_quit(self, argument: str) -> Action:
        if argument:
            self.reply(replies.SYNTAX_ERROR)
            return None
        self.goodbye(replies.CLOSING)
        return None

    def cmd_vrfy(self, argument: str) -> Action:
        # RFC 5321 3.5.3: 252 when the server will not verify but will accept mail for the address.
        self.reply(replies.CANNOT_VRFY if argument.strip() else replies.SYNTAX_ERROR)
        return None

    def cmd_expn(self, argument: str) -> Action:
        self.reply(replies.NOT_IMPLEMENTED)
        return None

    def cmd_help(self, argument: str) -> Action:
        self._send(HELP_REPLY)
        return None

    def cmd_starttls(self, argument: str) -> Action:
        refusal = starttls.refusal(argument, self.tls_active, self.settings)
        if refusal is not None:
            self.reply(refusal)
            return None
        return START_TLS

    def cmd_auth(self, argument: str) -> Action:
        if self.greeting != EHLO:
            self.reply(replies.NEED_EHLO_FOR_AUTH)
        elif self.auth.user is not None:
            self.reply(replies.ALREADY_AUTHENTICATED)
        elif self.envelope.sender is not None:
            self.reply(replies.AUTH_IN_TRANSACTION)
        else:
            return self._answer(self.auth.command(argument))
        return None


_HANDLERS: dict[str, Callable[[SmtpSession, str], Action]] = {
    "EHLO": SmtpSession.cmd_ehlo,
    "HELO": SmtpSession.cmd_helo,
    "MAIL": SmtpSession.cmd_mail,
    "RCPT": SmtpSession.cmd_rcpt,
    "DATA": content.cmd_data,
    "BDAT": content.cmd_bdat,
    "RSET": SmtpSession.cmd_rset,
    "NOOP": SmtpSession.cmd_noop,
    "QUIT": SmtpSession.cmd_quit,
    "VRFY": SmtpSession.cmd_vrfy,
    "EXPN": SmtpSession.cmd_expn,
    "HELP": SmtpSession.cmd_help,
    "AUTH": SmtpSession.cmd_auth,
    "STARTTLS": SmtpSession.cmd_starttls,
}
# A verb alone on its line, in upper case, as clients send DATA and QUIT: its handler, with no argument.
_BARE_COMMANDS = {verb.encode(): handler for verb, handler in _HANDLERS.items()}
