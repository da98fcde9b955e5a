"""Message content: DATA (RFC 5321 4.1.1.4) and BDAT (RFC 3030), and what happens once a message is complete:
strict mode, the DATA fault rules, delivery.

The session's verbs for content; the octets themselves are read by the connection, through the readers
these set on the session (:mod:`elektromail.smtp.data`).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from elektromail.delivery.rules import ACCEPTED, DATA
from elektromail.delivery.service import Arrival, Recipient, ReportRequest
from elektromail.smtp import replies, state
from elektromail.smtp.actions import Action, Deferred
from elektromail.smtp.commands import CommandError, parse_bdat
from elektromail.smtp.data import ChunkReader, DataReader
from elektromail.smtp.replies import Reply
from elektromail.smtp.state import COMMAND
from elektromail.smtp.strict import content_refusal
from elektromail.store import JournalError

if TYPE_CHECKING:
    from elektromail.smtp.session import SmtpSession

log = logging.getLogger("elektromail.smtp")


def cmd_data(session: SmtpSession, argument: str) -> Action:
    """``DATA``: 354, and the connection reads the section through :attr:`SmtpSession.data`."""
    if argument:
        session.reply(replies.SYNTAX_ERROR)
    elif (refusal := session.envelope.content_refusal()) is not None:
        session.reply(refusal)
    elif session.envelope.chunks is not None:
        session.reply(replies.DATA_AFTER_BDAT)  # RFC 3030 2
    else:
        session.reply(replies.START_MAIL_INPUT)
        session.data = DataReader(session.settings.max_message_size)
        session.state = state.DATA  # the module constant: a member read through its class is a descriptor call
    return None


def cmd_bdat(session: SmtpSession, argument: str) -> Action:
    """RFC 3030 2: ``BDAT size [LAST]`` and then exactly ``size`` octets, read before the reply, even
    when the chunk is refused. A refused chunk fails the transaction; the chunks a pipelining client
    sent after it are read and refused in turn (there is no transaction any more)."""
    try:
        size, last = parse_bdat(argument)
    except CommandError as error:
        session.reply(error.reply)  # the size is unknown: what follows can only be read as commands
        return None
    envelope = session.envelope
    refusal = envelope.content_refusal()
    if refusal is None and len(envelope.chunks or b"") + size > session.settings.max_message_size:
        refusal = replies.MESSAGE_TOO_BIG
    if refusal is not None:
        session.chunk = ChunkReader(size, last, None, refusal)
    else:
        if envelope.chunks is None:
            envelope.chunks = bytearray()
        session.chunk = ChunkReader(size, last, envelope.chunks, None)
    session.state = state.CHUNK
    return None


def chunk_complete(session: SmtpSession) -> Action:
    """The connection read the whole BDAT chunk that :attr:`SmtpSession.chunk` took."""
    chunk, session.chunk = session.chunk, None
    session.state = COMMAND
    assert chunk is not None, "a chunk is read only after BDAT"
    if chunk.refusal is not None:
        session.reset_transaction()
        session.reply(chunk.refusal)
    elif chunk.last:
        return message_complete(session, bytes(session.envelope.chunks or b""))
    else:
        session.reply(replies.chunk_received(chunk.size))
    return None


def message_complete(session: SmtpSession, result: bytes | Reply) -> Action:
    """The message (or the reply refusing it) after DATA's terminator or the last BDAT chunk."""
    envelope = session.envelope
    session.reset_transaction()
    session.state = COMMAND
    if not isinstance(result, Reply) and session.settings.strict:
        result = content_refusal(result, envelope.eight_bit) or result
    if isinstance(result, Reply):
        session.reply(result)
        return None
    delivery = session.settings.delivery
    sender, recipients = envelope.sender or "", envelope.recipients
    delay_ms = 0
    if DATA in delivery.stages:
        decision = delivery.rules.decide(DATA, sender, [recipient.address for recipient in recipients])
        if decision.verdict is not None and decision.verdict is not ACCEPTED:
            return session.stage(decision, replies.MESSAGE_ACCEPTED)  # refused or dropped: nothing is stored
        delay_ms = decision.delay_ms
    how = Arrival(session.delivery_facts(), envelope.record())
    if not delay_ms:
        try:
            stored = delivery.deliver_at_once(recipients, result, how)
        except Exception:  # as when a deferred reply fails: this message is refused, the session goes on
            log.exception("SMTP session failed while producing a reply")
            session.reply(replies.LOCAL_ERROR)
            return None
        if stored is not None:  # stored already (the in-memory store, no report due): answer in this batch
            # Recorded with the message's content by the connection (an attribute, not a call: every message).
            session.transcript.delivered = stored
            session.reply(replies.MESSAGE_ACCEPTED)
            return None
    work = partial(_deliver, session, sender, recipients, result, envelope.report, how)
    return Deferred(delay_ms, work)


async def _deliver(
    session: SmtpSession,
    sender: str,
    recipients: list[Recipient],
    message: bytes,
    request: ReportRequest,
    how: Arrival,
) -> Reply:
    try:
        stored = await session.settings.delivery.deliver(sender, recipients, message, request, how)
    except JournalError as error:  # the disk failed, not the session: the client may try again
        log.error("SMTP message from <%s> not stored: %s", sender, error)
        return replies.NOT_STORED
    for message_id in stored:  # after the content was recorded, before the reply
        session.transcript.stored(message_id)
    return replies.MESSAGE_ACCEPTED
