"""Which stored messages a ``GET /messages`` or ``GET /messages/wait`` query selects.

Both endpoints filter with :class:`MessageFilter`, so a message listed by one is waited for by the other.
The query language (``q=``) and the ``user``, ``mailbox``, ``rcpt`` and ``session`` filters become terms of
one compiled query (:mod:`elektromail.search`), evaluated by the matching code IMAP SEARCH uses. The
``from``, ``to`` and ``subject`` filters match case-insensitive substrings of the decoded field values
(display names and addresses alike; ``to`` looks at Cc too), as they always have.
"""

from __future__ import annotations

from collections.abc import Iterator

from elektromail.http.schemas import MessagesQuery
from elektromail.mail.text import decoded_headers
from elektromail.search import matching
from elektromail.search.evaluate import CompiledQuery, MessageTest
from elektromail.search.query import MailboxTerm, Query, SessionTerm, Term, TextTerm, UserTerm, parse_query
from elektromail.search.results import Page, newest_first
from elektromail.search.results import matching as matching_by_mailbox
from elektromail.store import Store
from elektromail.store.model import Mailbox, Message, canonical_mailbox_name

# A recipient filter looks at Cc too: which of the two fields named an address rarely matters to a test.
RECIPIENT_FIELDS = ("to", "cc")


def _header_test(fields: tuple[str, ...], text: str) -> MessageTest:
    def test(mailbox: Mailbox, message: Message) -> bool:
        values = decoded_headers(message.parsed)
        return any(text in value for field in fields for value in values.get(field, ()))

    return test


class MessageFilter:
    """Every condition of one query; all given must hold. A malformed ``q`` raises
    :class:`~elektromail.search.query.QueryError` naming the term."""

    def __init__(self, query: MessagesQuery) -> None:
        terms: list[Term] = list(parse_query(query.q).terms) if query.q else []
        if query.user is not None:
            terms.append(UserTerm(query.user.lower()))
        if query.mailbox is not None:
            terms.append(MailboxTerm(canonical_mailbox_name(query.mailbox)))
        if query.rcpt:
            terms.append(TextTerm("rcpt", matching.fold(query.rcpt)))
        if query.session:
            terms.append(SessionTerm(query.session))
        wanted = ((("from",), query.from_), (RECIPIENT_FIELDS, query.to), (("subject",), query.subject))
        headers = [_header_test(fields, text.casefold()) for fields, text in wanted if text is not None]
        self.compiled = CompiledQuery(Query(tuple(terms)), headers)

    def mailbox_matches(self, mailbox: Mailbox) -> bool:
        return self.compiled.mailbox_matches(mailbox)

    def message_matches(self, mailbox: Mailbox, message: Message) -> bool:
        return self.compiled.matches(mailbox, message)

    def matches(self, store: Store) -> Iterator[tuple[Mailbox, Message]]:
        """Every match, mailbox by mailbox in store order."""
        for mailbox, found in matching_by_mailbox(store.accounts(), self.compiled):
            for message in found:
                yield mailbox, message

    def page(self, store: Store, limit: int, cursor: str | None) -> Page:
        """Newest first: ``limit`` matches after ``cursor``, with the total."""
        return newest_first(store.accounts(), self.compiled, limit, cursor)
