"""The HTTP query language on strings: every operator parses to its typed term, malformed terms are
named in the error, and evaluation agrees with IMAP SEARCH's keys on the same messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from elektromail.imap.commands.search_keys import SearchContext, parse_key
from elektromail.imap.engine.parser import Reader
from elektromail.mail.message import ParsedMessage
from elektromail.search.evaluate import compile_query
from elektromail.search.query import (
    AttachmentTerm,
    DateTerm,
    FlagTerm,
    HeaderTerm,
    MailboxTerm,
    NotTerm,
    QueryError,
    SessionTerm,
    SizeTerm,
    TextTerm,
    TlsTerm,
    UserTerm,
    parse_query,
)
from elektromail.store.model import Account, Mailbox, Message
from elektromail.store.provenance import Delivery, Envelope, Provenance, TlsFacts


def terms(text: str) -> list[object]:
    return list(parse_query(text).terms)


def test_free_words_and_phrases() -> None:
    assert terms("") == [] and terms("   ") == []
    assert terms("Hello  World") == [TextTerm("text", "hello"), TextTerm("text", "world")]
    assert terms('"Quarterly Report" 10:30') == [TextTerm("text", "quarterly report"), TextTerm("text", "10:30")]
    assert terms('"say \\"hi\\""') == [TextTerm("text", 'say "hi"')]


def test_text_operators() -> None:
    assert terms("from:Alice to:bob@x.test cc:carol bcc:dave rcpt:eve+tag@x.test") == [
        TextTerm("from", "alice"),
        TextTerm("to", "bob@x.test"),
        TextTerm("cc", "carol"),
        TextTerm("bcc", "dave"),
        TextTerm("rcpt", "eve+tag@x.test"),
    ]
    assert terms('subject:"Your Invoice" body:paid FROM:x') == [
        TextTerm("subject", "your invoice"),
        TextTerm("body", "paid"),
        TextTerm("from", "x"),
    ]


def test_header_operator() -> None:
    assert terms("header:X-Mailer:Thunderbird") == [HeaderTerm("x-mailer", "thunderbird")]
    assert terms('header:List-Id:"my list"') == [HeaderTerm("list-id", "my list")]
    assert terms("header:X-Priority: next") == [HeaderTerm("x-priority", ""), TextTerm("text", "next")]
    assert terms("header:Received:from:x") == [HeaderTerm("received", "from:x")]


def test_place_flag_and_fact_operators() -> None:
    assert terms("user:Alice mailbox:inbox mailbox:Archive/2024") == [
        UserTerm("alice"),
        MailboxTerm("INBOX"),
        MailboxTerm("Archive/2024"),
    ]
    assert terms("is:seen is:UNREAD is:flagged is:answered is:draft is:deleted") == [
        FlagTerm("\\Seen", True),
        FlagTerm("\\Seen", False),
        FlagTerm("\\Flagged", True),
        FlagTerm("\\Answered", True),
        FlagTerm("\\Draft", True),
        FlagTerm("\\Deleted", True),
    ]
    assert terms("keyword:$Forwarded keyword:\\seen has:attachment") == [
        FlagTerm("$Forwarded", True),
        FlagTerm("\\Seen", True),
        AttachmentTerm(),
    ]
    assert terms("larger:10K smaller:2M larger:500") == [
        SizeTerm(True, 10240),
        SizeTerm(False, 2 * 1024 * 1024),
        SizeTerm(True, 500),
    ]
    assert terms("before:2024-03-01 after:2024/1/5 on:2024-02-29") == [
        DateTerm("BEFORE", date(2024, 3, 1)),
        DateTerm("SINCE", date(2024, 1, 5)),
        DateTerm("ON", date(2024, 2, 29)),
    ]
    assert terms("session:smtp-ab12-3 tls:yes tls:NO") == [
        SessionTerm("smtp-ab12-3"),
        TlsTerm(True),
        TlsTerm(False),
    ]


def test_negation() -> None:
    assert terms('-is:seen -"out of office" -from:noreply') == [
        NotTerm(FlagTerm("\\Seen", True)),
        NotTerm(TextTerm("text", "out of office")),
        NotTerm(TextTerm("from", "noreply")),
    ]


@pytest.mark.parametrize(
    ("query", "culprit"),
    [
        ("ok frmo:alice", "frmo:alice"),
        ("is:important", "is:important"),
        ("has:pdf", "has:pdf"),
        ("larger:10X", "larger:10X"),
        ("smaller:", "smaller:"),
        ("before:2024-13-01", "before:2024-13-01"),
        ("on:yesterday", "on:yesterday"),
        ("tls:maybe", "tls:maybe"),
        ("header:NoValueColon", "header:NoValueColon"),
        ('subject:"unclosed', 'subject:"unclosed'),
        ("keyword:a(b", "keyword:a(b"),
        ("a - b", "-"),
        ('""', '""'),
    ],
)
def test_malformed_terms_are_named(query: str, culprit: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.term == culprit
    assert culprit in str(caught.value)


def test_bounded_input() -> None:
    with pytest.raises(QueryError, match="longer than"):
        parse_query("a" * 5000)
    with pytest.raises(QueryError, match="more than 64 terms"):
        parse_query("a " * 65)


# --- evaluation ---

ATTACHED = (
    b"From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Report attached\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n"
    b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=r.pdf\r\n\r\n%PDF\r\n"
    b"--b--\r\n"
)
PLAIN = (
    b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.com>\r\nTo: Carol <carol@example.com>\r\nCc: dave@example.com\r\n"
    b"Subject: Lunch?\r\nX-Mailer: Thunderbird 115\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n"
    b"Shall we meet at noon? Pay with card.\r\n"
)
ALTERNATIVE = (
    b"From: shop@example.com\r\nTo: carol@example.com\r\nSubject: Your receipt\r\n"
    b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n'
    b"--a\r\nContent-Type: text/plain\r\n\r\npaid by card\r\n"
    b"--a\r\nContent-Type: text/html\r\n\r\n<p>paid by card</p>\r\n--a--\r\n"
)


def _mailbox() -> tuple[Mailbox, list[Message]]:
    account = Account(1, "Alice", "pw", None)
    mailbox = Mailbox(1, account, "INBOX", 1)
    account.mailboxes["INBOX"] = mailbox
    over_tls = Provenance(
        delivery=Delivery(
            protocol="smtp",
            received_at=datetime(2024, 1, 2, tzinfo=UTC),
            session_id="smtp-x-1",
            tls=TlsFacts(version="TLSv1.3", cipher="TLS_AES_128_GCM_SHA256"),
        ),
        envelope=Envelope(mail_from="j@example.com", rcpt_to=("carol@example.com", "Hidden+Tag@example.com")),
    )
    messages = [
        Message(1, frozenset({"\\Seen"}), datetime(2024, 1, 1, 9, tzinfo=UTC), ParsedMessage(ATTACHED)),
        Message(2, frozenset({"$Work"}), datetime(2024, 1, 2, 9, tzinfo=UTC), ParsedMessage(PLAIN), 1, over_tls),
        Message(3, frozenset({"\\Flagged"}), datetime(2024, 1, 3, 9, tzinfo=UTC), ParsedMessage(ALTERNATIVE)),
    ]
    mailbox.messages = messages
    return mailbox, messages


def found(query: str) -> list[int]:
    mailbox, messages = _mailbox()
    compiled = compile_query(parse_query(query))
    if not compiled.mailbox_matches(mailbox):
        return []
    return [message.uid for message in messages if compiled.matches(mailbox, message)]


@pytest.mark.parametrize(
    ("query", "uids"),
    [
        ("", [1, 2, 3]),
        ("card", [2, 3]),
        ("lunch", [2]),
        ('"meet at noon"', [2]),
        ("-card", [1]),
        ("from:jürgen", [2]),
        ("from:alice@example", [1]),
        ("to:carol", [2, 3]),
        ("cc:dave", [2]),
        ("rcpt:hidden+tag", [2]),
        ("bcc:hidden", [2]),
        ("rcpt:nobody", []),
        ("subject:report", [1]),
        ("body:file", [1]),
        ("header:x-mailer:thunder", [2]),
        ("header:X-Mailer:", [2]),
        ("user:alice", [1, 2, 3]),
        ("user:bob", []),
        ("mailbox:inbox", [1, 2, 3]),
        ("mailbox:Sent", []),
        ("is:seen", [1]),
        ("is:unseen", [2, 3]),
        ("is:flagged", [3]),
        ("-is:flagged is:unread", [2]),
        ("keyword:$Work", [2]),
        ("has:attachment", [1]),
        ("-has:attachment", [2, 3]),
        ("larger:250", [1]),
        ("smaller:225", [2]),
        ("before:2024-01-02", [1]),
        ("after:2024-01-02", [2, 3]),
        ("on:2024-01-02", [2]),
        ("session:smtp-x-1", [2]),
        ("tls:yes", [2]),
        ("tls:no", [1, 3]),
    ],
)
def test_each_operator_selects(query: str, uids: list[int]) -> None:
    assert found(query) == uids


@pytest.mark.parametrize(
    ("query", "imap_key"),
    [
        ("from:example.com", b'FROM "example.com"'),
        ("to:carol", b"TO carol"),
        ("cc:dave", b"CC dave"),
        ("subject:re", b"SUBJECT re"),
        ("body:card", b"BODY card"),
        ("header:x-mailer:115", b"HEADER X-Mailer 115"),
        ("is:seen", b"SEEN"),
        ("-is:seen", b"UNSEEN"),
        ("keyword:$Work", b"KEYWORD $Work"),
        ("larger:250", b"LARGER 250"),
        ("smaller:400", b"SMALLER 400"),
        ("before:2024-01-03", b"BEFORE 3-Jan-2024"),
        ("after:2024-01-02", b"SINCE 2-Jan-2024"),
        ("on:2024-01-01", b"ON 1-Jan-2024"),
        ("card", b"OR SUBJECT card BODY card"),
    ],
)
def test_agrees_with_imap_search(query: str, imap_key: bytes) -> None:
    _, messages = _mailbox()
    predicate = parse_key(Reader(imap_key))
    context = SearchContext(len(messages), messages[-1].uid, set(), frozenset())
    by_imap = [message.uid for seq, message in enumerate(messages, 1) if predicate(context, seq, message)]
    assert found(query) == by_imap
    assert by_imap  # the pair is not vacuous
