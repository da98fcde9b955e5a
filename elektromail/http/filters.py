"""Which stored messages a ``GET /messages`` or ``GET /messages/wait`` query selects.

Both endpoints filter with :class:`MessageFilter`, so a message listed by one is waited for by the other.
Header filters match like IMAP SEARCH FROM/TO/SUBJECT (RFC 9051 6.4.4): case-insensitive substrings of
the field values with RFC 2047 encoded words decoded, display names and addresses alike. The decoded
values are cached on the message and shared with SEARCH.
"""

from __future__ import annotations

from collections.abc import Iterator

from elektromail.http.schemas import MessagesQuery
from elektromail.mail.text import decoded_headers
from elektromail.store import Store
from elektromail.store.model import Mailbox, Message, canonical_mailbox_name

# A recipient filter looks at Cc too: which of the two fields named an address rarely matters to a test.
RECIPIENT_FIELDS = ("to", "cc")


class MessageFilter:
    """The user, mailbox and header conditions of one query; every condition given must hold."""

    def __init__(self, query: MessagesQuery) -> None:
        self.user = query.user.lower() if query.user is not None else None
        self.mailbox = canonical_mailbox_name(query.mailbox) if query.mailbox is not None else None
        wanted = ((("from",), query.from_), (RECIPIENT_FIELDS, query.to), (("subject",), query.subject))
        # (lower-case field names, case-folded text that one of their values must contain)
        self.headers = [(fields, text.casefold()) for fields, text in wanted if text is not None]

    def mailbox_matches(self, mailbox: Mailbox) -> bool:
        if self.user is not None and mailbox.account.name.lower() != self.user:
            return False
        return self.mailbox is None or mailbox.name == self.mailbox

    def message_matches(self, message: Message) -> bool:
        if not self.headers:
            return True
        values = decoded_headers(message.parsed)
        return all(
            any(text in value for field in fields for value in values.get(field, ())) for fields, text in self.headers
        )

    def matches(self, store: Store) -> Iterator[tuple[Mailbox, Message]]:
        for account in store.accounts():
            for mailbox in account.mailboxes.values():
                if self.mailbox_matches(mailbox):
                    for message in mailbox.messages:
                        if self.message_matches(message):
                            yield mailbox, message
