"""A parsed query turned into a test of (mailbox, message), with the tests IMAP SEARCH uses.

Each term maps to the :mod:`~elektromail.search.matching` function of the IMAP key that means the same
(``from:`` is FROM, ``subject:`` is SUBJECT, a free word is ``OR SUBJECT w BODY w``, ``before:`` is
BEFORE, ...). The terms about where a message lives (``user:``, ``mailbox:``) are also offered as a
mailbox test, so a search can skip mailboxes that cannot match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from elektromail.mail.rawsearch import may_contain
from elektromail.search import matching
from elektromail.search.query import (
    AttachmentTerm,
    DateTerm,
    FlagTerm,
    HeaderTerm,
    MailboxTerm,
    Query,
    SessionTerm,
    SizeTerm,
    Term,
    TextTerm,
    TlsTerm,
    UserTerm,
)
from elektromail.store.model import Mailbox, Message

MessageTest = Callable[[Mailbox, Message], bool]
# The fields search.columns keeps text columns of.
COLUMN_FIELDS = ("from", "to", "cc", "subject")


def _text(field: str, needle: str) -> MessageTest:
    if field == "text":
        return lambda mailbox, message: matching.subject_or_body_contains(message, needle)
    if field == "subject":
        subject = matching.header_test("subject", needle)
        return lambda mailbox, message: subject(message)
    if field == "body":
        return lambda mailbox, message: matching.body_contains(message, needle)
    if field == "rcpt":
        return lambda mailbox, message: matching.envelope_recipient_contains(message, needle)
    if field == "bcc":
        # The Bcc header (IMAP BCC) is rarely kept; the envelope says who was really sent a copy.
        return lambda mailbox, message: (
            matching.envelope_recipient_contains(message, needle) or matching.address_contains(message, "bcc", needle)
        )
    address = matching.address_test(field, needle)
    return lambda mailbox, message: address(message)


def _compile(term: Term) -> MessageTest:
    if isinstance(term, TextTerm):
        return _text(term.field, term.value)
    if isinstance(term, HeaderTerm):
        header = matching.header_test(term.name, term.value)
        return lambda mailbox, message: header(message)
    if isinstance(term, FlagTerm):
        flag, present = term.flag, term.present
        return lambda mailbox, message: matching.has_flag(message, flag) is present
    if isinstance(term, SizeTerm):
        octets = term.octets
        if term.larger:
            return lambda mailbox, message: matching.larger_than(message, octets)
        return lambda mailbox, message: matching.smaller_than(message, octets)
    if isinstance(term, DateTerm):
        comparison, day = term.comparison, term.day
        return lambda mailbox, message: matching.day_matches(matching.internal_day(message), comparison, day)
    if isinstance(term, AttachmentTerm):
        return lambda mailbox, message: matching.has_attachment(message)
    if isinstance(term, SessionTerm):
        session_id = term.session_id
        return lambda mailbox, message: matching.delivered_in_session(message, session_id)
    if isinstance(term, TlsTerm):
        used = term.used
        return lambda mailbox, message: matching.delivered_over_tls(message) is used
    if isinstance(term, UserTerm | MailboxTerm):
        place = _place(term)
        return lambda mailbox, message: place(mailbox)
    inner = _compile(term.term)
    return lambda mailbox, message: not inner(mailbox, message)


def _place(term: UserTerm | MailboxTerm) -> Callable[[Mailbox], bool]:
    if isinstance(term, UserTerm):
        user = term.user
        return lambda mailbox: mailbox.account.name.lower() == user
    name = term.mailbox
    return lambda mailbox: mailbox.name == name


def _needles(terms: Sequence[Term]) -> tuple[str, ...]:
    """The needles of the terms that only match a message whose searchable text holds them."""
    needles = [term.value for term in terms if isinstance(term, TextTerm) and term.field in ("text", "subject", "body")]
    needles += [term.value for term in terms if isinstance(term, HeaderTerm)]
    return tuple(dict.fromkeys(needles))


class CompiledQuery:
    """``mailbox_matches`` says whether any message of a mailbox could match; ``matches`` decides.

    Before any test parses a message, every text needle of the query is looked for in its octets
    (:func:`~elektromail.mail.rawsearch.may_contain`): a query with one rare word then parses only the
    messages that have it, whatever the order of its terms.

    ``column_term`` is the (field, needle) of the first positive term that a column of text answers
    exactly (see :mod:`elektromail.search.columns`); ``matches_besides_column`` is every other test, for
    messages the column already selected.
    """

    def __init__(self, query: Query, also: Sequence[MessageTest] = ()) -> None:
        """``also``: further tests every match must pass (filters that are no term of the language)."""
        self.query = query
        self._places = [_place(term) for term in query.terms if isinstance(term, UserTerm | MailboxTerm)]
        tested = [term for term in query.terms if not isinstance(term, UserTerm | MailboxTerm)]
        self._tests = [_compile(term) for term in tested] + list(also)
        column = next((term for term in tested if _answered_by_column(term)), None)
        self.column_term = (column.field, column.value) if isinstance(column, TextTerm) else None
        self._rest = [_compile(term) for term in tested if term is not column] + list(also)
        # With one test, that test looks in the octets first itself.
        self._needles = _needles(tested) if len(self._tests) > 1 else ()

    def mailbox_matches(self, mailbox: Mailbox) -> bool:
        return all(place(mailbox) for place in self._places)

    def matches(self, mailbox: Mailbox, message: Message) -> bool:
        """The whole query; the caller has already checked ``mailbox_matches``."""
        return self._may_match(message) and all(test(mailbox, message) for test in self._tests)

    def _may_match(self, message: Message) -> bool:
        parsed = message.parsed
        return all(may_contain(parsed, needle) for needle in self._needles)

    @property
    def tests_besides_column(self) -> int:
        return len(self._rest)

    def matches_besides_column(self, mailbox: Mailbox, message: Message) -> bool:
        return self._may_match(message) and all(test(mailbox, message) for test in self._rest)


def _answered_by_column(term: Term) -> bool:
    # A needle with NUL could span two header values joined in a column; such a term is tested as usual.
    return isinstance(term, TextTerm) and term.field in COLUMN_FIELDS and "\x00" not in term.value


def compile_query(query: Query) -> CompiledQuery:
    return CompiledQuery(query)
