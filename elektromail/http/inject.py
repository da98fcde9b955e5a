"""``POST /inject``: turn a JSON request into stored messages, the way an SMTP delivery would.

Recipients map to users exactly as SMTP routes them (the delivery router: a user's email address, else
the local part, case-insensitive, ``+tag`` stripped); unknown users are created. DSN rules are not applied:
injection sets up state, it does not test routing. With ``mailbox``, ``flags`` or ``internal_date`` the
message is appended there instead of being delivered to the INBOX.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime, getaddresses, make_msgid

from elektromail.delivery.routing import Router
from elektromail.http.errors import TooLarge, Unprocessable, store_error
from elektromail.http.schemas import Inject, MessageRef
from elektromail.mail.envelope import message_headers
from elektromail.mail.message import ParsedMessage
from elektromail.store import Store, StoreError, now
from elektromail.store.model import INBOX, Mailbox, Message
from elektromail.store.provenance import HTTP, Delivery, Envelope, Provenance

DEFAULT_SENDER = "elektromail@localhost"
_BARE_LF = re.compile(rb"(?<!\r)\n")


class InjectError(Unprocessable):
    """The request cannot be turned into a message; ``field`` names the culprit."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


class InjectTooLarge(TooLarge):
    """The message built is larger than ELEKTROMAIL_MAX_MESSAGE_SIZE."""


def recipients(request: Inject, router: Router) -> dict[str, list[str]]:
    """The users the request's addresses route to, each with its addresses, in order."""
    fields = [request.to] if isinstance(request.to, str) else request.to
    addresses = [address for _, address in getaddresses(fields) if address]
    if not addresses:
        raise InjectError("to", "no recipient address")
    users: dict[str, list[str]] = {}
    for address in addresses:
        user = router.user_for(address)
        if not user or any(ch in user for ch in ' \t\r\n"\\'):
            raise InjectError("to", f"{address!r} does not name a user")
        users.setdefault(user, []).append(address)
    return users


def _sender(request: Inject, parsed: ParsedMessage) -> str:
    """The reverse path an injection stands for: the ``from`` asked for, else the message's From."""
    field = message_headers(parsed).get("from")
    written = request.from_ if request.from_ is not None else field.decode("utf-8", "replace") if field else ""
    found = [address for _, address in getaddresses([written or ""]) if address]
    return found[0] if found else ""


def _provenance(sender: str, addresses: list[str]) -> Provenance:
    return Provenance(
        delivery=Delivery(protocol=HTTP, received_at=datetime.now(UTC)),
        envelope=Envelope(mail_from=sender, rcpt_to=tuple(addresses)),
    )


def build_message(request: Inject) -> bytes:
    """The raw message: the given text with CRLF line ends, or an RFC 5322 message built from the parts."""
    if request.raw is not None:
        if request.subject is not None or request.text is not None or request.html is not None:
            raise InjectError("raw", "give either raw or subject/text/html, not both")
        return _BARE_LF.sub(b"\r\n", request.raw.encode("utf-8"))
    # Here, not at import: the email package's message model and policies weigh some 0.6 MiB, and most
    # servers never build a message from parts.
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP)
    try:
        message["From"] = request.from_ or DEFAULT_SENDER
    except (ValueError, IndexError) as error:
        raise InjectError("from", str(error) or "not an address") from None
    try:
        message["To"] = request.to if isinstance(request.to, str) else ", ".join(request.to)
    except (ValueError, IndexError) as error:
        raise InjectError("to", str(error) or "not an address") from None
    try:
        message["Subject"] = request.subject or ""
    except ValueError as error:
        raise InjectError("subject", str(error)) from None
    message["Date"] = format_datetime(request.internal_date or now())
    message["Message-ID"] = make_msgid(domain="elektromail.localhost")
    if request.text is not None or request.html is None:
        message.set_content(request.text or "")
        if request.html is not None:
            message.add_alternative(request.html, subtype="html")
    else:
        message.set_content(request.html, subtype="html")
    return message.as_bytes()


async def inject(store: Store, router: Router, request: Inject, max_size: int) -> list[MessageRef]:
    users = recipients(request, router)
    raw = build_message(request)
    if len(raw) > max_size:
        raise InjectTooLarge(f"raw: message is {len(raw)} octets, larger than the limit of {max_size}")
    parsed = ParsedMessage(raw)
    sender = _sender(request, parsed)
    if request.mailbox is None and not request.flags and request.internal_date is None:
        arrivals = {user.lower(): _provenance(sender, addresses) for user, addresses in users.items()}
        stored = await store.deliver(users, parsed, arrivals)
        inboxes = [account.inbox for user in users if (account := store.account(user)) is not None]
        return [_ref(inbox, message) for inbox, message in zip(inboxes, stored, strict=True)]
    refs: list[MessageRef] = []
    mailbox_name = request.mailbox or INBOX
    for user, addresses in users.items():
        account = await store.ensure_account(user)
        mailbox = account.mailbox(mailbox_name)
        try:
            if mailbox is None:
                mailbox = await store.create_mailbox(account, mailbox_name)
            arrival = _provenance(sender, addresses)
            message = await store.append(mailbox, parsed, request.flags, request.internal_date, provenance=arrival)
        except StoreError as error:
            raise store_error(error, "mailbox: ") from None
        refs.append(_ref(mailbox, message))
    return refs


def _ref(mailbox: Mailbox, message: Message) -> MessageRef:
    return MessageRef(
        id=mailbox.message_id(message.uid), user=mailbox.account.name, mailbox=mailbox.name, uid=message.uid
    )
