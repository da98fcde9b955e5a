"""The JSON shapes of the HTTP control plane: request bodies, query strings and responses.

Every shape is a ``msgspec.Struct``; the same types decode requests, encode responses and generate the
OpenAPI document, so the spec cannot drift from what the server does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from elektromail.preload import Flag
from elektromail.search.results import DEFAULT_LIMIT, MAX_LIMIT
from elektromail.store.provenance import Delivery, Envelope

# Longest wait a client may ask for; tests that need longer should loop on their side.
MAX_WAIT_SECONDS = 300.0
MESSAGES_WAIT_DEFAULT_SECONDS = 30.0
# More matches than this is a runaway test, not a wait.
MAX_WAIT_COUNT = 10_000

Seconds = Annotated[float, msgspec.Meta(gt=0, le=MAX_WAIT_SECONDS, description="seconds to wait")]
# The header filters match like IMAP SEARCH FROM/TO/SUBJECT (RFC 9051 6.4.4).
FROM_FILTER = "text in the From field (display name or address); any case, RFC 2047 encoded words decoded"
TO_FILTER = "text in a To or Cc field (display name or address); any case, RFC 2047 encoded words decoded"
SUBJECT_FILTER = "text in the Subject field; any case, RFC 2047 encoded words decoded"
RCPT_FILTER = "text in an SMTP envelope recipient (RCPT TO), so Bcc recipients are found; any case"
QUERY_FILTER = (
    'a query: free words, "phrases", from: to: cc: bcc: rcpt: subject: body: header:Name:value user: mailbox: '
    "is: keyword: has:attachment larger: smaller: before: after: on: session: tls:yes|no, - to negate (docs/http.md)"
)
MESSAGE_ID_PATTERN = r"^[0-9]+-[0-9]+$"
MessageId = Annotated[
    str, msgspec.Meta(pattern=MESSAGE_ID_PATTERN, description="unique across the server; never reused")
]
Links = Annotated[list[str], msgspec.Meta(description="http(s) URLs of the text part, then the HTML part; once each")]
Uid = Annotated[int, msgspec.Meta(ge=1, le=2**32 - 1, description="IMAP UID (RFC 9051 2.3.1.1)")]


class Error(msgspec.Struct, kw_only=True):
    """Every 4xx and 5xx answer."""

    error: str


# ---------------------------------------------------------------- users


class NewUser(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r'^[^\s"\\]+$')]
    password: Annotated[str, msgspec.Meta(min_length=1)]
    email: Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None


class User(msgspec.Struct, omit_defaults=True, kw_only=True):
    name: str
    email: str | None = None


class UsersQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    include_email: bool = False


# ---------------------------------------------------------------- messages


class MessageRef(msgspec.Struct, kw_only=True):
    """Where one stored copy of a message lives."""

    id: MessageId
    user: str
    mailbox: str
    uid: int


class Summary(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    id: MessageId
    uid: int
    user: str
    mailbox: str
    from_: str | None
    to: list[str]
    subject: str | None
    date: str | None
    internal_date: datetime
    flags: list[str]
    size: int
    links: Links
    envelope: Annotated[Envelope | None, msgspec.Meta(description="the SMTP envelope; null without one (APPEND)")]
    delivery: Annotated[Delivery | None, msgspec.Meta(description="how the message arrived")]


class Header(msgspec.Struct, kw_only=True):
    name: str
    value: str


class Attachment(msgspec.Struct, kw_only=True):
    filename: str | None
    content_type: str
    size: int
    content_id: str | None = None
    inline: bool = False


class Detail(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    id: MessageId
    uid: int
    user: str
    mailbox: str
    from_: str | None
    to: list[str]
    cc: list[str]
    subject: str | None
    date: str | None
    message_id: str | None
    internal_date: datetime
    flags: list[str]
    size: int
    headers: list[Header]
    text: str | None
    html: str | None
    attachments: list[Attachment]
    links: Links
    envelope: Envelope | None
    delivery: Delivery | None


class MessagesQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    """The filters of ``GET /messages`` and ``GET /messages/wait``; all given ones must match."""

    user: Annotated[str | None, msgspec.Meta(description="user name (case-insensitive)")] = None
    mailbox: Annotated[str | None, msgspec.Meta(description="mailbox name; INBOX is case-insensitive")] = None
    from_: Annotated[str | None, msgspec.Meta(description=FROM_FILTER)] = msgspec.field(default=None, name="from")
    to: Annotated[str | None, msgspec.Meta(description=TO_FILTER)] = None
    subject: Annotated[str | None, msgspec.Meta(description=SUBJECT_FILTER)] = None
    rcpt: Annotated[str | None, msgspec.Meta(description=RCPT_FILTER)] = None
    session: Annotated[str | None, msgspec.Meta(description="delivered in this SMTP session (its id)")] = None
    q: Annotated[str | None, msgspec.Meta(description=QUERY_FILTER)] = None


class ListQuery(MessagesQuery, kw_only=True):
    """``GET /messages``: the filters, and which page of the results, newest first."""

    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT, description="messages per page")] = DEFAULT_LIMIT
    cursor: Annotated[str | None, msgspec.Meta(description="the cursor of the previous page")] = None


class MessageQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    user: str
    mailbox: str = "INBOX"


class DeleteMessagesQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    """One user's mail: every mailbox, or the one named."""

    user: Annotated[str, msgspec.Meta(description="user name (case-insensitive)")]
    mailbox: Annotated[str | None, msgspec.Meta(description="only this mailbox; INBOX is case-insensitive")] = None


class Deleted(msgspec.Struct, kw_only=True):
    deleted: int


class WaitQuery(MessagesQuery, kw_only=True):
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_WAIT_COUNT, description="how many messages must match")] = 1
    timeout: Seconds = MESSAGES_WAIT_DEFAULT_SECONDS


class Messages(msgspec.Struct, kw_only=True):
    messages: list[Summary]


class MessagesPage(msgspec.Struct, kw_only=True):
    """A page of ``GET /messages``, newest first."""

    messages: list[Summary]
    total: Annotated[int, msgspec.Meta(description="how many messages match in all")]
    cursor: Annotated[str | None, msgspec.Meta(description="pass as cursor= for the next page; null: last page")]


# ---------------------------------------------------------------- injection


class Inject(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename={"from_": "from"}):
    """Deliver a message without SMTP: the raw text, or a message built from subject/text/html."""

    to: Annotated[str, msgspec.Meta(min_length=1)] | Annotated[list[str], msgspec.Meta(min_length=1)]
    from_: str | None = None
    mailbox: str | None = None
    flags: list[Flag] = []
    internal_date: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    raw: str | None = None
    subject: str | None = None
    text: str | None = None
    html: str | None = None


class Injected(msgspec.Struct, kw_only=True):
    messages: list[MessageRef]


# ---------------------------------------------------------------- server


class Status(msgspec.Struct, kw_only=True):
    status: str


class Health(msgspec.Struct, kw_only=True):
    status: str
    listeners: dict[str, int]
    version: str
