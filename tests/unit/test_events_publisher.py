"""Store changes and session lives as bus events: one event per message, naming user, mailbox, UID and
the server-wide id, with the flags when they changed."""

from __future__ import annotations

from datetime import UTC, datetime

from elektromail.events import EventBus, EventFilter
from elektromail.events.publisher import EventPublisher
from elektromail.mail.message import ParsedMessage
from elektromail.store.model import Account, FlagsChanged, Mailbox, Message, MessagesAdded, MessagesExpunged
from elektromail.store.provenance import AuthFacts
from elektromail.transcripts import Transcripts


def test_store_changes_become_one_event_per_message() -> None:
    bus = EventBus()
    publisher = EventPublisher(bus)
    subscription = bus.subscribe(EventFilter())
    account = Account(1, "Alice", "pw", None)
    mailbox = Mailbox(7, account, "Archive", 1)
    messages = [
        Message(uid, frozenset({"\\Seen", "$Work"}), datetime.now(UTC), ParsedMessage(b"Subject: x\r\n\r\n"))
        for uid in (3, 4)
    ]
    publisher.mailbox_changed(MessagesAdded(mailbox, messages))
    publisher.mailbox_changed(FlagsChanged(mailbox, messages[:1]))
    publisher.mailbox_changed(MessagesExpunged(mailbox, [4]))
    publisher.mailbox_renamed("Alice", "Old", "Archive")
    got = []
    while (event := subscription.take()) is not None:
        got.append((event.type, event.data))
    assert [kind for kind, _ in got] == [
        "message.stored",
        "message.stored",
        "message.flags",
        "message.expunged",
        "mailbox.renamed",
    ]
    assert got[1][1].message_id == "7-4" and got[1][1].user == "Alice" and got[1][1].mailbox == "Archive"
    assert got[2][1].flags == ["$Work", "\\Seen"]
    assert got[3][1].uid == 4 and got[3][1].flags is None
    assert got[4][1].old_name == "Old"


def test_sessions_become_events() -> None:
    bus = EventBus()
    publisher = EventPublisher(bus)
    registry = Transcripts()
    registry.listeners.add(publisher.session_changed)
    subscription = bus.subscribe(EventFilter(types=frozenset({"session.started", "session.ended"})))
    transcript = registry.start("imap", "127.0.0.1:5000")
    transcript.authenticated(AuthFacts(mechanism="LOGIN", user="bob"))
    registry.end(transcript)
    started, ended = subscription.take(), subscription.take()
    assert started is not None and started.type == "session.started" and started.data.user is None
    assert ended is not None and ended.type == "session.ended" and ended.data.user == "bob"
    assert ended.data.session_id == transcript.id and ended.data.protocol == "imap"
