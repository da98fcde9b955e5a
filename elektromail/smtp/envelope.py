"""One mail transaction's envelope (RFC 5321 3.3): what MAIL and RCPT said, until the message ends."""

from __future__ import annotations

from operator import attrgetter

from elektromail.delivery.service import NO_REQUEST, Recipient
from elektromail.smtp import replies
from elektromail.smtp.replies import Reply
from elektromail.store.provenance import Envelope as ProvenanceEnvelope
from elektromail.store.provenance import RecipientParameters

_ADDRESS = attrgetter("address")


class Envelope:
    """The sender, the accepted recipients and the options of the transaction in progress."""

    __slots__ = (
        "sender",
        "recipients",
        "rcpt_attempted",
        "smtputf8",
        "eight_bit",
        "report",
        "chunks",
        "mail_parameters",
        "rcpt_parameters",
    )

    def __init__(self, sender: str | None = None) -> None:
        self.sender = sender  # None: no transaction; "" is the null reverse-path
        self.recipients: list[Recipient] = []
        self.rcpt_attempted = False  # some RCPT came, accepted or not
        self.smtputf8 = False
        self.eight_bit = False  # BODY=8BITMIME or SMTPUTF8 was declared
        self.report = NO_REQUEST  # RET and ENVID (RFC 3461)
        self.chunks: bytearray | None = None  # the message so far, once BDAT began it (RFC 3030)
        self.mail_parameters: dict[str, str | None] = {}  # MAIL's ESMTP parameters as given, for the record
        self.rcpt_parameters: list[RecipientParameters] = []  # the DSN parameters RCPTs gave

    def content_refusal(self) -> Reply | None:
        """Why message content (DATA or BDAT) cannot come now, or None when it can."""
        if self.sender is None:
            return replies.NEED_MAIL
        if not self.recipients:
            # RFC 5321 3.3: 554 when every RCPT was refused, 503 when none was sent.
            return replies.NO_VALID_RECIPIENTS if self.rcpt_attempted else replies.NEED_RCPT
        return None

    def record(self) -> ProvenanceEnvelope:
        """The envelope as the stored message keeps it (every accepted recipient; delivery narrows it)."""
        parameters = self.mail_parameters
        rcpt_to = tuple(map(_ADDRESS, self.recipients))
        if not parameters:  # the usual MAIL FROM:<path>: no BODY, SIZE, SMTPUTF8, RET or ENVID
            return ProvenanceEnvelope(
                mail_from=self.sender or "", rcpt_to=rcpt_to, recipient_parameters=tuple(self.rcpt_parameters)
            )
        size = parameters.get("SIZE")
        body = parameters.get("BODY")
        full = self.report.full_content
        return ProvenanceEnvelope(
            mail_from=self.sender or "",
            rcpt_to=rcpt_to,
            body=body.upper() if body else None,
            smtputf8=self.smtputf8,
            size=int(size) if size is not None and size.isdigit() else None,
            ret=None if full is None else "FULL" if full else "HDRS",
            envid=self.report.envelope_id,
            recipient_parameters=tuple(self.rcpt_parameters),
        )


# The envelope between transactions, shared by every session: nothing writes to an envelope whose sender
# is None (RCPT, DATA and BDAT need a sender first), and MAIL starts a transaction with a new one.
NO_TRANSACTION = Envelope()


def non_ascii_refusal(address: str, smtputf8: bool, sender: bool) -> Reply | None:
    """RFC 6531 3.4: non-ASCII needs SMTPUTF8 (553 5.6.7); with it, the octets must be UTF-8 (501)."""
    if not smtputf8:
        return replies.NON_ASCII_ADDRESS
    try:
        address.encode()
    except UnicodeEncodeError:  # surrogates stand for octets that were not UTF-8
        return replies.SENDER_NOT_UTF8 if sender else replies.RECIPIENT_NOT_UTF8
    return None
